import type { AnalyzerResults } from '../contract/analyzers/index.js';
import type { EvidenceInfo, Region, Verdict } from '../contract/results.js';

/** Analyst annotations. Every one is recorded in custody.log and mirrored in case.json. */
export type Annotation =
  | {
      kind: 'verdict-override';
      evidence: string;
      /** The analyzer whose verdict is overridden; absent for the evidence's overall verdict. */
      analyzer?: string;
      verdict: Verdict;
      reason: string;
    }
  | {
      kind: 'finding-mark';
      evidence: string;
      analyzer: string;
      /** The finding's stable code. */
      finding: string;
      /**
       * The finding's position in the analyzer's `findings` in the analysis the mark was made on.
       * Absent on marks recorded before marks addressed one finding: those cover every finding with the code.
       */
      index?: number;
      /** findingSha256() of that finding (set by the case store), so re-analysis never moves the mark onto another finding. */
      findingSha256?: string;
      mark: 'confirmed' | 'dismissed' | 'noted';
      comment?: string;
    }
  | { kind: 'bookmark'; evidence: string; comment: string; region?: Region }
  | { kind: 'note'; text: string };

export interface RecordedAnnotation {
  /** Custody entry that recorded it. */
  seq: number;
  time: string;
  analyst: string;
  annotation: Annotation;
}

/** One analysis-run custody entry. */
export interface AnalysisRunRef {
  seq: number;
  time: string;
  resultsSha256: string;
  unchanged: boolean;
}

export interface CaseAnalysis {
  /** The latest run on the file. */
  seq: number;
  time: string;
  resultsSha256: string;
  analyzers: AnalyzerResults;
  /** False when any run whose results are shown saw the file change during analysis. */
  unchanged: boolean;
  /**
   * After a partial run (`--only`): the run that produced each analyzer's result, as results
   * from earlier runs are kept. Absent when every result comes from the latest run.
   */
  runs?: Record<string, AnalysisRunRef>;
}

export interface CaseEvidence {
  sha256: string;
  /** Original file names, in the order they were added (the same bytes may arrive twice). */
  names: string[];
  sources: { path: string; addedAt: string; seq: number }[];
  /** Read-only copy, relative to the case folder. */
  stored: string;
  info: EvidenceInfo;
  addedAt: string;
  /** Latest analysis; earlier runs stay in custody.log and artifacts/. */
  analysis?: CaseAnalysis;
}

export interface ReportRecord {
  seq: number;
  time: string;
  pdf: { name: string; sha256: string };
  json: { name: string; sha256: string };
  signer: string;
  asOfSeq: number;
}

/** case.json: a snapshot rebuilt from custody.log (the log is the record; this is the index). */
export interface CaseState {
  format: 'verilens-case';
  version: 1;
  id: string;
  title: string;
  analyst: string;
  created: string;
  notes: string;
  evidence: CaseEvidence[];
  annotations: RecordedAnnotation[];
  reports: ReportRecord[];
  custody: { entries: number; head: string; updated: string };
}
