import type { JsonObject, JsonValue } from '../../contract/json.js';

/** Caps that keep one hostile or bloated tag from blowing up a result (ComfyUI workflows, XMP blobs). */
export interface JsonSafeLimits {
  maxString: number;
  maxArray: number;
  maxBytesHex: number;
  maxDepth: number;
  maxKeys: number;
}

export const DEFAULT_JSON_LIMITS: JsonSafeLimits = { maxString: 4096, maxArray: 64, maxBytesHex: 32, maxDepth: 12, maxKeys: 512 };

function hexHead(bytes: Uint8Array, max: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, max)).toString('hex');
}

/**
 * Convert exifr output to JSON: Dates become ISO strings (invalid ones say so), binary becomes a
 * short hex head plus its length, long strings and arrays are cut with a note saying how much was
 * cut. Nothing is dropped silently: every cut leaves a marker in the value itself.
 */
export function toJsonSafe(value: unknown, limits: JsonSafeLimits = DEFAULT_JSON_LIMITS, depth = 0): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string': {
      // NULs (padding in EXIF ASCII fields) would make the value awkward everywhere downstream.
      const s = value.replace(/\u0000+$/u, '');
      return s.length > limits.maxString ? `${s.slice(0, limits.maxString)}… [truncated, ${s.length} characters in total]` : s;
    }
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
    case 'function':
      return `[${typeof value}]`;
    case 'object':
      break;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '[invalid date]' : value.toISOString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    const isNumericList = !(value instanceof Uint8Array) && (value as unknown as ArrayLike<number>).length <= limits.maxArray;
    if (isNumericList) return Array.from(value as unknown as ArrayLike<number>, (n) => (typeof n === 'number' && Number.isFinite(n) ? n : String(n)));
    return { bytes: bytes.length, hexHead: hexHead(bytes, limits.maxBytesHex) };
  }
  if (value instanceof ArrayBuffer || value instanceof DataView) {
    const bytes = value instanceof DataView ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value);
    return { bytes: bytes.length, hexHead: hexHead(bytes, limits.maxBytesHex) };
  }
  if (depth >= limits.maxDepth) return '[nested too deep; cut]';
  if (Array.isArray(value)) {
    const out = value.slice(0, limits.maxArray).map((v) => toJsonSafe(v, limits, depth + 1));
    if (value.length > limits.maxArray) out.push(`[${value.length - limits.maxArray} more items cut; ${value.length} in total]`);
    return out;
  }
  if (value instanceof Map) return toJsonSafe(Object.fromEntries(value), limits, depth);
  if (value instanceof Error) return `[error] ${value.message}`;
  const out: JsonObject = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries.slice(0, limits.maxKeys)) {
    if (v === undefined) continue;
    out[k] = toJsonSafe(v, limits, depth + 1);
  }
  if (entries.length > limits.maxKeys) out['…'] = `${entries.length - limits.maxKeys} more keys cut; ${entries.length} in total`;
  return out;
}
