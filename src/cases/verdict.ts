import type { Verdict } from '../contract/results.js';
import type { CaseState } from './types.js';

export interface EffectiveVerdict {
  verdict: Verdict | 'not-analysed';
  overridden: boolean;
  /** The analyst's reason, when overridden. */
  reason?: string;
}

/**
 * The verdict shown for one evidence file: the analyst's latest override wins; otherwise
 * suspicious when any analyzer says so, consistent when every analyzer with a verdict is
 * consistent, else inconclusive.
 */
export function effectiveVerdict(state: CaseState, sha256: string): EffectiveVerdict {
  for (let i = state.annotations.length - 1; i >= 0; i--) {
    const a = state.annotations[i]?.annotation;
    if (a?.kind === 'verdict-override' && a.evidence === sha256 && !a.analyzer) return { verdict: a.verdict, overridden: true, reason: a.reason };
  }
  const ev = state.evidence.find((e) => e.sha256 === sha256);
  if (!ev?.analysis) return { verdict: 'not-analysed', overridden: false };
  const vs = Object.values(ev.analysis.analyzers).map((r) => r.verdict);
  if (vs.includes('suspicious')) return { verdict: 'suspicious', overridden: false };
  if (vs.includes('consistent') && !vs.includes('inconclusive')) return { verdict: 'consistent', overridden: false };
  return { verdict: 'inconclusive', overridden: false };
}

/** An analyst override of one analyzer's verdict on one file (latest wins). */
export function analyzerOverride(state: CaseState, sha256: string, analyzer: string): { verdict: Verdict; reason: string } | null {
  for (let i = state.annotations.length - 1; i >= 0; i--) {
    const a = state.annotations[i]?.annotation;
    if (a?.kind === 'verdict-override' && a.evidence === sha256 && a.analyzer === analyzer) return { verdict: a.verdict, reason: a.reason };
  }
  return null;
}
