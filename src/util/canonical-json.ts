import { VerilensError } from '../util/errors.js';

/**
 * Canonical JSON in the style of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * insignificant whitespace, numbers in ECMAScript shortest form, strings escaped as JSON.stringify
 * does. Properties whose value is `undefined` are dropped (as JSON.stringify drops them); anything
 * that is not JSON (NaN, Infinity, functions, class instances) is refused so that what is hashed or
 * signed is exactly what a reader parses back.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0, '$');
}

function encode(v: unknown, depth: number, path: string): string {
  if (depth > 200) throw new VerilensError('not-json', `${path}: nested too deeply`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new VerilensError('not-json', `${path}: ${v} is not a JSON number`);
      // -0 serialises as 0 in JCS; JSON.stringify already does that.
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x, i) => (x === undefined ? 'null' : encode(x, depth + 1, `${path}[${i}]`))).join(',')}]`;
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new VerilensError('not-json', `${path}: not a plain object`);
      const rec = v as Record<string, unknown>;
      const keys = Object.keys(rec)
        .filter((k) => rec[k] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(rec[k], depth + 1, `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new VerilensError('not-json', `${path}: a ${typeof v} is not JSON`);
  }
}
