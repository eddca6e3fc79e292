// Tests in a real browser: headless Chromium (from the @sparticuz/chromium npm package,
// so `npm ci` installs it and nothing is downloaded) driven by puppeteer-core, and a static
// HTTP server on 127.0.0.1 serving the built package (dist/) to ordinary web pages.
//
//   const b = await openBrowser();              // builds dist/ if stale, serves, launches
//   const r = await b.run(`
//     import { instantiate } from '/dist/index.js';
//     export default async function (arg) { ...; return someJsonValue; }
//   `, { arg: [1, 2, 3] });
//   await b.close();
//
// `run` evaluates an ES module in a fresh page (by default test/browser/index.html) and
// returns its result: the module's default export, or, when that is a function, what it
// returns (awaited) when called with `arg`. The result travels as JSON. An error thrown in
// the page is rethrown here with the page's stack and the page's console output.
//
// The pages are ordinary: served over http://127.0.0.1 without COOP/COEP headers, so not
// cross-origin isolated (no SharedArrayBuffer). The launch drops the flags of
// @sparticuz/chromium that would make them less so (it enables SharedArrayBuffer everywhere
// and disables web security).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { repoRoot } from './spec.ts';

// ---- dist/ ---------------------------------------------------------------------------------

/** Why dist/ must be rebuilt from src/ (a missing or older output), or null when it is fresh. */
export function distStaleness(): string | null {
  const src = join(repoRoot, 'src');
  const dist = join(repoRoot, 'dist');
  const index = join(dist, 'index.js');
  if (!existsSync(index)) return 'dist/index.js is missing';
  const configTime = Math.max(...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(repoRoot, f)).mtimeMs));
  if (configTime > statSync(index).mtimeMs) return 'a tsconfig is newer than dist/index.js';
  const walk = (dir: string): string | null => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const r = walk(p);
        if (r !== null) return r;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        const out = join(dist, relative(src, p).replace(/\.ts$/, '.js'));
        if (!existsSync(out)) return `${relative(repoRoot, out)} is missing`;
        if (statSync(p).mtimeMs > statSync(out).mtimeMs) return `${relative(repoRoot, p)} is newer than ${relative(repoRoot, out)}`;
      }
    }
    return null;
  };
  return walk(src);
}

/** Runs `npm run build` when dist/ is missing or older than src/ (npm ci builds it, so usually nothing happens). */
export function ensureDistBuilt(): void {
  const why = distStaleness();
  if (why === null) return;
  const npm = process.env.npm_execpath;
  const r = npm !== undefined && npm.endsWith('.js')
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: repoRoot, encoding: 'utf8' })
    : spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`dist/ is stale (${why}) and \`npm run build\` failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  }
}

// ---- the server ----------------------------------------------------------------------------

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.wat': 'text/plain; charset=utf-8',
  '.wast': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** The folders served by default: URL prefix -> folder. */
export const DEFAULT_MOUNTS: Readonly<Record<string, string>> = {
  '/dist/': join(repoRoot, 'dist'),
  '/examples/': join(repoRoot, 'examples'),
  '/test/browser/': join(repoRoot, 'test', 'browser'),
};

export interface StaticServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Serves `source` as a JavaScript module; returns its path. */
  addScript(source: string): string;
  /** Requests that failed here (404s), for error messages. */
  readonly misses: string[];
  close(): Promise<void>;
}

/** A static HTTP server on 127.0.0.1 (a random port) serving `mounts` (URL prefix -> folder). No COOP/COEP headers. */
export async function serve(mounts: Readonly<Record<string, string>> = DEFAULT_MOUNTS): Promise<StaticServer> {
  const scripts = new Map<string, string>();
  const misses: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const script = scripts.get(path);
    if (script !== undefined) return send(200, TYPES['.js']!, script);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const file = resolve(dir, path.slice(prefix.length));
      if ((file === dir || file.startsWith(dir + sep)) && existsSync(file) && statSync(file).isFile()) {
        return send(200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
      }
    }
    misses.push(`${req.method} ${path}: 404`);
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as { port: number };
  let n = 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    addScript(source) {
      const path = `/__run__/${++n}.js`;
      scripts.set(path, source);
      return path;
    },
    misses,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

// ---- the browser ---------------------------------------------------------------------------

/** The installed @sparticuz/chromium's version (its package.json is not exported: found above its entry). */
const chromiumVersion = ((): string => {
  for (let d = dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')); d !== dirname(d); d = dirname(d)) {
    const f = join(d, 'package.json');
    if (!existsSync(f)) continue;
    const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version: string };
    if (pkg.name === '@sparticuz/chromium') return pkg.version;
  }
  throw new Error('the package.json of @sparticuz/chromium was not found');
})();

/**
 * The Chromium binary, unpacked once per package version into $TMPDIR/wasmfx-chromium-VERSION.
 * (@sparticuz/chromium unpacks into $TMPDIR itself and reuses whatever is there; we unpack into
 * a private folder and rename it into place, so concurrent runs never see a partial binary.)
 */
export async function chromiumExecutable(): Promise<string> {
  const dir = join(tmpdir(), `wasmfx-chromium-${chromiumVersion}`);
  const exe = join(dir, 'chromium');
  if (existsSync(exe)) return exe;
  const work = mkdtempSync(join(tmpdir(), `wasmfx-chromium-${chromiumVersion}-`));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = work;
  try {
    const unpacked = await chromium.executablePath();
    if (unpacked !== join(work, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${work}`);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(work, dir);
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(exe)) throw e; // else another run put it there first
  }
  return exe;
}

/** @sparticuz/chromium's flags that would make pages less ordinary than a user's. */
const DROPPED_FLAGS = ['--enable-features=SharedArrayBuffer', '--disable-web-security', '--allow-running-insecure-content'];

export const LAUNCH_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Headless Chromium; throws (with the reason) when it cannot be unpacked or launched. */
export async function launchBrowser(): Promise<Browser> {
  let executablePath = '(not unpacked)';
  try {
    executablePath = await chromiumExecutable();
    const args = [...chromium.args.filter((a) => !DROPPED_FLAGS.includes(a)), ...LAUNCH_FLAGS];
    return await puppeteer.launch({ executablePath, args, headless: 'shell', timeout: 60_000 });
  } catch (e) {
    throw new Error(
      `headless Chromium (@sparticuz/chromium ${chromiumVersion}, ${executablePath}) did not launch: ${(e as Error).message ?? e}`,
      { cause: e },
    );
  }
}

// ---- pages ---------------------------------------------------------------------------------

export interface RunOptions {
  /** the page the script runs in (a path on the server); default /test/browser/index.html */
  page?: string;
  /** passed to the module's default export when it is a function (JSON-able) */
  arg?: unknown;
  /** default 60 s */
  timeoutMs?: number;
}

export interface BrowserHarness {
  readonly origin: string;
  readonly browser: Browser;
  readonly server: StaticServer;
  /** Evaluates an ES module in a fresh page; its default export (called with `arg` when a function, awaited) comes back as JSON. */
  run(script: string, options?: RunOptions): Promise<unknown>;
  close(): Promise<void>;
}

type PageOutcome = { ok: true; json: string } | { ok: false; name: string; message: string; stack: string };

/** Builds dist/ when stale, serves `mounts` (default: dist/, examples/, test/browser/) and launches Chromium. */
export async function openBrowser(options: { mounts?: Readonly<Record<string, string>> } = {}): Promise<BrowserHarness> {
  ensureDistBuilt();
  const server = await serve(options.mounts ?? DEFAULT_MOUNTS);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    origin: server.origin,
    browser,
    server,
    async run(script, { page: pagePath = '/test/browser/index.html', arg, timeoutMs = 60_000 } = {}) {
      const page = await browser.newPage();
      const log: string[] = [];
      page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => log.push(`page error: ${(e as Error).message ?? e}`));
      page.on('requestfailed', (r) => log.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
      page.on('response', (r) => {
        if (r.status() >= 400) log.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      let timer: NodeJS.Timeout | undefined;
      try {
        const response = await page.goto(server.origin + pagePath, { waitUntil: 'load', timeout: timeoutMs });
        if (response === null || !response.ok()) throw new Error(`${pagePath}: HTTP ${response?.status() ?? 'no response'}`);
        const url = server.origin + server.addScript(script);
        const evaluation = page.evaluate(async (url: string, argJson: string): Promise<PageOutcome> => {
          try {
            const m = await import(url);
            const v = typeof m.default === 'function' ? await m.default(JSON.parse(argJson)) : m.default;
            return { ok: true, json: JSON.stringify(v === undefined ? null : v) };
          } catch (e) {
            const err = e as Error;
            return { ok: false, name: String(err?.name), message: String(err?.message ?? e), stack: String(err?.stack ?? '') };
          }
        }, url, JSON.stringify(arg === undefined ? null : arg));
        const timeout = new Promise<never>((_, fail) => {
          timer = setTimeout(() => fail(new Error(`the page script did not finish within ${timeoutMs} ms`)), timeoutMs);
        });
        const outcome = await Promise.race([evaluation, timeout]);
        if (!outcome.ok) {
          throw new Error(`in the page: ${outcome.name}: ${outcome.message}\n${outcome.stack}`);
        }
        return JSON.parse(outcome.json) as unknown;
      } catch (e) {
        if (log.length > 0) (e as Error).message += `\n-- page log --\n${log.join('\n')}`;
        throw e;
      } finally {
        clearTimeout(timer);
        await page.close().catch(() => {});
      }
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}
