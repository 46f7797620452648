import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';

/** What one read of a manifest store gives back across the worker boundary (plain data only). */
export type RawRead =
  | { ok: true; json: string; blockedFetches: string[] }
  | { ok: false; error: string; blockedFetches: string[]; trapped?: boolean };

let initialised = false;

/** Load the c2pa-rs WebAssembly build from node_modules (a local file: never fetched). */
export function initC2paWasm(): void {
  if (initialised) return;
  const wasmPath = createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm');
  initSync({ module: readFileSync(wasmPath) });
  initialised = true;
}

const blocked: string[] = [];

function describeRequest(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input && typeof input === 'object' && 'url' in input && typeof (input as { url: unknown }).url === 'string') return (input as { url: string }).url;
  return String(input);
}

/**
 * Replace `fetch` so nothing the library tries (remote manifests, CAWG did:web resolution, OCSP)
 * can reach the network; attempts are recorded and reported. Verilens is offline by design.
 */
export function blockNetwork(): () => void {
  const g = globalThis as { fetch: unknown };
  const original = g.fetch;
  g.fetch = (input: unknown): Promise<never> => {
    if (blocked.length < 20) blocked.push(describeRequest(input).slice(0, 300));
    return Promise.reject(new Error('network access is disabled in Verilens (offline)'));
  };
  return () => {
    g.fetch = original;
  };
}

/** Read and validate the manifest store of one asset. Never throws: errors come back as text. */
export async function readManifestStore(mime: string, bytes: Uint8Array, settingsJson: string): Promise<RawRead> {
  blocked.length = 0;
  let reader: WasmReader | undefined;
  try {
    initC2paWasm();
    reader = await WasmReader.fromBytes(mime, bytes, settingsJson);
    return { ok: true, json: reader.json(), blockedFetches: [...blocked] };
  } catch (err) {
    // A wasm trap (Rust panic, out-of-bounds) can leave the instance unusable: the worker is then replaced.
    const trapped = err instanceof Error && err.name === 'RuntimeError';
    return { ok: false, error: err instanceof Error ? err.message : String(err), blockedFetches: [...blocked], ...(trapped ? { trapped } : {}) };
  } finally {
    try {
      reader?.free();
    } catch {
      /* a trapped instance is discarded by the caller anyway */
    }
  }
}
