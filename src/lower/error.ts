// The error of a module the lowering cannot rewrite (a limit of the lowering, not an invalid
// module), in a file of its own: the CLI reports it without loading the compiler.

export class LowerError extends Error {}
