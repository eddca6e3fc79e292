// The legacy exception-handling proposal's JS API tests
// (spec/legacy/exceptions/js-api/*.any.js: WebAssembly.Exception and tags as
// JavaScript sees them, with modules using try/catch/rethrow) against wasmfx's
// interpreter-backed `WebAssembly` namespace; test/js-api-legacy-eh-polyfill.test.ts
// runs them against the polyfill. Every subtest passes (no exceptions listed).

import { join } from 'node:path';
import { WebAssembly as wasmfxWebAssembly } from '../src/host/js-api.ts';
import { jsApiSuite } from './helpers/js-api-suite.ts';
import { specDir } from './helpers/spec.ts';

jsApiSuite({
  namespace: wasmfxWebAssembly, exceptionsFile: 'test/js-api-legacy-eh-exceptions.json', label: 'legacy js-api',
  dir: join(specDir(), 'legacy', 'exceptions', 'js-api'), minFiles: 2, minSubtests: 6,
});
