// WASI preview1 (`wasi_snapshot_preview1`) for command modules, e.g. C programs compiled for
// wasm32-wasip1, on any engine:
//
//   const wasi = createWasi({ args: ['prog.wasm', 'x'], env: { K: 'v' }, preopens: [{ host: 'data', guest: '/data' }] });
//   const { instance } = await WebAssembly.instantiate(bytes, wasi.imports);  // or wasmfx's instantiate
//   const code = wasi.start(instance);   // runs _start: the exit code (proc_exit's, else 0)
//
// The system calls are @bjorn3/browser_wasi_shim's: pure JavaScript that reads
// `instance.exports.memory.buffer` on every call, so the same imports serve the host's
// WebAssembly, the polyfill and wasmfx's interpreter (whose Memory has that `buffer` too).
// The file descriptors are ours (wasi-fs.ts): the standard streams (the process's fds 0-2, or
// functions), and host directories preopened as sandboxes the program cannot leave.
//
// Where the shim does not fit, its functions are replaced: args_sizes_get (it counts UTF-16
// units, not UTF-8 bytes), random_get (it returns no errno and fills a short buffer silently
// at the end of memory), poll_oneoff (one subscription only, a busy wait, the clock flags
// read at the wrong offset; here: clocks sleep, fds are ready at once), and proc_raise and the
// sock_* functions (they throw strings; here ERRNO_NOTSUP). Every function returns an errno
// rather than throwing: a pointer outside memory is ERRNO_FAULT. Only proc_exit throws (a
// WASIProcExit, which `start` turns into the exit code).

import { randomFillSync } from 'node:crypto';
import { isatty } from 'node:tty';
import { WASI, WASIProcExit, wasi, type Fd } from '@bjorn3/browser_wasi_shim';
import { HostDirectory, HostFile, StreamFd, readFd, sleepMs, writeFd, type ReadFn, type WriteFn } from './wasi-fs.ts';

export { WASIProcExit };

export interface WasiOptions {
  /** the program's arguments, its name first */
  readonly args: readonly string[];
  /** its environment (none by default: nothing of the host's leaks in) */
  readonly env?: Readonly<Record<string, string>>;
  /** host directories it may use, each under a guest path (fds 3, 4, ... in this order) */
  readonly preopens?: readonly { readonly host: string; readonly guest: string }[];
  /** standard input: up to `max` bytes, empty at the end (default: the process's, read on demand) */
  readonly stdin?: ReadFn;
  /** standard output (default: the process's, written at once) */
  readonly stdout?: WriteFn;
  /** standard error (default: the process's, written at once) */
  readonly stderr?: WriteFn;
}

export type WasiFunction = (...args: never[]) => unknown;

export interface Wasi {
  /** the import object to instantiate the module with */
  readonly imports: { readonly wasi_snapshot_preview1: Readonly<Record<string, WasiFunction>> };
  /**
   * Runs the instance's `_start` and returns the exit code: proc_exit's, or 0 when `_start`
   * returns. A trap propagates (the files the program left open are closed either way).
   */
  start(instance: { readonly exports: object }): number;
}

/** Creates a WASI environment for one run of a command module. Throws an Error when a preopen is not a directory. */
export function createWasi(o: WasiOptions): Wasi {
  // a terminal is a character device (wasi-libc line-buffers stdout then), anything else unknown
  const stream = (fd: number, given: boolean): number =>
    !given && isatty(fd) ? wasi.FILETYPE_CHARACTER_DEVICE : wasi.FILETYPE_UNKNOWN;
  const fds: Fd[] = [
    new StreamFd({ read: o.stdin ?? readFd(0) }, stream(0, o.stdin !== undefined)),
    new StreamFd({ write: o.stdout ?? writeFd(1) }, stream(1, o.stdout !== undefined)),
    new StreamFd({ write: o.stderr ?? writeFd(2) }, stream(2, o.stderr !== undefined)),
    ...(o.preopens ?? []).map((p) => HostDirectory.preopen(p.host, p.guest)),
  ];
  const args = [...o.args];
  // (debug: false, or the shim logs every call: it takes a missing option for true)
  const shim = new WASI(args, Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`), fds, { debug: false });
  const view = (): DataView => new DataView(shim.inst.exports.memory.buffer);
  const utf8 = new TextEncoder();

  const replaced: Record<string, WasiFunction> = {
    args_sizes_get(argc: number, size: number): number {
      const v = view();
      v.setUint32(argc >>> 0, args.length, true);
      v.setUint32(size >>> 0, args.reduce((n, a) => n + utf8.encode(a).length + 1, 0), true);
      return wasi.ERRNO_SUCCESS;
    },
    random_get(buf: number, len: number): number {
      randomFillSync(new Uint8Array(shim.inst.exports.memory.buffer, buf >>> 0, len >>> 0));
      return wasi.ERRNO_SUCCESS;
    },
    poll_oneoff: (inPtr: number, outPtr: number, n: number, nevents: number): number => pollOneoff(view(), inPtr >>> 0, outPtr >>> 0, n >>> 0, nevents >>> 0),
    proc_raise: () => wasi.ERRNO_NOTSUP,
    sched_yield: () => wasi.ERRNO_SUCCESS,
    sock_accept: () => wasi.ERRNO_NOTSUP,
    sock_recv: () => wasi.ERRNO_NOTSUP,
    sock_send: () => wasi.ERRNO_NOTSUP,
    sock_shutdown: () => wasi.ERRNO_NOTSUP,
  };
  const all = { ...shim.wasiImport, ...replaced } as Record<string, WasiFunction>;
  const imports = Object.fromEntries(Object.entries(all).map(([name, f]) => [name, errnoOnThrow(f)]));

  return {
    imports: { wasi_snapshot_preview1: imports },
    start(instance) {
      const exports = instance.exports as Record<string, unknown>;
      const memory = exports['memory'];
      if (typeof memory !== 'object' || memory === null || !('buffer' in memory)) {
        throw new TypeError('a WASI command exports its memory as "memory"');
      }
      if (typeof exports['_start'] !== 'function') throw new TypeError('a WASI command exports a function "_start"');
      try {
        return shim.start(instance as Parameters<WASI['start']>[0]);
      } finally {
        // the process ends: its files close
        for (const fd of shim.fds) if (fd instanceof HostFile) fd.fd_close();
      }
    },
  };
}

/**
 * A system call that returns an errno whatever happens inside: a RangeError is a pointer
 * outside memory (ERRNO_FAULT), anything else a failure of the host (ERRNO_IO). proc_exit's
 * WASIProcExit passes, and so does a stack overflow, which is the program's exhaustion.
 */
function errnoOnThrow(f: WasiFunction): WasiFunction {
  return (...args) => {
    try {
      return f(...args);
    } catch (e) {
      if (e instanceof WASIProcExit) throw e;
      if (e instanceof RangeError && /call stack/.test(e.message)) throw e;
      return e instanceof RangeError ? wasi.ERRNO_FAULT : wasi.ERRNO_IO;
    }
  };
}

/** Now on a WASI clock, in nanoseconds (the shim's clock_time_get reads the same clocks). */
const clockNow = (id: number): bigint =>
  id === wasi.CLOCKID_REALTIME ? BigInt(Date.now()) * 1_000_000n : BigInt(Math.round(performance.now() * 1e6));

/**
 * poll_oneoff: subscriptions (48 bytes each: userdata, tag, then a clock's id, timeout and
 * flags at 16/24/40) in, events (32 bytes: userdata, errno, type) out. Fd subscriptions are
 * ready at once (a read blocks, if it must, when it is made); else the call sleeps until the
 * first clock expires.
 */
function pollOneoff(v: DataView, inPtr: number, outPtr: number, n: number, nevents: number): number {
  if (n === 0) return wasi.ERRNO_INVAL;
  const subs = Array.from({ length: n }, (_, i) => inPtr + 48 * i);
  let ready = subs.filter((p) => v.getUint8(p + 8) !== wasi.EVENTTYPE_CLOCK);
  if (ready.length === 0) {
    const waits = subs.map((p) => {
      const t = v.getBigUint64(p + 24, true);
      const absolute = (v.getUint16(p + 40, true) & wasi.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
      return absolute ? t - clockNow(v.getUint32(p + 16, true)) : t;
    });
    const first = waits.reduce((a, b) => (b < a ? b : a));
    if (first > 0n) sleepMs(Number(first) / 1e6);
    ready = subs.filter((_, i) => waits[i]! <= first);
  }
  ready.forEach((p, i) => {
    const e = outPtr + 32 * i;
    v.setBigUint64(e, v.getBigUint64(p, true), true);
    v.setUint16(e + 8, wasi.ERRNO_SUCCESS, true);
    v.setUint8(e + 10, v.getUint8(p + 8));
    v.setBigUint64(e + 16, 0n, true);
    v.setUint16(e + 24, 0, true);
  });
  v.setUint32(nevents, ready.length, true);
  return wasi.ERRNO_SUCCESS;
}
