// The official WebAssembly JS API tests (spec/js-api, the files meant for a JS shell) run
// against the polyfill (src/host/polyfill.ts) over this Node's own `WebAssembly`: the
// `WebAssembly` that 'wasmfx/polyfill' exports, installed as `globalThis.WebAssembly` in this
// process before its first use (the runner: test/helpers/js-api-suite.ts).
// The polyfill hands modules the host validates to the host, so most of the suite checks
// that its wrappers (Module, Instance, Tag, validate, compile, instantiate) are as faithful
// as the host's own API.
//
// Every subtest passes, except those listed in test/js-api-polyfill-exceptions.json
// (file -> subtest -> reason); a listed subtest that passes fails the run.

import { WebAssembly } from '../src/host/polyfill.ts';
import { jsApiSuite } from './helpers/js-api-suite.ts';

jsApiSuite({
  namespace: WebAssembly,
  exceptionsFile: 'test/js-api-polyfill-exceptions.json',
  label: 'js-api (polyfill)',
  minSubtests: 1000,
});
