// WASI file descriptors over node:fs, as @bjorn3/browser_wasi_shim's `Fd` classes: standard
// streams (functions reading and writing bytes), host files, and host directories that a
// program sees as preopened sandboxes.
//
// The sandbox: a preopened directory is a root the program cannot leave, whatever path it
// gives. A path is relative to a directory fd: an absolute path is refused, `..` is applied
// to the names as written (lexically) and may not climb above the root, the real path
// (fs.realpathSync) of the parent directory must lie inside the root's real path (so a
// symlinked directory anywhere on the way is followed only to places inside), and so must
// the target of a symlink in the last component when it is followed. The file is then
// opened by that checked path with O_NOFOLLOW, so what is opened is what was checked.
// Escapes are ERRNO_NOTCAPABLE. The program cannot make links of its own (path_symlink,
// path_link and path_rename are not supported), and it runs synchronously, so only another
// host process racing it could change a checked path before it is used.

import {
  closeSync, constants, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, readSync, readdirSync,
  realpathSync, rmdirSync, statSync, unlinkSync, writeSync, type BigIntStats, type Dirent as NodeDirent,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { Fd, wasi } from '@bjorn3/browser_wasi_shim';

const EMPTY = new Uint8Array(0);

/** Every right: a directory passes them all on, since wasi-libc asks for the rights of an open from the directory's inheriting rights. */
const ALL_RIGHTS = (1n << 29n) - 1n;

/** lookupflags: follow a symlink in the last component. */
const LOOKUP_SYMLINK_FOLLOW = 1;

const ERRNOS: Readonly<Record<string, number>> = {
  EACCES: wasi.ERRNO_ACCES, EAGAIN: wasi.ERRNO_AGAIN, EBADF: wasi.ERRNO_BADF, EBUSY: wasi.ERRNO_BUSY, EEXIST: wasi.ERRNO_EXIST,
  EFBIG: wasi.ERRNO_FBIG, EINVAL: wasi.ERRNO_INVAL, EISDIR: wasi.ERRNO_ISDIR, ELOOP: wasi.ERRNO_LOOP, EMFILE: wasi.ERRNO_MFILE,
  ENAMETOOLONG: wasi.ERRNO_NAMETOOLONG, ENFILE: wasi.ERRNO_NFILE, ENOENT: wasi.ERRNO_NOENT, ENOSPC: wasi.ERRNO_NOSPC,
  ENOTDIR: wasi.ERRNO_NOTDIR, ENOTEMPTY: wasi.ERRNO_NOTEMPTY, ENXIO: wasi.ERRNO_NXIO, EPERM: wasi.ERRNO_PERM,
  EPIPE: wasi.ERRNO_PIPE, EROFS: wasi.ERRNO_ROFS, ESPIPE: wasi.ERRNO_SPIPE, ETXTBSY: wasi.ERRNO_TXTBSY,
};

/** The WASI errno of a node:fs error (EIO for anything unexpected). */
const errnoOf = (e: unknown): number => ERRNOS[(e as NodeJS.ErrnoException | undefined)?.code ?? ''] ?? wasi.ERRNO_IO;

interface StatLike {
  isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean;
  isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean;
}

function filetypeOf(s: StatLike): number {
  if (s.isFile()) return wasi.FILETYPE_REGULAR_FILE;
  if (s.isDirectory()) return wasi.FILETYPE_DIRECTORY;
  if (s.isSymbolicLink()) return wasi.FILETYPE_SYMBOLIC_LINK;
  if (s.isCharacterDevice()) return wasi.FILETYPE_CHARACTER_DEVICE;
  if (s.isBlockDevice()) return wasi.FILETYPE_BLOCK_DEVICE;
  return s.isSocket() ? wasi.FILETYPE_SOCKET_STREAM : wasi.FILETYPE_UNKNOWN;
}

/** A filestat written in WASI's layout: the shim's Filestat writes atim/mtim/ctim at offsets 38/46/52, not 40/48/56. */
class Filestat extends wasi.Filestat {
  override write_bytes(view: DataView, ptr: number): void {
    view.setBigUint64(ptr, this.dev, true);
    view.setBigUint64(ptr + 8, this.ino, true);
    view.setUint8(ptr + 16, this.filetype);
    view.setBigUint64(ptr + 24, this.nlink, true);
    view.setBigUint64(ptr + 32, this.size, true);
    view.setBigUint64(ptr + 40, this.atim, true);
    view.setBigUint64(ptr + 48, this.mtim, true);
    view.setBigUint64(ptr + 56, this.ctim, true);
  }
}

function filestatOf(st: BigIntStats): Filestat {
  const f = new Filestat(st.ino, filetypeOf(st), st.size);
  f.dev = st.dev;
  f.nlink = st.nlink;
  f.atim = st.atimeNs;
  f.mtim = st.mtimeNs;
  f.ctim = st.ctimeNs;
  return f;
}

/** Our fds answer fd_prestat_get with EBADF unless preopened, as WASI hosts do (the shim's answer, NOTSUP, stops wasi-libc's preopen scan with an error). */
abstract class HostFd extends Fd {
  override fd_prestat_get(): { ret: number; prestat: wasi.Prestat | null } {
    return { ret: wasi.ERRNO_BADF, prestat: null };
  }
}

export type ReadFn = (max: number) => Uint8Array;
export type WriteFn = (bytes: Uint8Array) => void;

/** A standard stream: reads or writes through a function. */
export class StreamFd extends HostFd {
  private readonly read: ReadFn | undefined;
  private readonly write: WriteFn | undefined;
  private readonly filetype: number;

  constructor(io: { read: ReadFn } | { write: WriteFn }, filetype: number) {
    super();
    this.read = 'read' in io ? io.read : undefined;
    this.write = 'write' in io ? io.write : undefined;
    this.filetype = filetype;
  }

  override fd_read(size: number): { ret: number; data: Uint8Array } {
    if (this.read === undefined) return { ret: wasi.ERRNO_BADF, data: EMPTY };
    try {
      return { ret: wasi.ERRNO_SUCCESS, data: this.read(size) };
    } catch (e) {
      return { ret: errnoOf(e), data: EMPTY };
    }
  }

  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    if (this.write === undefined) return { ret: wasi.ERRNO_BADF, nwritten: 0 };
    try {
      this.write(data);
      return { ret: wasi.ERRNO_SUCCESS, nwritten: data.length };
    } catch (e) {
      return { ret: errnoOf(e), nwritten: 0 };
    }
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const s = new wasi.Fdstat(this.filetype, 0);
    s.fs_rights_base = BigInt(this.read !== undefined ? wasi.RIGHTS_FD_READ : wasi.RIGHTS_FD_WRITE);
    return { ret: wasi.ERRNO_SUCCESS, fdstat: s };
  }

  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat | null } {
    return { ret: wasi.ERRNO_SUCCESS, filestat: new Filestat(0n, this.filetype, 0n) };
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` milliseconds. */
export const sleepMs = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);

/**
 * Retries an operation on a host fd that is non-blocking (EAGAIN): Node makes the pipes of its
 * standard streams non-blocking once `process.stdout` (or `stdin`) is used, here or in a
 * process sharing them.
 */
function blocking<T>(op: () => T): T {
  for (;;) {
    try {
      return op();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      sleepMs(1);
    }
  }
}

/** Reads up to `max` bytes from a host fd, on demand (empty at the end of the input). */
export const readFd = (fd: number): ReadFn => (max) => {
  const buf = new Uint8Array(max);
  return buf.subarray(0, blocking(() => readSync(fd, buf, 0, max, null)));
};

/** Writes all the bytes to a host fd at once (no buffering). */
export const writeFd = (fd: number): WriteFn => (bytes) => {
  for (let off = 0; off < bytes.length; ) off += blocking(() => writeSync(fd, bytes, off, bytes.length - off));
};

/** An open host file. Its position is ours: reads and writes are positional. */
export class HostFile extends HostFd {
  private readonly fd: number;
  private readonly rights: bigint;
  private readonly append: boolean;
  private pos = 0n;

  constructor(fd: number, rights: bigint, append: boolean) {
    super();
    this.fd = fd;
    this.rights = rights;
    this.append = append;
  }

  override fd_read(size: number): { ret: number; data: Uint8Array } {
    const r = this.fd_pread(size, this.pos);
    this.pos += BigInt(r.data.length);
    return r;
  }

  override fd_pread(size: number, offset: bigint): { ret: number; data: Uint8Array } {
    try {
      const buf = new Uint8Array(size);
      return { ret: wasi.ERRNO_SUCCESS, data: buf.subarray(0, readSync(this.fd, buf, 0, size, offset)) };
    } catch (e) {
      return { ret: errnoOf(e), data: EMPTY };
    }
  }

  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    const r = this.fd_pwrite(data, this.pos);
    // (with O_APPEND the system writes at the end, whatever the position)
    this.pos = this.append ? fstatSync(this.fd, { bigint: true }).size : this.pos + BigInt(r.nwritten);
    return r;
  }

  override fd_pwrite(data: Uint8Array, offset: bigint): { ret: number; nwritten: number } {
    try {
      let n = 0;
      while (n < data.length) n += writeSync(this.fd, data, n, data.length - n, Number(offset) + n);
      return { ret: wasi.ERRNO_SUCCESS, nwritten: n };
    } catch (e) {
      return { ret: errnoOf(e), nwritten: 0 };
    }
  }

  override fd_seek(offset: bigint, whence: number): { ret: number; offset: bigint } {
    let base: bigint;
    if (whence === wasi.WHENCE_SET) base = 0n;
    else if (whence === wasi.WHENCE_CUR) base = this.pos;
    else if (whence === wasi.WHENCE_END) base = fstatSync(this.fd, { bigint: true }).size;
    else return { ret: wasi.ERRNO_INVAL, offset: this.pos };
    if (base + offset < 0n) return { ret: wasi.ERRNO_INVAL, offset: this.pos };
    this.pos = base + offset;
    return { ret: wasi.ERRNO_SUCCESS, offset: this.pos };
  }

  override fd_tell(): { ret: number; offset: bigint } {
    return { ret: wasi.ERRNO_SUCCESS, offset: this.pos };
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const s = new wasi.Fdstat(wasi.FILETYPE_REGULAR_FILE, this.append ? wasi.FDFLAGS_APPEND : 0);
    s.fs_rights_base = this.rights;
    return { ret: wasi.ERRNO_SUCCESS, fdstat: s };
  }

  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat | null } {
    try {
      return { ret: wasi.ERRNO_SUCCESS, filestat: filestatOf(fstatSync(this.fd, { bigint: true })) };
    } catch (e) {
      return { ret: errnoOf(e), filestat: null };
    }
  }

  override fd_filestat_set_size(size: bigint): number {
    return errnoOr(() => ftruncateSync(this.fd, Number(size)));
  }

  override fd_sync(): number {
    return errnoOr(() => fsyncSync(this.fd));
  }

  override fd_close(): number {
    return errnoOr(() => closeSync(this.fd));
  }
}

/** Runs a node:fs operation: ERRNO_SUCCESS, or the errno of its failure. */
function errnoOr(op: () => void): number {
  try {
    op();
    return wasi.ERRNO_SUCCESS;
  } catch (e) {
    return errnoOf(e);
  }
}

/** Is `path` the directory `root` or inside it? (both absolute and normalised) */
function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** A host directory inside a sandbox (a preopen, or a directory opened in one). */
export class HostDirectory extends HostFd {
  /** the sandbox: the real path of the preopened directory */
  private readonly root: string;
  /** this directory's real path */
  private readonly path: string;
  /** the guest path, for a preopen */
  private readonly guest: string | undefined;
  /** the listing fd_readdir walks, read again from cookie 0 */
  private entries: NodeDirent[] | undefined;

  private constructor(root: string, path: string, guest?: string) {
    super();
    this.root = root;
    this.path = path;
    this.guest = guest;
  }

  /** Preopens host directory `host` as `guest`. Throws an Error saying why it cannot. */
  static preopen(host: string, guest: string): HostDirectory {
    let real: string;
    try {
      real = realpathSync(host);
    } catch (e) {
      throw new Error(`cannot preopen ${host}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
    }
    if (!statSync(real).isDirectory()) throw new Error(`cannot preopen ${host}: not a directory`);
    return new HostDirectory(real, real, guest);
  }

  override fd_prestat_get(): { ret: number; prestat: wasi.Prestat | null } {
    if (this.guest === undefined) return super.fd_prestat_get();
    return { ret: wasi.ERRNO_SUCCESS, prestat: wasi.Prestat.dir(this.guest) };
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const s = new wasi.Fdstat(wasi.FILETYPE_DIRECTORY, 0);
    s.fs_rights_base = ALL_RIGHTS;
    s.fs_rights_inherited = ALL_RIGHTS;
    return { ret: wasi.ERRNO_SUCCESS, fdstat: s };
  }

  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat | null } {
    return this.stat(this.path);
  }

  override fd_readdir_single(cookie: bigint): { ret: number; dirent: wasi.Dirent | null } {
    try {
      if (cookie === 0n || this.entries === undefined) this.entries = readdirSync(this.path, { withFileTypes: true });
      const ino = (p: string): bigint => lstatSync(p, { bigint: true }).ino;
      if (cookie < 2n) {
        // `.` and `..` come first, as in POSIX; the root's `..` is itself (what is above is none of the program's business)
        const p = cookie === 0n || this.path === this.root ? this.path : dirname(this.path);
        return { ret: wasi.ERRNO_SUCCESS, dirent: new wasi.Dirent(cookie + 1n, ino(p), cookie === 0n ? '.' : '..', wasi.FILETYPE_DIRECTORY) };
      }
      const e = this.entries[Number(cookie - 2n)];
      if (e === undefined) return { ret: wasi.ERRNO_SUCCESS, dirent: null };
      return { ret: wasi.ERRNO_SUCCESS, dirent: new wasi.Dirent(cookie + 1n, ino(join(this.path, e.name)), e.name, filetypeOf(e)) };
    } catch (e) {
      return { ret: errnoOf(e), dirent: null };
    }
  }

  override path_open(
    dirflags: number, path: string, oflags: number, rightsBase: bigint, _rightsInheriting: bigint, fdflags: number,
  ): { ret: number; fd_obj: Fd | null } {
    const host = this.resolve(path, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
    if (typeof host === 'number') return { ret: host, fd_obj: null };
    const read = (rightsBase & BigInt(wasi.RIGHTS_FD_READ)) !== 0n;
    const write = (rightsBase & BigInt(wasi.RIGHTS_FD_WRITE)) !== 0n;
    let isDir: boolean | undefined; // undefined: it does not exist
    try {
      isDir = lstatSync(host).isDirectory();
    } catch {
      // created below, or the open fails
    }
    if (isDir === true) {
      if ((oflags & wasi.OFLAGS_CREAT) !== 0 && (oflags & wasi.OFLAGS_EXCL) !== 0) return { ret: wasi.ERRNO_EXIST, fd_obj: null };
      if (write || (oflags & wasi.OFLAGS_TRUNC) !== 0) return { ret: wasi.ERRNO_ISDIR, fd_obj: null };
      return { ret: wasi.ERRNO_SUCCESS, fd_obj: new HostDirectory(this.root, host) };
    }
    if ((oflags & wasi.OFLAGS_DIRECTORY) !== 0) return { ret: isDir === undefined ? wasi.ERRNO_NOENT : wasi.ERRNO_NOTDIR, fd_obj: null };
    const append = (fdflags & wasi.FDFLAGS_APPEND) !== 0;
    let flags = (read && write ? constants.O_RDWR : write ? constants.O_WRONLY : constants.O_RDONLY) | constants.O_NOFOLLOW;
    if ((oflags & wasi.OFLAGS_CREAT) !== 0) flags |= constants.O_CREAT;
    if ((oflags & wasi.OFLAGS_EXCL) !== 0) flags |= constants.O_EXCL;
    if ((oflags & wasi.OFLAGS_TRUNC) !== 0) flags |= constants.O_TRUNC;
    if (append) flags |= constants.O_APPEND;
    try {
      return { ret: wasi.ERRNO_SUCCESS, fd_obj: new HostFile(openSync(host, flags, 0o666), rightsBase, append) };
    } catch (e) {
      return { ret: errnoOf(e), fd_obj: null };
    }
  }

  override path_filestat_get(flags: number, path: string): { ret: number; filestat: wasi.Filestat | null } {
    const host = this.resolve(path, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
    return typeof host === 'number' ? { ret: host, filestat: null } : this.stat(host);
  }

  override path_create_directory(path: string): number {
    const host = this.resolve(path, false);
    return typeof host === 'number' ? host : errnoOr(() => mkdirSync(host));
  }

  override path_unlink_file(path: string): number {
    const host = this.resolve(path, false);
    return typeof host === 'number' ? host : errnoOr(() => unlinkSync(host));
  }

  override path_remove_directory(path: string): number {
    const host = this.resolve(path, false);
    if (host === this.root) return wasi.ERRNO_NOTCAPABLE; // the sandbox itself stays
    return typeof host === 'number' ? host : errnoOr(() => rmdirSync(host));
  }

  private stat(host: string): { ret: number; filestat: wasi.Filestat | null } {
    try {
      return { ret: wasi.ERRNO_SUCCESS, filestat: filestatOf(lstatSync(host, { bigint: true })) };
    } catch (e) {
      return { ret: errnoOf(e), filestat: null };
    }
  }

  /**
   * The host path of `path` (relative to this directory) when it stays in the sandbox, else an
   * errno. `follow`: a symlink in the last component is followed (to its real path, which must
   * be inside too); else the last component is returned as it is, a symlink or not.
   */
  private resolve(path: string, follow: boolean): string | number {
    if (path === '') return wasi.ERRNO_NOENT;
    if (path.includes('\0')) return wasi.ERRNO_INVAL;
    if (isAbsolute(path)) return wasi.ERRNO_NOTCAPABLE;
    const lexical = resolvePath(this.path, path);
    if (!within(this.root, lexical)) return wasi.ERRNO_NOTCAPABLE;
    if (lexical === this.root) return this.root;
    let parent: string;
    try {
      parent = realpathSync(dirname(lexical));
    } catch (e) {
      return errnoOf(e);
    }
    if (!within(this.root, parent)) return wasi.ERRNO_NOTCAPABLE;
    const host = join(parent, basename(lexical));
    if (!follow) return host;
    try {
      if (!lstatSync(host).isSymbolicLink()) return host;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? host : errnoOf(e); // (it may be created)
    }
    let target: string;
    try {
      target = realpathSync(host);
    } catch (e) {
      return errnoOf(e); // a dangling symlink: ENOENT, and never created through
    }
    return within(this.root, target) ? target : wasi.ERRNO_NOTCAPABLE;
  }
}
