// The package version, shown by `wasmfx --version`.
export const VERSION = '0.1.0';
