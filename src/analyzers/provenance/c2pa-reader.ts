import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { blockNetwork, readManifestStore, type RawRead } from './c2pa-wasm-core.js';

export type Isolation = 'worker' | 'in-process';

export type C2paRead = RawRead & {
  isolation: Isolation;
  /** Set when the read did not finish: the worker was stopped (timeout, cancel) or died. */
  stopped?: 'timeout' | 'cancelled' | 'crashed';
  /** Why the worker could not be used, when the read ran in-process instead. */
  isolationNote?: string;
};

export interface C2paReadOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

// The worker is a sibling module: .ts under tsx (tests), .js from dist/.
const here = fileURLToPath(import.meta.url);
const WORKER_FILE = join(dirname(here), `c2pa-worker${extname(here)}`);
/** JS heap cap for the worker; the wasm linear memory is bounded by the input size cap instead. */
const WORKER_HEAP_MB = 256;
/** WebAssembly memory never shrinks: after a read this large the worker is replaced to give the memory back. */
const RECYCLE_AFTER_BYTES = 32 * 1024 * 1024;

/**
 * Under tsx (tests, dev) the worker is TypeScript: Node 20 does not pass `--import` loaders to
 * workers, so a tiny bootstrap registers tsx in the worker first. From dist/ it is plain JS.
 */
function workerFor(data: { settingsJson: string }): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
  if (extname(WORKER_FILE) !== '.ts') return new Worker(WORKER_FILE, { workerData: data, resourceLimits });
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(WORKER_FILE).href)}); });`;
  return new Worker(boot, { eval: true, workerData: data, resourceLimits });
}

interface WorkerReply {
  id?: number;
  ready?: boolean;
}

/**
 * Runs c2pa-rs in one long-lived worker thread, one read at a time. A read that overruns its
 * timeout or is cancelled terminates the worker (V8 stops running wasm too); the next read starts
 * a fresh one. If a worker cannot start at all (some packaged layouts), reads run in-process.
 */
export class C2paHost {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private pending = new Map<number, (r: C2paRead) => void>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private inProcessNote: string | undefined;

  constructor(private readonly settingsJson: string) {}

  read(mime: string, bytes: Uint8Array, opts: C2paReadOptions): Promise<C2paRead> {
    const run = this.queue.then(() => this.readNow(mime, bytes, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stop the worker (tests, shutdown). */
  async close(): Promise<void> {
    const w = this.worker;
    this.drop(w, 'cancelled', 'the C2PA reader was closed');
    if (w) await w.terminate();
  }

  private start(): Promise<Worker> {
    if (this.starting) return this.starting;
    const p = new Promise<Worker>((resolve, reject) => {
      let w: Worker;
      try {
        w = workerFor({ settingsJson: this.settingsJson });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      let ready = false;
      this.worker = w;
      w.on('message', (m: WorkerReply & RawRead) => {
        if (m.ready) {
          ready = true;
          w.unref();
          resolve(w);
          return;
        }
        const done = m.id !== undefined ? this.pending.get(m.id) : undefined;
        if (m.id !== undefined && done) {
          this.pending.delete(m.id);
          const { id: _id, ready: _ready, ...raw } = m;
          if (!raw.ok && raw.trapped) this.drop(w, 'crashed', 'the C2PA reader trapped'); // the worker exits by itself
          done({ ...(raw as RawRead), isolation: 'worker' });
        }
      });
      w.on('error', (err) => {
        if (!ready) reject(err);
        this.drop(w, 'crashed', `the C2PA reader crashed: ${err.message}`);
      });
      w.on('exit', (code) => {
        if (!ready) reject(new Error(`the C2PA worker exited during start-up (code ${code})`));
        this.drop(w, 'crashed', `the C2PA reader stopped unexpectedly (exit code ${code})`);
      });
    });
    this.starting = p;
    p.catch(() => {
      if (this.starting === p) this.starting = undefined;
    });
    return p;
  }

  private drop(w: Worker | undefined, why: 'timeout' | 'cancelled' | 'crashed', message: string): void {
    if (!w || this.worker !== w) return;
    this.worker = undefined;
    this.starting = undefined;
    for (const done of this.pending.values()) done({ ok: false, error: message, blockedFetches: [], isolation: 'worker', stopped: why });
    this.pending.clear();
  }

  private async readInProcess(mime: string, bytes: Uint8Array): Promise<C2paRead> {
    const restore = blockNetwork();
    try {
      const r = await readManifestStore(mime, bytes, this.settingsJson);
      return { ...r, isolation: 'in-process', ...(this.inProcessNote ? { isolationNote: this.inProcessNote } : {}) };
    } finally {
      restore();
    }
  }

  private async readNow(mime: string, bytes: Uint8Array, opts: C2paReadOptions): Promise<C2paRead> {
    if (opts.signal?.aborted) return { ok: false, error: 'analysis was cancelled', blockedFetches: [], isolation: 'worker', stopped: 'cancelled' };
    if (this.inProcessNote) return this.readInProcess(mime, bytes);
    let w: Worker;
    try {
      w = await this.start();
    } catch (err) {
      this.inProcessNote = `worker thread unavailable (${(err as Error).message}); C2PA ran in-process without a hard stop`;
      return this.readInProcess(mime, bytes);
    }
    const id = this.nextId++;
    const copy = new Uint8Array(bytes); // the evidence buffer is never handed over or detached
    return new Promise<C2paRead>((resolve) => {
      const finish = (r: C2paRead): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        w.unref();
        if (bytes.byteLength > RECYCLE_AFTER_BYTES && this.worker === w) {
          this.worker = undefined;
          this.starting = undefined;
          void w.terminate();
        }
        resolve(r);
      };
      const stop = (why: 'timeout' | 'cancelled', message: string): void => {
        this.drop(w, why, message);
        void w.terminate();
      };
      const onAbort = (): void => stop('cancelled', 'analysis was cancelled');
      const timer = setTimeout(() => stop('timeout', `the C2PA reader did not finish within ${opts.timeoutMs} ms and was stopped`), opts.timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, finish);
      w.ref();
      w.postMessage({ id, mime, bytes: copy }, [copy.buffer]);
    });
  }
}

const hosts = new Map<string, C2paHost>();

/** One shared host per settings text (in practice one per process). */
export function c2paHost(settingsJson: string): C2paHost {
  let h = hosts.get(settingsJson);
  if (!h) {
    h = new C2paHost(settingsJson);
    hosts.set(settingsJson, h);
  }
  return h;
}
