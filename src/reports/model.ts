import { describeEntry, type CustodyEntry } from '../cases/custody.js';
import type { ParsedLine } from '../cases/custody.js';
import { markedFindings } from '../cases/finding-marks.js';
import type { Annotation, CaseState, RecordedAnnotation } from '../cases/types.js';
import { analyzerOverride, effectiveVerdict, type EffectiveVerdict } from '../cases/verdict.js';
import { resultEntries, type AnalyzerId, type AnyAnalyzerResult } from '../contract/analyzers/index.js';
import type { EvidenceInfo, ModelUse, Verdict } from '../contract/results.js';
import { VERSION } from '../version.js';

/**
 * The machine-readable report (report.json, canonical JSON). The PDF is rendered from exactly
 * this document, so what a person reads and what a program checks are the same content.
 */
export interface ReportDocument {
  format: 'verilens-report';
  version: 1;
  generator: { tool: 'verilens'; version: string };
  /** Time of the last custody entry the report covers: fixed, so regenerating gives the same bytes. */
  reportTime: string;
  case: { id: string; title: string; analyst: string; created: string; notes: string };
  signer: { analyst: string; fingerprint: string };
  summary: { evidence: number; suspicious: number; consistent: number; inconclusive: number; notAnalysed: number; annotations: number };
  evidence: ReportEvidence[];
  /** Case-level notes (annotations not about one file). */
  notes: RecordedAnnotation[];
  models: ReportModel[];
  custody: { entries: number; head: string; log: ReportCustodyLine[] };
}

export interface ReportEvidence {
  index: number;
  sha256: string;
  names: string[];
  sources: { path: string; addedAt: string }[];
  stored: string;
  info: EvidenceInfo;
  addedAt: string;
  verdict: EffectiveVerdict;
  analysis: {
    seq: number;
    time: string;
    resultsSha256: string;
    unchanged: boolean;
    analyzers: ReportAnalyzer[];
  } | null;
  annotations: RecordedAnnotation[];
}

export interface ReportAnalyzer {
  id: AnalyzerId;
  /** The analyst's override of this analyzer's verdict, when there is one. */
  override: { verdict: Verdict; reason: string } | null;
  /**
   * Analyst marks on findings, by finding code and `index` (the finding's position in `result.findings`;
   * null on a mark recorded before marks addressed one finding: it covers every finding with the code).
   * `stale`: the mark addressed a finding this analysis no longer reports.
   */
  marks: { finding: string; index: number | null; stale: boolean; mark: string; comment: string | null; analyst: string; time: string }[];
  result: AnyAnalyzerResult;
  /** The analysis run (custody entry) that produced this result: a partial re-run keeps earlier results. */
  run: { seq: number; time: string; resultsSha256: string };
}

export interface ReportModel extends ModelUse {
  usedBy: string[];
}

export interface ReportCustodyLine {
  seq: number;
  time: string;
  analyst: string;
  type: string;
  summary: string;
  sha256: string;
}

function evidenceOf(a: Annotation): string | null {
  return a.kind === 'note' ? null : a.evidence;
}

/** Build the report document from a case state and its custody lines (both as of the same entry). Pure. */
export function buildReport(state: CaseState, lines: readonly ParsedLine[], signer: { analyst: string; fingerprint: string }): ReportDocument {
  const models = new Map<string, ReportModel>();
  const counts = { suspicious: 0, consistent: 0, inconclusive: 0, notAnalysed: 0 };
  const evidence: ReportEvidence[] = state.evidence.map((e, i) => {
    const verdict = effectiveVerdict(state, e.sha256);
    if (verdict.verdict === 'not-analysed') counts.notAnalysed++;
    else counts[verdict.verdict]++;
    const annotations = state.annotations.filter((a) => evidenceOf(a.annotation) === e.sha256);
    const analyzers: ReportAnalyzer[] = resultEntries(e.analysis?.analyzers ?? {}).map(({ id, result }) => {
      for (const m of result.provenance.models) {
        const key = `${m.id}\u0000${m.version}\u0000${m.sha256}`;
        const have = models.get(key) ?? { ...m, usedBy: [] };
        if (!have.usedBy.includes(id)) have.usedBy.push(id);
        models.set(key, have);
      }
      const marks = annotations.flatMap((a) => {
        const m = a.annotation;
        if (m.kind !== 'finding-mark' || m.analyzer !== id) return [];
        const at = m.index === undefined ? undefined : (markedFindings(m, result.findings)[0] ?? null);
        return [{ finding: m.finding, index: at ?? null, stale: at === null, mark: m.mark, comment: m.comment ?? null, analyst: a.analyst, time: a.time }];
      });
      const an = e.analysis!;
      const ran = an.runs?.[id] ?? an;
      return { id, override: analyzerOverride(state, e.sha256, id), marks, result, run: { seq: ran.seq, time: ran.time, resultsSha256: ran.resultsSha256 } };
    });
    return {
      index: i + 1,
      sha256: e.sha256,
      names: e.names,
      sources: e.sources.map((s) => ({ path: s.path, addedAt: s.addedAt })),
      stored: e.stored,
      info: e.info,
      addedAt: e.addedAt,
      verdict,
      analysis: e.analysis ? { seq: e.analysis.seq, time: e.analysis.time, resultsSha256: e.analysis.resultsSha256, unchanged: e.analysis.unchanged, analyzers } : null,
      annotations,
    };
  });
  const log: ReportCustodyLine[] = lines.flatMap((l) => {
    const e: CustodyEntry | null = l.entry;
    return e ? [{ seq: e.seq, time: e.time, analyst: e.actor.analyst, type: e.type, summary: describeEntry(e), sha256: l.sha256 }] : [];
  });
  return {
    format: 'verilens-report',
    version: 1,
    generator: { tool: 'verilens', version: VERSION },
    reportTime: state.custody.updated,
    case: { id: state.id, title: state.title, analyst: state.analyst, created: state.created, notes: state.notes },
    signer,
    summary: { evidence: evidence.length, ...counts, annotations: state.annotations.length },
    evidence,
    notes: state.annotations.filter((a) => a.annotation.kind === 'note'),
    models: [...models.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.sha256 < b.sha256 ? -1 : 1)),
    custody: { entries: state.custody.entries, head: state.custody.head, log },
  };
}
