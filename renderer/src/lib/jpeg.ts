import type { JsonValue } from '../../../src/contract/json.js';
import { isObject } from './flatten.js';

export interface QuantTable {
  label: string;
  /** 64 values in natural (row-major) order as the analyzer reports them. */
  values: number[];
}

/** Every 64-number array in the data is a quantisation table; its path names it. */
export function findQuantTables(data: JsonValue): QuantTable[] {
  const out: QuantTable[] = [];
  const walk = (v: JsonValue, path: string[], depth: number): void => {
    if (depth > 6 || out.length >= 8) return;
    if (Array.isArray(v)) {
      if (v.length === 64 && v.every((x) => typeof x === 'number')) {
        out.push({ label: path.join(' › ') || 'table', values: v as number[] });
        return;
      }
      v.forEach((x, i) => walk(x, [...path, isObject(x) && typeof x['id'] === 'number' ? `table ${x['id']}` : String(i)], depth + 1));
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k], depth + 1);
    }
  };
  walk(data, [], 0);
  return out;
}
