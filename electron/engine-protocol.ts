import type { Api, ApiHost } from '../src/api.js';
import type { ApiEvent, ApiMethod, ApiResult } from '../src/contract/api.js';
import { assertNever } from '../src/util/errors.js';

/**
 * Messages between Electron main and the engine host (a utilityProcess), and both ends of the
 * conversation as plain classes over a minimal port, so they run under a Node MessageChannel in
 * tests exactly as they do over Electron's parentPort. The engine host never touches a window:
 * when a handler needs a dialog it asks main, which owns dialogs.
 */
export type DialogKind = 'evidence' | 'report-destination' | 'report-file';

export type ToEngine =
  | { t: 'call'; id: number; method: ApiMethod; args: unknown[] }
  | { t: 'dialog-result'; id: number; value: string[] | string | null }
  | { t: 'dispose' };

export type FromEngine =
  | { t: 'ready' }
  /** After `dispose`: every call has been answered (messages are ordered, so all results arrived). */
  | { t: 'drained' }
  | { t: 'result'; id: number; result: ApiResult<unknown> }
  | { t: 'event'; event: ApiEvent }
  | { t: 'dialog'; id: number; kind: DialogKind; defaultName?: string };

const TO_ENGINE: readonly string[] = ['call', 'dialog-result', 'dispose'];
const FROM_ENGINE: readonly string[] = ['ready', 'drained', 'result', 'event', 'dialog'];
// Messages cross a process boundary: anything without a known tag is dropped, never thrown on.
const tagged = (m: unknown, tags: readonly string[]): boolean =>
  typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string' && tags.includes((m as { t: string }).t);

/** The smallest port both parentPort (engine side) and UtilityProcess (main side) can be adapted to. */
export interface Port<In, Out> {
  post(message: Out): void;
  onMessage(listener: (message: In) => void): void;
}

/**
 * Engine side: answer calls with the real handler table; dialogs and events go to main.
 * On `dispose` running jobs are cancelled (they record their cancellation in the case), and
 * `drained` is posted once no call is left in flight, after the last result.
 */
export function serveEngine(port: Port<ToEngine, FromEngine>, makeApi: (host: ApiHost) => Api): Api {
  // A closed port (main gone) must never turn into an unhandled exception in the host.
  const post = (m: FromEngine): void => {
    try {
      port.post(m);
    } catch {
      // nobody is listening any more
    }
  };
  let next = 1;
  let inFlight = 0;
  let disposed = false;
  let drained = false;
  const checkDrained = (): void => {
    if (disposed && inFlight === 0 && !drained) {
      drained = true;
      post({ t: 'drained' });
    }
  };
  const waiting = new Map<number, (v: string[] | string | null) => void>();
  const ask = (kind: DialogKind, defaultName?: string): Promise<string[] | string | null> =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      post({ t: 'dialog', id, kind, ...(defaultName !== undefined ? { defaultName } : {}) });
    });
  const host: ApiHost = {
    pickEvidenceFiles: async () => {
      const v = await ask('evidence');
      return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
    },
    pickReportDestination: async (name) => {
      const v = await ask('report-destination', name);
      return typeof v === 'string' ? v : null;
    },
    pickReportFile: async () => {
      const v = await ask('report-file');
      return typeof v === 'string' ? v : null;
    },
    emit: (event) => post({ t: 'event', event }),
  };
  const api = makeApi(host);
  port.onMessage((m) => {
    if (!tagged(m, TO_ENGINE)) return;
    switch (m.t) {
      case 'call':
        if (disposed) {
          post({
            t: 'result',
            id: m.id,
            result: { ok: false, error: { code: 'engine-stopped', message: 'the analysis engine is shutting down' } },
          });
          break;
        }
        inFlight++;
        // api.call validates again and never throws; the .catch is for the impossible.
        void api
          .call(m.method, m.args)
          .catch((err: unknown) => ({ ok: false as const, error: { code: 'internal', message: String(err) } }))
          .then((result) => {
            inFlight--;
            post({ t: 'result', id: m.id, result });
            checkDrained();
          });
        break;
      case 'dialog-result': {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        w?.(m.value);
        break;
      }
      case 'dispose':
        disposed = true;
        api.dispose();
        // Dialogs still open cannot be answered any more: treat them as cancelled.
        for (const [id, w] of waiting) {
          waiting.delete(id);
          w(null);
        }
        checkDrained();
        break;
      default:
        assertNever(m, 'message to the engine');
    }
  });
  post({ t: 'ready' });
  return api;
}

/** A running engine host as main sees it. */
export interface EngineChild extends Port<FromEngine, ToEngine> {
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface EngineClientOptions {
  /** Start a new engine host (utilityProcess.fork in main). */
  spawn(): EngineChild;
  /** Main's native dialogs: paths chosen, or []/null when cancelled. */
  dialog(kind: DialogKind, defaultName?: string): Promise<string[] | string | null>;
  /** Events for the UI (progress, case changes). */
  emit(event: ApiEvent): void;
}

/**
 * Main side: forwards calls to the engine host and routes its dialog requests and events. If the
 * host dies (a native crash in a decoder, out of memory), pending calls fail with `engine-stopped`
 * and the next call starts a fresh host: the window never hangs on a dead engine.
 */
export class EngineClient {
  private child: EngineChild | undefined;
  private next = 1;
  private readonly pending = new Map<number, (r: ApiResult<unknown>) => void>();
  private readonly drainWaiters = new Set<() => void>();

  constructor(private readonly opts: EngineClientOptions) {}

  call(method: ApiMethod, args: readonly unknown[]): Promise<ApiResult<unknown>> {
    const child = this.ensure();
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      try {
        child.post({ t: 'call', id, method, args: [...args] });
      } catch (err) {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: {
            code: 'engine-stopped',
            message: `could not reach the analysis engine: ${err instanceof Error ? err.message : String(err)}`,
          },
        });
      }
    });
  }

  /** True while a host process is running. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /**
   * Cancel running jobs and let the host finish writing (custody entries, case state) and answer
   * every call, then stop it; after `timeoutMs` it is stopped regardless.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    const c = this.child;
    if (!c) return;
    let exited = false;
    const done = new Promise<void>((resolve) => {
      this.drainWaiters.add(resolve);
      c.onExit(() => {
        exited = true;
        resolve();
      });
    });
    try {
      c.post({ t: 'dispose' });
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([done, timeout]);
    clearTimeout(timer);
    this.drainWaiters.clear();
    if (this.child === c) this.child = undefined;
    if (!exited) c.kill();
  }

  /** Stop the host at once (no graceful wait). */
  dispose(): void {
    const c = this.child;
    this.child = undefined;
    if (!c) return;
    try {
      c.post({ t: 'dispose' });
    } finally {
      c.kill();
    }
  }

  private ensure(): EngineChild {
    if (this.child) return this.child;
    const child = this.opts.spawn();
    this.child = child;
    child.onMessage((m) => this.onMessage(child, m));
    child.onExit((code) => {
      if (this.child === child) this.child = undefined;
      const failed = [...this.pending.values()];
      this.pending.clear();
      for (const resolve of failed)
        resolve({
          ok: false,
          error: {
            code: 'engine-stopped',
            message: `The analysis engine stopped unexpectedly (exit code ${code}); nothing was lost from the case. Try again.`,
          },
        });
    });
    return child;
  }

  private onMessage(child: EngineChild, m: FromEngine): void {
    if (!tagged(m, FROM_ENGINE)) return;
    switch (m.t) {
      case 'ready':
        break;
      case 'drained':
        for (const w of this.drainWaiters) w();
        break;
      case 'result': {
        const resolve = this.pending.get(m.id);
        this.pending.delete(m.id);
        resolve?.(m.result);
        break;
      }
      case 'event':
        this.opts.emit(m.event);
        break;
      case 'dialog':
        void this.opts
          .dialog(m.kind, m.defaultName)
          .catch(() => (m.kind === 'evidence' ? [] : null))
          .then((value) => {
            try {
              child.post({ t: 'dialog-result', id: m.id, value });
            } catch {
              // the host died while the dialog was open; its pending calls already failed
            }
          });
        break;
      default:
        assertNever(m, 'message from the engine');
    }
  }
}
