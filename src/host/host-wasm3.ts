// Can a host run what the lowering compiler emits? Lowered modules need the Wasm 3.0 features
// the lowering builds on: GC (structs, arrays, casts), exception references (try_table with
// catch_all_ref, throw_ref) and tail calls with typed function references. Current engines have
// them without a flag; older ones do not (Node 20 lacks GC, Node 22 exception references),
// and there the lowered engine cannot run: the JS API's `instantiate` and `wasmfx run`
// then use the interpreter by default, and asking for the lowered engine is a clear error
// instead of the host's words about an unknown type code. This file imports nothing, so that
// the CLI can ask before it loads the lowering compiler.

/**
 * (module
 *   (type $s (struct (field (mut i32)))) (type $f (func (result i32))) (tag $t)
 *   (func $a (type $f) (return_call_ref $f (ref.func $a)))
 *   (func (block $l (result exnref) (try_table (catch_all_ref $l) (throw $t)) (unreachable)) (throw_ref))
 *   (func (result (ref $s)) (struct.new $s (i32.const 0)))
 *   (elem declare func $a))
 */
const PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 17, 4, 95, 1, 127, 1, 96, 0, 1, 127, 96, 0, 0, 96, 0, 1, 100, 0, 3, 4, 3, 1, 2, 3, 13, 3, 1, 0, 2, 9, 5, 1, 3,
  0, 1, 0, 10, 32, 3, 6, 0, 210, 0, 21, 1, 11, 15, 0, 2, 105, 31, 64, 1, 3, 0, 8, 0, 11, 0, 11, 10, 11, 7, 0, 65, 0, 251, 0, 0, 11,
]);

/** Why a host that fails the probe cannot use the lowered engine or the polyfill (for error messages). */
export const LOWERING_NEEDS =
  'running stack switching lowered needs a host with Wasm 3.0 (GC, exception references, tail calls), which this one lacks';

const answers = new WeakMap<object, boolean>();

/** Does the namespace compile the Wasm 3.0 features lowered modules use? (asked once per namespace) */
export function runsLoweredModules(ns: { validate(bytes: Uint8Array): boolean }): boolean {
  let ok = answers.get(ns);
  if (ok === undefined) {
    try {
      ok = ns.validate(PROBE);
    } catch {
      ok = false;
    }
    answers.set(ns, ok);
  }
  return ok;
}
