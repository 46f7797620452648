import type { JsonValue } from '../../../src/contract/json.js';
import { isObject } from './flatten.js';

export interface QuantTable {
  label: string;
  /** 64 values in natural (row-major) order. */
  values: number[];
}

/** 64 numbers, flat or as 8 rows of 8. */
function asTable(v: JsonValue): number[] | null {
  if (!Array.isArray(v)) return null;
  if (v.length === 64 && v.every((x) => typeof x === 'number')) return v as number[];
  if (v.length === 8 && v.every((r) => Array.isArray(r) && r.length === 8 && r.every((x) => typeof x === 'number')))
    return (v as number[][]).flat();
  return null;
}

/** Every quantisation table in the data; an object holding one names it (role, id, quality). */
export function findQuantTables(data: JsonValue): QuantTable[] {
  const out: QuantTable[] = [];
  const walk = (v: JsonValue, path: string[], depth: number): void => {
    if (depth > 6 || out.length >= 8) return;
    const t = asTable(v);
    if (t) {
      out.push({ label: path.join(' › ') || 'table', values: t });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, String(i)], depth + 1));
    } else if (isObject(v)) {
      const own = Object.values(v)
        .map(asTable)
        .find((x) => x);
      if (own) {
        const bits = [
          typeof v['role'] === 'string' ? v['role'] : 'table',
          typeof v['id'] === 'number' ? `#${v['id']}` : '',
          typeof v['quality'] === 'number' ? `≈ quality ${v['quality']}` : '',
        ];
        out.push({ label: bits.filter(Boolean).join(' '), values: own });
        return;
      }
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k], depth + 1);
    }
  };
  walk(data, [], 0);
  return out;
}
