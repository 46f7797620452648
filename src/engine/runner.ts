import { contractOf, validateParamsFor, type AnalyzerId, type AnalyzerResults, type AnyAnalyzerResult, type ResultOf } from '../contract/analyzers/index.js';
import type { JsonObject, JsonValue } from '../contract/json.js';
import type { ParamInput } from '../contract/params.js';
import type { AnalyzerNotRun, FileResult, RunProvenance } from '../contract/results.js';
import { openEvidence, type Evidence } from '../evidence/intake.js';
import type { Limits } from '../evidence/limits.js';
import { toErrorInfo, VerilensError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import type { AnalysisContext, Analyzer, AnalyzerOutput, Logger } from './analyzer.js';
import type { ArtifactStore } from './artifacts.js';
import type { EngineServices } from './services.js';

export const DEFAULT_TIMEOUT_MS = 120_000;

export interface ProgressEvent {
  input: string;
  analyzer: string;
  /** Fraction of this analyzer's work, in [0, 1]. */
  fraction: number;
  note?: string;
}

/** Parameters per analyzer id, as a caller gives them (checked against each contract's table). */
export type ParamsInput = Readonly<Partial<Record<string, ParamInput>>>;

/**
 * How to analyse: the one options type shared by `analyzeFile`, `analyzeEvidence` and the case
 * store (which adds only the evidence to pick). Callers pass it through instead of copying fields.
 */
export interface RunOptions {
  analyzers: readonly Analyzer[];
  /** Restrict to these ids (their `requires` are added automatically); unknown ids are refused. */
  only?: readonly string[];
  /** Parameters per analyzer id. */
  params?: ParamsInput;
  artifacts: ArtifactStore;
  signal?: AbortSignal;
  /** Per-analyzer timeout chosen by the caller (`--timeout`): it overrides each analyzer's own default. */
  timeoutMs?: number;
  limits?: Partial<Limits>;
  services?: EngineServices;
  onProgress?: (e: ProgressEvent) => void;
  log?: Logger;
}

const silentLog: Logger = { debug: () => undefined, warn: () => undefined };

/** Order analyzers so that every `requires` comes first; unknown ids are a usage error. */
export function planAnalyzers(all: readonly Analyzer[], only?: readonly string[]): Analyzer[] {
  const byId = new Map<string, Analyzer>(all.map((a) => [a.id, a]));
  const wanted: string[] = only && only.length ? [...only] : all.map((a) => a.id);
  const out: Analyzer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, from?: string): void => {
    const a = byId.get(id);
    if (!a) {
      throw new VerilensError(
        'unknown-analyzer',
        from ? `analyzer '${from}' requires unknown analyzer '${id}'` : `unknown analyzer '${id}' (known: ${[...byId.keys()].join(', ')})`,
      );
    }
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new VerilensError('analyzer-cycle', `analyzers have a dependency cycle through '${id}'`);
    state.set(id, 'visiting');
    for (const r of a.requires ?? []) visit(r, id);
    state.set(id, 'done');
    out.push(a);
  };
  for (const id of wanted) visit(id);
  return out;
}

/**
 * Check every analyzer's parameters against its contract before any file is touched: unknown
 * analyzer ids, unknown parameter names and out-of-range values are one clear `bad-parameter` error.
 */
export function checkParams(all: readonly Analyzer[], params: ParamsInput | undefined): void {
  for (const [id, given] of Object.entries(params ?? {})) {
    const a = all.find((x) => x.id === id);
    if (!a) throw new VerilensError('bad-parameter', `parameters given for unknown analyzer '${id}' (known: ${all.map((x) => x.id).join(', ')})`);
    const r = validateParamsFor(a.id, given);
    if (!r.ok) throw new VerilensError('bad-parameter', r.message);
  }
}

function isJsonValue(v: unknown, depth = 0): v is JsonValue {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonValue(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as object).every((x) => x === undefined || isJsonValue(x, depth + 1));
  }
  return false;
}

function provenanceOf(a: { id: AnalyzerId; version: string }, params: JsonObject, ev: Evidence, started: number, startedAt: string, models?: RunProvenance['models']): RunProvenance {
  return {
    analyzer: a.id,
    version: a.version,
    parameters: params,
    inputSha256: ev.info.sha256,
    startedAt,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    models: models ?? [],
  };
}

function notRun<K extends string>(prov: RunProvenance, status: 'error' | 'unavailable' | 'not-applicable', code: string, message: string): AnalyzerNotRun<K> {
  const r: AnalyzerNotRun<K> = { status, findings: [], data: {}, artifacts: [], provenance: prov };
  if (status !== 'not-applicable') r.error = { code, message };
  else r.data = { reason: message };
  return r;
}

/** An analyzer's output as a result: provenance added, defaults filled, the score rules enforced. */
function toResult<K extends AnalyzerId>(a: Analyzer<K>, out: AnalyzerOutput<K>, prov: RunProvenance): ResultOf<K> {
  const findings = out.findings ?? [];
  if (out.status === 'not-applicable') return { status: out.status, findings, data: { reason: out.reason }, artifacts: [], provenance: prov };
  if (out.status !== 'ok') return { status: out.status, findings, data: {}, artifacts: [], provenance: prov, error: out.error };
  if (!isJsonValue(out.data)) throw new VerilensError('internal', `${a.id} produced data that is not JSON-safe`);
  if (out.score !== undefined && (!Number.isFinite(out.score) || out.score < 0 || out.score > 1)) {
    throw new VerilensError('internal', `${a.id} produced a score outside [0, 1]: ${out.score}`);
  }
  if (out.score !== undefined && !out.scoreInfo) throw new VerilensError('internal', `${a.id} produced a score without scoreInfo`);
  const r: ResultOf<K> = { status: 'ok', findings, data: out.data, artifacts: out.artifacts ?? [], provenance: prov };
  if (out.verdict) r.verdict = out.verdict;
  if (out.score !== undefined) r.score = out.score;
  if (out.scoreInfo) r.scoreInfo = out.scoreInfo;
  return r;
}

/** Run one analyzer with isolation, timeout and cancellation. Never throws. */
async function runOne<K extends AnalyzerId>(a: Analyzer<K>, ev: Evidence, results: AnalyzerResults, opts: RunOptions): Promise<ResultOf<K>> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const checked = validateParamsFor(a.id, opts.params?.[a.id]);
  const params: JsonObject = checked.ok ? checked.value : {};
  const prov = (models?: RunProvenance['models']): RunProvenance => provenanceOf(a, params, ev, started, startedAt, models);
  const title = contractOf(a.id).title;

  if (!checked.ok) return notRun(prov(), 'error', 'bad-parameter', checked.message);
  if (!a.accepts(ev.info)) {
    return notRun(prov(), 'not-applicable', 'not-applicable', `${title} does not apply to ${ev.info.type} files`);
  }
  for (const dep of a.requires ?? []) {
    const d = results[dep];
    if (!d || d.status === 'error' || d.status === 'unavailable') {
      const code = d?.error?.code ?? 'dependency';
      return notRun(prov(), 'unavailable', code, `needs '${dep}', which ${d ? `was ${d.status}` : 'did not run'}${d?.error ? `: ${d.error.message}` : ''}`);
    }
    if (d.status === 'not-applicable') {
      return notRun(prov(), 'not-applicable', 'not-applicable', d.data.reason ?? `'${dep}' was not applicable`);
    }
  }
  if (opts.signal?.aborted) return notRun(prov(), 'error', 'cancelled', 'analysis was cancelled');

  const timeoutMs = opts.timeoutMs ?? a.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ac = new AbortController();
  const onParentAbort = (): void => ac.abort(new VerilensError('cancelled', 'analysis was cancelled'));
  opts.signal?.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new VerilensError('timeout', `${a.id} did not finish within ${timeoutMs} ms`)), timeoutMs);
  const ctx: AnalysisContext<K> = {
    signal: ac.signal,
    progress: (fraction, note) => {
      const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
      opts.onProgress?.({ input: ev.input, analyzer: a.id, fraction: f, ...(note ? { note } : {}) });
    },
    params: checked.value,
    artifacts: opts.artifacts,
    results,
    services: opts.services ?? {},
    log: opts.log ?? silentLog,
  };
  const aborted = new Promise<never>((_, reject) => {
    ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true });
  });
  try {
    const out = await Promise.race([a.run(ev, ctx), aborted]);
    return toResult(a, out, prov(out.models));
  } catch (err) {
    const info = toErrorInfo(err, 'analyzer-failed');
    const status = info.code === 'model-integrity' ? 'unavailable' : 'error';
    const r = notRun<never>(prov(), status, info.code, info.message);
    if (info.code === 'model-integrity') {
      r.findings.push({ severity: 'alert', code: 'model-integrity', message: info.message });
    }
    return r;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onParentAbort);
    if (!ac.signal.aborted) ac.abort(new VerilensError('finished', 'analyzer finished'));
  }
}

/** Store one analyzer's result under its own id. */
function setResult<K extends AnalyzerId>(results: AnalyzerResults, id: K, r: ResultOf<K>): void {
  // TypeScript cannot write a generic key of an optional mapped type; the widened view is exact
  // here because `r` is the result of analyzer `id`.
  const byId: Partial<Record<AnalyzerId, AnyAnalyzerResult>> = results;
  byId[id] = r;
}

async function runAndStore<K extends AnalyzerId>(a: Analyzer<K>, ev: Evidence, results: AnalyzerResults, opts: RunOptions): Promise<void> {
  setResult(results, a.id, await runOne(a, ev, results, opts));
}

/** Run the planned analyzers on opened evidence, then re-hash the file to prove it was not changed. */
export async function analyzeEvidence(ev: Evidence, opts: RunOptions): Promise<Pick<FileResult, 'analyzers' | 'integrity'>> {
  const plan = planAnalyzers(opts.analyzers, opts.only);
  const results: AnalyzerResults = {};
  for (const a of plan) await runAndStore(a, ev, results, opts);
  const rehash = await sha256File(ev.path).catch(() => 'unreadable');
  return { analyzers: results, integrity: { rehashSha256: rehash, unchanged: rehash === ev.info.sha256 } };
}

/** Open one file as evidence and analyse it. Never throws for bad input: errors go into the result. */
export async function analyzeFile(input: string, opts: RunOptions): Promise<FileResult> {
  // Fail fast on usage errors (unknown analyzer ids, bad parameters) before touching the file.
  planAnalyzers(opts.analyzers, opts.only);
  checkParams(opts.analyzers, opts.params);
  let ev: Evidence;
  try {
    ev = await openEvidence(input, opts.limits);
  } catch (err) {
    return { input, evidence: null, error: toErrorInfo(err, 'intake-failed'), analyzers: {} };
  }
  const { analyzers, integrity } = await analyzeEvidence(ev, opts);
  const result: FileResult = { input, evidence: ev.info, analyzers };
  if (integrity) result.integrity = integrity;
  return result;
}
