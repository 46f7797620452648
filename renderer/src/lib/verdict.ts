import type { EvidenceEntry, VerdictOverride } from '../../../src/contract/api.js';
import type { AnalyzerResult, Verdict } from '../../../src/contract/results.js';

export type OverallState = Verdict | 'not-analysed' | 'changed';

export const VERDICT_LABEL: Record<OverallState, string> = {
  suspicious: 'Suspicious',
  consistent: 'Consistent',
  inconclusive: 'Inconclusive',
  'not-analysed': 'Not analysed',
  changed: 'File changed',
};

export const VERDICT_HELP: Record<OverallState, string> = {
  suspicious: 'At least one check passed its threshold or raised an alert. Read the findings before deciding.',
  consistent: 'No check passed its threshold. Warnings may still need a look, and this does not prove the file is authentic.',
  inconclusive: 'The checks could not decide either way; look at the findings and the limits of each method.',
  'not-analysed': 'Run the analysis to see results.',
  changed: 'The file changed on disk during analysis: the results do not describe the evidence.',
};

/** The latest override for one analyzer ('' = the evidence's overall verdict). */
export function overrideFor(e: EvidenceEntry, analyzer: string): VerdictOverride | undefined {
  let last: VerdictOverride | undefined;
  for (const o of e.overrides) if ((o.analyzer ?? '') === analyzer) last = o;
  return last;
}

export function effectiveVerdict(e: EvidenceEntry, id: string, r: AnalyzerResult): Verdict | undefined {
  return overrideFor(e, id)?.verdict ?? r.verdict;
}

/**
 * Overall state as the case and the report state it (computed by the engine, so the badge and the
 * signed report always agree), except that a file that changed during analysis says so first.
 */
export function overallState(e: EvidenceEntry): OverallState {
  if (e.analysis?.integrity && !e.analysis.integrity.unchanged) return 'changed';
  return e.overall.verdict;
}

/** Alert findings (model refused, file changed...) deserve a mark even when the verdict does not move. */
export function alertCount(e: EvidenceEntry): number {
  let n = 0;
  for (const r of Object.values(e.analysis?.analyzers ?? {})) n += r.findings.filter((f) => f.severity === 'alert').length;
  return n;
}

export const STATUS_LABEL: Record<AnalyzerResult['status'], string> = {
  ok: 'Ran',
  error: 'Failed',
  unavailable: 'Unavailable',
  'not-applicable': 'Not applicable',
};
