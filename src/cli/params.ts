import { CONTRACT_LIST, type AnalyzerId } from '../contract/analyzers/index.js';
import { defaultText, parseFlagValue, type ParamInput, type ParamSpec } from '../contract/params.js';
import { UsageError } from './io.js';

/** An analyzer parameter that has a CLI flag, as declared in its analyzer's contract. */
export interface ParamFlag {
  flag: string;
  analyzer: AnalyzerId;
  param: string;
  spec: ParamSpec;
}

/** Every analyzer flag, generated from the contracts' parameter tables (src/contract/analyzers). */
export const PARAM_FLAGS: readonly ParamFlag[] = CONTRACT_LIST.flatMap((c) =>
  Object.entries(c.params).flatMap(([param, spec]) => (spec.flag ? [{ flag: spec.flag, analyzer: c.id, param, spec }] : [])),
);

/** parseArgs options for every analyzer flag. */
export function paramFlagOptions(): Record<string, { type: 'string' }> {
  return Object.fromEntries(PARAM_FLAGS.map((f) => [f.flag, { type: 'string' as const }]));
}

const METAVAR: Record<ParamSpec['type'], string> = { integer: 'N', number: 'N', boolean: 'true|false', 'integer-list': 'N,N' };

/** Help lines for the analyzer flags, in the same layout as the other options. */
export function paramFlagHelp(indent = '  ', width = 21): string[] {
  return PARAM_FLAGS.map((f) => {
    const left = `--${f.flag} ${f.spec.metavar ?? METAVAR[f.spec.type]}`;
    const s = f.spec;
    const range = s.type === 'boolean' ? 'true or false' : `${s.type === 'integer-list' ? 'list of ' : ''}${s.min}-${s.max}`;
    const def = defaultText(s);
    const zero = 'zero' in s && s.zero && def === '0' ? ` = ${s.zero}` : '';
    return `${indent}${left.padEnd(width)}${s.help} (${f.analyzer}; ${range}, default ${def}${zero})`;
  });
}

/** The analyzer flags given on the command line as per-analyzer parameters; bad values are usage errors. */
export function paramsFromFlags(values: Record<string, unknown>): Partial<Record<AnalyzerId, ParamInput>> {
  const params: Partial<Record<AnalyzerId, Record<string, unknown>>> = {};
  for (const f of PARAM_FLAGS) {
    const raw = values[f.flag];
    if (typeof raw !== 'string') continue;
    const r = parseFlagValue(f.flag, f.spec, raw);
    if (!r.ok) throw new UsageError(r.message);
    (params[f.analyzer] ??= {})[f.param] = r.value;
  }
  return params;
}
