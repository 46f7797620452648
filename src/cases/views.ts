import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resultById } from '../contract/analyzers/index.js';
import type { Bookmark, CaseSummary, CaseView, EvidenceEntry, FindingMark, VerdictOverride } from '../contract/api.js';
import { markedFindings } from './finding-marks.js';
import { CUSTODY_FILE } from './layout.js';
import { loadCase } from './replay.js';
import type { CaseEvidence, CaseState } from './types.js';
import { effectiveVerdict } from './verdict.js';

/** What the UI sees of cases: summaries, one evidence entry with its annotations, the whole case. */

export function summaryOf(s: CaseState): CaseSummary {
  return {
    id: s.id,
    title: s.title,
    analyst: s.analyst,
    created: s.created,
    evidenceCount: s.evidence.length,
    ...(s.custody.updated ? { updated: s.custody.updated } : {}),
  };
}

/** One evidence entry for the UI: the latest analysis and the annotations that concern it. */
export function entryOf(s: CaseState, e: CaseEvidence): EvidenceEntry {
  const overrides: VerdictOverride[] = [];
  const marks: FindingMark[] = [];
  const bookmarks: Bookmark[] = [];
  for (const r of s.annotations) {
    const a = r.annotation;
    if (a.kind === 'note' || a.evidence !== e.sha256) continue;
    switch (a.kind) {
      case 'verdict-override':
        overrides.push({
          ...(a.analyzer ? { analyzer: a.analyzer } : {}),
          verdict: a.verdict,
          reason: a.reason,
          by: r.analyst,
          at: r.time,
        });
        break;
      case 'finding-mark': {
        const at = markedFindings(a, (e.analysis && resultById(e.analysis.analyzers, a.analyzer))?.findings ?? []);
        marks.push({
          analyzer: a.analyzer,
          code: a.finding,
          ...(a.index === undefined ? {} : at[0] === undefined ? { stale: true } : { index: at[0] }),
          mark: a.mark,
          ...(a.comment ? { comment: a.comment } : {}),
          by: r.analyst,
          at: r.time,
        });
        break;
      }
      case 'bookmark':
        bookmarks.push({ seq: r.seq, comment: a.comment, ...(a.region ? { region: a.region } : {}), by: r.analyst, at: r.time });
        break;
    }
  }
  const ov = effectiveVerdict(s, e.sha256);
  const entry: EvidenceEntry = {
    sha256: e.sha256,
    name: e.names[0] ?? e.sha256,
    info: e.info,
    addedAt: e.addedAt,
    overall: { verdict: ov.verdict, overridden: ov.overridden, ...(ov.reason ? { reason: ov.reason } : {}) },
    overrides,
    marks,
    bookmarks,
  };
  if (e.analysis)
    entry.analysis = { analyzers: e.analysis.analyzers, integrity: { unchanged: e.analysis.unchanged }, ranAt: e.analysis.time };
  return entry;
}

export function viewOf(s: CaseState): CaseView {
  return { ...summaryOf(s), notes: s.notes, evidence: s.evidence.map((e) => entryOf(s, e)) };
}


/** The most recently changed cases under `casesDir` (by custody.log time), at most `limit`. */
export async function listRecentCases(casesDir: string, limit = 50): Promise<CaseSummary[]> {
  const names = await readdir(casesDir).catch(() => [] as string[]);
  const dated = await Promise.all(
    names.map(async (n) => ({
      n,
      t: await stat(join(casesDir, n, CUSTODY_FILE)).then(
        (x) => x.mtimeMs,
        () => -1,
      ),
    })),
  );
  const out: CaseSummary[] = [];
  for (const { n } of dated
    .filter((d) => d.t >= 0)
    .sort((a, b) => b.t - a.t)
    .slice(0, limit)) {
    const c = await loadCase(join(casesDir, n)).catch(() => null);
    if (c && c.state.id === n) out.push(summaryOf(c.state));
  }
  return out;
}
