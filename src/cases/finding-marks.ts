import type { Finding } from '../contract/results.js';
import { sha256Hex } from '../util/hash.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { Annotation } from './types.js';

export type FindingMarkAnnotation = Extract<Annotation, { kind: 'finding-mark' }>;

/** Identity of one finding (severity, code, message, region), so a mark never slides onto another finding after re-analysis. */
export function findingSha256(f: Finding): string {
  return sha256Hex(canonicalJson(f));
}

/**
 * Positions in `findings` (one analyzer's findings in the latest analysis) of the findings a mark
 * addresses. A mark recorded without an index (before marks addressed one finding) covers every
 * finding with its code. A mark with an index covers the finding it was made on: at the same
 * position when that finding is unchanged there, else wherever the same finding now is; [] when
 * the latest analysis no longer reports it (the mark is stale). Pure.
 */
export function markedFindings(a: FindingMarkAnnotation, findings: readonly Finding[]): number[] {
  if (a.index === undefined) return findings.flatMap((f, i) => (f.code === a.finding ? [i] : []));
  const same = (f: Finding | undefined): boolean => f !== undefined && f.code === a.finding && (a.findingSha256 === undefined || findingSha256(f) === a.findingSha256);
  if (same(findings[a.index])) return [a.index];
  if (a.findingSha256 === undefined) return [];
  const moved = findings.findIndex((f) => same(f));
  return moved >= 0 ? [moved] : [];
}

/** "ela has 5 findings with code ela-outlier-region; <ask>:" then one line per finding (index: message [region]), to let the analyst pick one. */
export function listSharedFindings(analyzer: string, code: string, findings: readonly Finding[], ask = ''): string {
  const lines = findings.flatMap((f, i) => {
    if (f.code !== code) return [];
    const r = f.region ? ` [region ${Math.round(f.region.x)},${Math.round(f.region.y)} ${Math.round(f.region.width)}x${Math.round(f.region.height)}]` : '';
    return [`  ${i}: ${f.message}${r}`];
  });
  return `${analyzer} has ${lines.length} finding${lines.length === 1 ? '' : 's'} with code ${code}${ask ? `; ${ask}` : ''}:\n${lines.join('\n')}`;
}
