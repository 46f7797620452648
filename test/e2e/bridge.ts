import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createApi, type Api, type ApiOptions } from '../../src/api.js';
import { API_METHODS, type ApiEvent } from '../../src/contract/api.js';

/**
 * The browser test bridge: `window.verilens` in Chromium forwards every call through
 * Playwright's exposeBinding to the real handler table (src/api.ts) in this Node process.
 * A transport swap, not a mock: the same validation and handlers Electron main uses.
 * The "dialogs" return whatever the test queued, as main's file dialogs would.
 */
export interface TestBridge {
  api: Api;
  events: ApiEvent[];
  /** Files the next evidence dialog "chooses". */
  queueEvidence(paths: string[]): void;
  /** Report destinations / files the next save/open dialog "chooses". */
  queueReportDestination(path: string | null): void;
  queueReportFile(path: string | null): void;
  attach(context: BrowserContext): Promise<void>;
  setPage(page: Page): void;
}

/** Init script run in the page before any of its scripts: defines window.verilens over the binding. */
function initScript(methods: readonly string[]): void {
  type Listener = (e: unknown) => void;
  const listeners = new Set<Listener>();
  // globalThis is the page's window here (this function runs in Chromium, not in Node).
  const w = globalThis as unknown as Record<string, unknown> & { __verilensCall(method: string, args: unknown[]): Promise<unknown> };
  const api: Record<string, unknown> = {};
  for (const m of methods) {
    api[m] = (...args: unknown[]) => w.__verilensCall(m, args);
  }
  // The page hands dropped File objects; Electron's preload maps them to paths, the test bridge to names.
  api['addEvidenceDropped'] = (caseId: string, files: { name: string }[]) =>
    w.__verilensCall('addEvidenceDropped', [caseId, files.map((f) => f.name)]);
  api['onEvent'] = (l: Listener) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  w['__verilensEmit'] = (e: unknown) => listeners.forEach((l) => l(e));
  w['verilens'] = Object.freeze(api);
}

export function createTestBridge(opts: ApiOptions & { dropRoots: string[] }): TestBridge {
  const evidenceQueue: string[][] = [];
  const destQueue: (string | null)[] = [];
  const fileQueue: (string | null)[] = [];
  const events: ApiEvent[] = [];
  let page: Page | undefined;
  // A dropped file's name, found in the first allowed folder that has it (names only, no separators).
  const dropped = (name: string): string => {
    const safe = name.replace(/[\\/]/g, '_');
    return opts.dropRoots.map((r) => join(r, safe)).find((p) => existsSync(p)) ?? join(opts.dropRoots[0] ?? '.', safe);
  };
  const api = createApi(
    {
      pickEvidenceFiles: async () => evidenceQueue.shift() ?? [],
      pickReportDestination: async () => destQueue.shift() ?? null,
      pickReportFile: async () => fileQueue.shift() ?? null,
      emit: (e) => {
        events.push(e);
        void page
          ?.evaluate((ev) => (globalThis as unknown as { __verilensEmit?: (x: unknown) => void }).__verilensEmit?.(ev), e)
          .catch(() => undefined);
      },
    },
    opts,
  );
  return {
    api,
    events,
    queueEvidence: (p) => evidenceQueue.push(p),
    queueReportDestination: (p) => destQueue.push(p),
    queueReportFile: (p) => fileQueue.push(p),
    setPage: (p) => {
      page = p;
    },
    async attach(context) {
      await context.exposeBinding('__verilensCall', async (_source, method: unknown, args: unknown) => {
        // Dropped files arrive as names; resolve them inside the allowed fixture folder only.
        if (method === 'addEvidenceDropped' && Array.isArray(args) && Array.isArray(args[1])) {
          args = [args[0], (args[1] as unknown[]).map((n) => dropped(String(n)))];
        }
        return api.call(method, args);
      });
      await context.addInitScript(initScript, API_METHODS);
    },
  };
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** A static server for the Vite build on 127.0.0.1 (an ephemeral port); nothing outside `root` is served. */
export async function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = decodeURIComponent(u.pathname === '/' ? '/index.html' : u.pathname);
    const file = normalize(join(base, rel));
    if (!file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (data) =>
        res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(data),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}
