import type { JsonObject, JsonValue } from '../../../src/contract/json.js';

export interface Row {
  /** Dotted path below the root, e.g. `exif.Make`. */
  path: string;
  group: string;
  key: string;
  value: JsonValue;
}

const MAX_ROWS = 5000;

/**
 * Flatten JSON into rows: objects nest into dotted keys, arrays of scalars stay one value, arrays
 * of objects get an index. The first level names the group.
 */
export function flatten(data: JsonValue, maxDepth = 6): Row[] {
  const rows: Row[] = [];
  const walk = (v: JsonValue, path: string[], depth: number): void => {
    if (rows.length >= MAX_ROWS) return;
    const isScalarArray = Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object');
    if (v === null || typeof v !== 'object' || isScalarArray || depth >= maxDepth) {
      const group = path.length > 1 ? path[0]! : 'general';
      rows.push({ path: path.join('.'), group, key: path.length > 1 ? path.slice(1).join('.') : (path[0] ?? ''), value: v });
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)], depth + 1));
    else for (const [k, x] of entriesOf(v)) walk(x, [...path, k], depth + 1);
  };
  walk(data, [], 0);
  return rows;
}

export function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object's members without the absent (undefined) ones, which JSON leaves out too. */
export function entriesOf(o: JsonObject): [string, JsonValue][] {
  return Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as [string, JsonValue]]));
}
