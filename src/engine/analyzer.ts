import type { JsonObject } from '../contract/json.js';
import type {
  AnalyzerResult,
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
import type { ArtifactSink } from './artifacts.js';
import type { EngineServices } from './services.js';

export interface Logger {
  debug(msg: string): void;
  warn(msg: string): void;
}

export interface AnalysisContext {
  /** Aborted on cancellation or timeout; long-running work must check it and stop. */
  signal: AbortSignal;
  /** Report progress in [0, 1] with an optional short note. */
  progress(fraction: number, note?: string): void;
  /** Effective parameters (analyzer defaults merged with the caller's), as recorded in provenance. */
  params: JsonObject;
  /** Content-addressed artifact store. */
  artifacts: ArtifactSink;
  /** Results of analyzers that already ran on this evidence (all of `requires` are here). */
  results: Readonly<Record<string, AnalyzerResult>>;
  /** Shared engine services (verified model sessions, settings). */
  services: EngineServices;
  log: Logger;
}

/** What an analyzer returns; the runner adds provenance and fills the defaults. */
export interface AnalyzerOutput<D extends JsonObject = JsonObject> {
  status: AnalyzerStatus;
  verdict?: Verdict;
  score?: number;
  scoreInfo?: ScoreInfo;
  findings?: Finding[];
  data: D;
  artifacts?: ArtifactRef[];
  error?: ErrorInfo;
  /** Exact model bytes used (id, version, sha256). */
  models?: ModelUse[];
}

export interface Analyzer<D extends JsonObject = JsonObject> {
  /** Stable id shared by the engine, IPC, UI and reports. */
  readonly id: string;
  /** Bump when the meaning of the output changes; recorded in every result. */
  readonly version: string;
  /** One line for `--help`, the UI and reports. */
  readonly title: string;
  /** Default parameters; the caller's parameters are merged over these and validated by `run`. */
  readonly defaults: JsonObject;
  accepts(info: EvidenceInfo): boolean;
  /** Ids of analyzers whose results this one needs; they run first. */
  readonly requires?: readonly string[];
  /** Per-run timeout; the runner's default applies otherwise. */
  readonly timeoutMs?: number;
  run(evidence: Evidence, ctx: AnalysisContext): Promise<AnalyzerOutput<D>>;
}

/** Helper so analyzers can declare their data type and still sit in one registry. */
export function defineAnalyzer<D extends JsonObject>(a: Analyzer<D>): Analyzer {
  return a as unknown as Analyzer;
}
