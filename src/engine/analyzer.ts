import type { AnalyzerDataMap, AnalyzerId, AnalyzerResults, ArtifactKindOf, ParamsFor } from '../contract/analyzers/index.js';
import { contractOf } from '../contract/analyzers/index.js';
import type {
  AnalyzerStatus,
  ArtifactRef,
  ErrorInfo,
  EvidenceInfo,
  Finding,
  ModelUse,
  ScoreInfo,
  Verdict,
} from '../contract/results.js';
import type { Evidence } from '../evidence/intake.js';
import type { ReportSection } from '../reports/blocks.js';
import type { ArtifactSink } from './artifacts.js';
import type { EngineServices } from './services.js';

export interface Logger {
  debug(msg: string): void;
  warn(msg: string): void;
}

export interface AnalysisContext<K extends AnalyzerId = AnalyzerId> {
  /** Aborted on cancellation or timeout; long-running work must check it and stop. */
  signal: AbortSignal;
  /** Report progress in [0, 1] with an optional short note. */
  progress(fraction: number, note?: string): void;
  /** Parameters validated against the analyzer's contract (defaults filled in), as recorded in provenance. */
  params: ParamsFor<K>;
  /** Content-addressed artifact store; kinds are the contract's. */
  artifacts: ArtifactSink<ArtifactKindOf<K>>;
  /** Results of analyzers that already ran on this evidence (all of `requires` are here). */
  results: Readonly<AnalyzerResults>;
  /** Shared engine services (verified model sessions, settings). */
  services: EngineServices;
  log: Logger;
}

interface OutputBase {
  findings?: Finding[];
  /** Exact model bytes used (id, version, sha256). */
  models?: ModelUse[];
}

/** What an analyzer returns; the runner adds provenance and fills the defaults. */
export type AnalyzerOutput<K extends AnalyzerId> =
  | (OutputBase & {
      status: 'ok';
      verdict?: Verdict;
      score?: number;
      scoreInfo?: ScoreInfo;
      data: AnalyzerDataMap[K];
      artifacts?: ArtifactRef<ArtifactKindOf<K>>[];
    })
  /** The check does not apply to this file (no face, no bytes...): say why. */
  | (OutputBase & { status: 'not-applicable'; reason: string })
  | (OutputBase & { status: Exclude<AnalyzerStatus, 'ok' | 'not-applicable'>; error: ErrorInfo });

export interface Analyzer<K extends AnalyzerId = AnalyzerId> {
  /** Stable id shared by the engine, IPC, UI and reports; its contract is `contractOf(id)`. */
  readonly id: K;
  /** Bump when the meaning of the output changes; recorded in every result. */
  readonly version: string;
  accepts(info: EvidenceInfo): boolean;
  /** Ids of analyzers whose results this one needs; they run first. */
  readonly requires?: readonly AnalyzerId[];
  /** Per-run timeout; the runner's default applies otherwise. */
  readonly timeoutMs?: number;
  run(evidence: Evidence, ctx: AnalysisContext<K>): Promise<AnalyzerOutput<K>>;
  /**
   * The analyzer's section of the PDF report beyond the generic table and findings (figures, C2PA
   * facts...), built from its typed result and the file's other results. Pure.
   */
  report?(...a: Parameters<ReportSection<K>>): ReturnType<ReportSection<K>>;
}

/** One analyzer of any id (the registry holds these). */
export type AnyAnalyzer = { [K in AnalyzerId]: Analyzer<K> }[AnalyzerId];

/** Declare an analyzer: its id ties it to its contract (data type, artifact kinds, parameters). */
export function defineAnalyzer<K extends AnalyzerId>(a: Analyzer<K>): Analyzer<K> {
  return a;
}

/** The title from the analyzer's contract. */
export function titleOf(a: { readonly id: AnalyzerId }): string {
  return contractOf(a.id).title;
}
