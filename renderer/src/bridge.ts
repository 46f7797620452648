import type { ApiEvent, ApiMethod, ApiResult, ApiValue, VerilensBridge } from '../../src/contract/api.js';

declare global {
  interface Window {
    verilens?: VerilensBridge;
  }
}

/** An API error surfaced to the UI with its stable code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function bridge(): VerilensBridge {
  const b = window.verilens;
  if (!b) throw new ApiError('no-bridge', 'The Verilens engine is not connected (window.verilens is missing).');
  return b;
}

export function hasBridge(): boolean {
  return Boolean(window.verilens);
}

/** Call one API method and unwrap `{ok, value}`; failures become ApiError. */
export async function api<M extends ApiMethod>(method: M, ...args: Parameters<VerilensBridge[M]>): Promise<ApiValue<M>> {
  const fn = bridge()[method] as (...a: unknown[]) => Promise<ApiResult<ApiValue<M>>>;
  const r = await fn(...args);
  if (!r || typeof r !== 'object') throw new ApiError('bad-response', `${method}: the engine returned nothing`);
  if (!r.ok) throw new ApiError(r.error.code, r.error.message);
  return r.value;
}

export function onApiEvent(listener: (e: ApiEvent) => void): () => void {
  const b = window.verilens;
  return b ? b.onEvent(listener) : () => undefined;
}

let jobCounter = 0;
export function newJobId(prefix: string): string {
  jobCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${jobCounter}`;
}
