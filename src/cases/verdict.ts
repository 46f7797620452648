import type { AnalyzerResult, Verdict } from '../contract/results.js';
import type { CaseState } from './types.js';

export interface EffectiveVerdict {
  verdict: Verdict | 'not-analysed';
  overridden: boolean;
  /** The analyst's reason when overridden; otherwise why the automated verdict is what it is. */
  reason?: string;
}

/**
 * Whether one analyzer's `suspicious` can carry the file's verdict: it must rest on an alert
 * finding or on a score that is not labelled weak. A weak signal alone (ELA, MesoNet face-swap,
 * spectral cues) points a human at the file but does not make it suspicious.
 */
function carriesVerdict(r: AnalyzerResult): boolean {
  if (r.findings.some((f) => f.severity === 'alert')) return true;
  return r.score !== undefined && r.scoreInfo?.strength !== 'weak';
}

/**
 * The verdict shown for one evidence file: the analyst's latest override wins. Otherwise, per
 * analyzer (with the analyst's per-analyzer overrides applied): suspicious when an analyzer says
 * so on an alert or a non-weak score; inconclusive, naming them, when only weak signals say so;
 * consistent when every analyzer with a verdict is consistent; else inconclusive.
 */
export function effectiveVerdict(state: CaseState, sha256: string): EffectiveVerdict {
  for (let i = state.annotations.length - 1; i >= 0; i--) {
    const a = state.annotations[i]?.annotation;
    if (a?.kind === 'verdict-override' && a.evidence === sha256 && !a.analyzer) return { verdict: a.verdict, overridden: true, reason: a.reason };
  }
  const ev = state.evidence.find((e) => e.sha256 === sha256);
  if (!ev?.analysis) return { verdict: 'not-analysed', overridden: false };
  const strong: string[] = [];
  const weak: string[] = [];
  const verdicts: Verdict[] = [];
  for (const [id, r] of Object.entries(ev.analysis.analyzers)) {
    const override = analyzerOverride(state, sha256, id);
    const v = override?.verdict ?? r.verdict;
    if (!v) continue;
    verdicts.push(v);
    if (v !== 'suspicious') continue;
    if (override || carriesVerdict(r)) strong.push(id);
    else weak.push(id);
  }
  if (strong.length) return { verdict: 'suspicious', overridden: false, reason: `suspicious according to ${strong.join(', ')}` };
  if (weak.length) return { verdict: 'inconclusive', overridden: false, reason: `only weak signals point to manipulation (${weak.join(', ')}); a person should look` };
  if (verdicts.length && verdicts.every((v) => v === 'consistent')) return { verdict: 'consistent', overridden: false };
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
