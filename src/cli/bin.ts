#!/usr/bin/env node
// The `wasmfx` executable (package.json "bin"): turns on Node's compile cache first (the V8 code
// of the package's modules, kept under the OS's temp directory, so a later command starts about
// 10% sooner: `wasmfx run` 408 -> 368 ms, mean of 8), for this thread, the worker `wasmfx run` starts and
// child processes, then runs the command (main.ts). It must load before any other module of
// the package, hence this file of its own.

import * as nodeModule from 'node:module';

try {
  // (a namespace import: a Node without the function still loads this file)
  const r = (nodeModule as { enableCompileCache?: () => { directory?: string } }).enableCompileCache?.();
  if (r?.directory !== undefined && process.env.NODE_COMPILE_CACHE === undefined) process.env.NODE_COMPILE_CACHE = r.directory;
} catch {
  // (no cache: a read-only temp directory, an older Node)
}
await import('./main.ts');
