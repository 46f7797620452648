import type { EvidenceEntry, VerdictOverride } from '../../../src/contract/api.js';
import type { AnalyzerResult, Verdict } from '../../../src/contract/results.js';

export type OverallState = Verdict | 'not-analysed' | 'changed';

export const VERDICT_LABEL: Record<OverallState, string> = {
  suspicious: 'Suspicious',
  consistent: 'No red flags',
  inconclusive: 'Inconclusive',
  'not-analysed': 'Not analysed',
  changed: 'File changed',
};

export const VERDICT_HELP: Record<OverallState, string> = {
  suspicious: 'At least one check passed its threshold or raised an alert. Read the findings before deciding.',
  consistent: 'No check found a sign of editing. This does not prove the file is authentic.',
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

/** Overall state: an analyst override wins; otherwise any suspicious check or alert makes it suspicious. */
export function overallState(e: EvidenceEntry): OverallState {
  const o = overrideFor(e, '');
  if (o) return o.verdict;
  const a = e.analysis;
  if (!a) return 'not-analysed';
  if (a.integrity && !a.integrity.unchanged) return 'changed';
  let anyInconclusive = false;
  let anyVerdict = false;
  for (const [id, r] of Object.entries(a.analyzers)) {
    const v = effectiveVerdict(e, id, r);
    if (v === 'suspicious' || r.findings.some((f) => f.severity === 'alert')) return 'suspicious';
    if (v === 'inconclusive') anyInconclusive = true;
    if (v) anyVerdict = true;
  }
  if (anyInconclusive || !anyVerdict) return 'inconclusive';
  return 'consistent';
}

export const STATUS_LABEL: Record<AnalyzerResult['status'], string> = {
  ok: 'Ran',
  error: 'Failed',
  unavailable: 'Unavailable',
  'not-applicable': 'Not applicable',
};
