// The shape of a `WebAssembly` namespace as the JS API defines it, reduced to
// what wasmfx's host engine (src/script/engine-host.ts) uses. The host's own
// `globalThis.WebAssembly` fits it, so does wasmfx's (src/host/js-api.ts), and
// so must a polyfill namespace that lowers stack switching to plain Wasm.
//
// The project's type libraries leave WebAssembly out (Node has it at run time),
// hence this declaration; values crossing it are `unknown`.

/** A compiled module (`new ns.Module(bytes)`). */
export interface WasmModuleObject {
  readonly __brand?: 'WebAssembly.Module';
}

/** An instance: its `exports` object holds functions, Memory, Table, Global and Tag objects. */
export interface WasmInstanceObject {
  readonly exports: Record<string, unknown>;
}

export type WasmImportObject = Record<string, Record<string, unknown>>;

type ErrorClass = new (message?: string) => Error;

export interface WasmNamespace {
  readonly validate: (bytes: Uint8Array) => boolean;
  readonly Module: new (bytes: Uint8Array) => WasmModuleObject;
  readonly Instance: new (module: WasmModuleObject, imports?: WasmImportObject) => WasmInstanceObject;
  readonly Memory: new (descriptor: { initial: number | bigint; maximum?: number | bigint; address?: 'i32' | 'i64'; shared?: boolean }) => object;
  readonly Table: new (
    descriptor: { element: string; initial: number | bigint; maximum?: number | bigint; address?: 'i32' | 'i64' },
    value?: unknown,
  ) => object;
  readonly Global: new (descriptor: { value: string; mutable?: boolean }, value?: unknown) => { value: unknown };
  readonly Tag?: new (descriptor: { parameters: string[] }) => object;
  readonly Exception?: new (tag: object, payload: unknown[]) => object;
  readonly CompileError: ErrorClass;
  readonly LinkError: ErrorClass;
  readonly RuntimeError: ErrorClass;
}

/** The host's own namespace (Node's V8), or undefined when the host has none. */
export function hostNamespace(): WasmNamespace | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmNamespace }).WebAssembly;
}
