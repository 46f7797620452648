/**
 * Declarative analyzer parameters. Each analyzer's contract file lists its parameters once
 * (type, range, default, one line of help, optional CLI flag); from that table come the CLI flags
 * and their help lines, the one validator the runner and the IPC boundary use, and the typed
 * parameters an analyzer receives. No node:* imports (the renderer reads this file).
 */

interface ParamBase {
  /** One line for `--help`, the UI and the docs. */
  help: string;
  /** CLI flag (without `--`) that sets this parameter on `analyze` and `case analyze`; none when absent. */
  flag?: string;
  /** Placeholder for the flag's value in help text (default N, or true|false). */
  metavar?: string;
}

export interface IntegerParam extends ParamBase {
  type: 'integer';
  min: number;
  max: number;
  default: number;
  /** Values must be a multiple of this (0 included, so `min: 0, multipleOf: 8` allows 0, 8, 16...). */
  multipleOf?: number;
  /** What the value 0 means when it is special (e.g. "off", "automatic"). */
  zero?: string;
}

export interface NumberParam extends ParamBase {
  type: 'number';
  min: number;
  max: number;
  default: number;
  zero?: string;
}

export interface BooleanParam extends ParamBase {
  type: 'boolean';
  default: boolean;
}

export interface IntegerListParam extends ParamBase {
  type: 'integer-list';
  min: number;
  max: number;
  maxItems: number;
  default: readonly number[];
}

export type ParamSpec = IntegerParam | NumberParam | BooleanParam | IntegerListParam;
export type ParamTable = Readonly<Record<string, ParamSpec>>;

export type ParamValue<S extends ParamSpec> = S extends BooleanParam ? boolean : S extends IntegerListParam ? number[] : number;
/** The validated parameters an analyzer receives: every key present, with its type. */
export type ParamsOf<T extends ParamTable> = { -readonly [K in keyof T]: ParamValue<T[K]> };
/** Parameters as a caller gives them (CLI flags, IPC, case re-runs): any subset. */
export type ParamInput = Readonly<Record<string, unknown>>;

export type ParamCheck<T> = { ok: true; value: T } | { ok: false; message: string };

/** "an integer from 1 to 100", "a number from 0.05 to 30", "true or false"... */
export function describeParam(spec: ParamSpec): string {
  switch (spec.type) {
    case 'integer':
      return spec.multipleOf
        ? `a multiple of ${spec.multipleOf} from ${spec.min} to ${spec.max}${spec.zero ? ` (0 = ${spec.zero})` : ''}`
        : `an integer from ${spec.min} to ${spec.max}${spec.zero ? ` (0 = ${spec.zero})` : ''}`;
    case 'number':
      return `a number from ${spec.min} to ${spec.max}${spec.zero ? ` (0 = ${spec.zero})` : ''}`;
    case 'boolean':
      return 'true or false';
    case 'integer-list':
      return `a list of at most ${spec.maxItems} integers from ${spec.min} to ${spec.max}`;
  }
}

/** The default as it reads in help text. */
export function defaultText(spec: ParamSpec): string {
  return spec.type === 'integer-list' ? spec.default.join(',') : String(spec.default);
}

function checkNumber(spec: IntegerParam | NumberParam, v: unknown): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < spec.min || v > spec.max) return false;
  if (spec.type === 'integer' && !Number.isInteger(v)) return false;
  if (spec.type === 'integer' && spec.multipleOf && v % spec.multipleOf !== 0) return false;
  return true;
}

/** Check one value against its spec; lists are deduplicated and sorted. */
export function checkParam(spec: ParamSpec, v: unknown): ParamCheck<number | boolean | number[]> {
  const bad = (): ParamCheck<never> => ({ ok: false, message: `must be ${describeParam(spec)}, got ${shown(v)}` });
  switch (spec.type) {
    case 'integer':
    case 'number':
      return checkNumber(spec, v) ? { ok: true, value: v as number } : bad();
    case 'boolean':
      return typeof v === 'boolean' ? { ok: true, value: v } : bad();
    case 'integer-list': {
      if (!Array.isArray(v) || v.length > spec.maxItems) return bad();
      const item: IntegerParam = { type: 'integer', min: spec.min, max: spec.max, default: spec.min, help: '' };
      if (!v.every((x) => checkNumber(item, x))) return bad();
      return { ok: true, value: [...new Set(v as number[])].sort((a, b) => a - b) };
    }
  }
}

function shown(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  try {
    const t = JSON.stringify(v);
    return t === undefined ? String(v) : t.length > 60 ? `${t.slice(0, 60)}…` : t;
  } catch {
    return String(v);
  }
}

/**
 * The one parameter validator: defaults merged under the caller's values, unknown names refused,
 * every value checked against its spec. Messages name the analyzer and the parameter.
 */
export function validateParams<T extends ParamTable>(analyzer: string, table: T, input: ParamInput | undefined): ParamCheck<ParamsOf<T>> {
  const out: Record<string, number | boolean | number[]> = {};
  const given = input ?? {};
  for (const k of Object.keys(given)) {
    if (!Object.hasOwn(table, k)) {
      const known = Object.keys(table);
      return { ok: false, message: `${analyzer}: unknown parameter '${k}' (${known.length ? `known: ${known.join(', ')}` : 'it takes no parameters'})` };
    }
  }
  for (const [k, spec] of Object.entries(table)) {
    const v = Object.hasOwn(given, k) && given[k] !== undefined ? given[k] : spec.type === 'integer-list' ? [...spec.default] : spec.default;
    const r = checkParam(spec, v);
    if (!r.ok) return { ok: false, message: `${analyzer}: parameter ${k} ${r.message}` };
    out[k] = r.value;
  }
  return { ok: true, value: out as ParamsOf<T> };
}

/**
 * Parse a CLI flag's text into a parameter value (`--ela-quality 90`, `--fps 0.5`,
 * `--sweep 70,80,90`, `--no-thumbnail false`). Messages name the flag.
 */
export function parseFlagValue(flag: string, spec: ParamSpec, raw: string): ParamCheck<number | boolean | number[]> {
  const t = raw.trim();
  const wrong = (what: string): ParamCheck<never> => ({ ok: false, message: `--${flag} must be ${what}, got '${raw}'` });
  let v: unknown;
  switch (spec.type) {
    case 'integer':
      if (!/^-?\d+$/.test(t)) return wrong(`a whole number (${describeParam(spec)})`);
      v = Number(t);
      break;
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(t)) return wrong(`a number such as 2 or 0.5 (${describeParam(spec)})`);
      v = Number(t);
      break;
    case 'boolean':
      if (t !== 'true' && t !== 'false') return wrong('true or false');
      v = t === 'true';
      break;
    case 'integer-list':
      if (!/^\d+(,\d+)*$/.test(t)) return wrong(`comma-separated whole numbers (${describeParam(spec)})`);
      v = t.split(',').map(Number);
      break;
  }
  const r = checkParam(spec, v);
  return r.ok ? r : wrong(describeParam(spec));
}

/** Every parameter at its default. */
export function defaultParams<T extends ParamTable>(table: T): ParamsOf<T> {
  const out: Record<string, number | boolean | number[]> = {};
  for (const [k, spec] of Object.entries(table)) out[k] = spec.type === 'integer-list' ? [...spec.default] : spec.default;
  return out as ParamsOf<T>;
}
