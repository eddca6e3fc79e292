// The legacy exception-handling proposal's JS API tests
// (spec/legacy/exceptions/js-api/*.any.js) against the polyfill
// (src/host/polyfill.ts over Node's own WebAssembly); see test/js-api-legacy-eh.test.ts.

import { join } from 'node:path';
import { createPolyfill } from '../src/host/polyfill.ts';
import { jsApiSuite } from './helpers/js-api-suite.ts';
import { specDir } from './helpers/spec.ts';

jsApiSuite({
  namespace: createPolyfill((globalThis as { WebAssembly?: unknown }).WebAssembly), exceptionsFile: 'test/js-api-legacy-eh-exceptions.json',
  label: 'legacy js-api (polyfill)', dir: join(specDir(), 'legacy', 'exceptions', 'js-api'), minFiles: 2, minSubtests: 6,
});
