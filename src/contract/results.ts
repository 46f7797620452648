import type { AnalyzerResults } from './analyzers/index.js';
import type { JsonObject } from './json.js';

/**
 * Result types shared by the engine, the CLI's --json output, the UI and the reports.
 * JSON-safe only: no Buffers, Dates, Maps or class instances. No node:* imports here.
 */

export type Severity = 'info' | 'warn' | 'alert';

/** A rectangle in the pixel space of the image as displayed (EXIF orientation applied). */
export type Region = {
  x: number;
  y: number;
  width: number;
  height: number;
};

export interface Finding {
  severity: Severity;
  /** Stable, kebab-case code (e.g. `software-editor`); UIs and reports key on it. */
  code: string;
  /** One sentence a trainee can follow: what was seen and why it matters. */
  message: string;
  region?: Region;
}

export type AnalyzerStatus = 'ok' | 'error' | 'unavailable' | 'not-applicable';
export type Verdict = 'consistent' | 'suspicious' | 'inconclusive';

export interface ErrorInfo {
  /** Stable code, e.g. `unsupported-type`, `too-large`, `timeout`, `model-integrity`. */
  code: string;
  message: string;
}

/**
 * What a score means. Scores are never bare: every analyzer that reports a `score` also
 * reports this, so a reader sees the method, what it was measured on and its limits.
 */
export type ScoreInfo = {
  /** What the method or model is, in one sentence. */
  method: string;
  /** What the method was measured or calibrated on, with figures where there are any. */
  measuredOn: string;
  /** Known failure modes, in plain words. */
  limits: string;
  /** How much weight the signal can bear on its own. */
  strength: 'weak' | 'moderate' | 'strong';
  /** Score at or above which the analyzer calls the file suspicious. */
  threshold?: number;
};

export interface ArtifactRef<K extends string = string> {
  /** One of the producing analyzer's declared artifact kinds (its contract's `artifacts`). */
  kind: K;
  /** SHA-256 of the artifact bytes: artifacts are content-addressed. */
  sha256: string;
  mime: string;
  /** Where the artifact was written, when it was written to disk (CLI --out, case folder). */
  path?: string;
  width?: number;
  height?: number;
  /** Short human note, e.g. "downscaled from 8000x6000 to 4096x3072". */
  note?: string;
}

/** Exact model bytes that produced a result. */
export interface ModelUse {
  id: string;
  version: string;
  sha256: string;
  /** `pinned` (shipped manifest, digest fixed in code) or `signed` (organisation manifest). */
  trust: 'pinned' | 'signed';
}

/** Provenance of one analyzer run: enough to reproduce it. */
export interface RunProvenance {
  analyzer: string;
  version: string;
  parameters: JsonObject;
  inputSha256: string;
  /** ISO-8601 UTC. */
  startedAt: string;
  durationMs: number;
  models: ModelUse[];
}

interface AnalyzerResultBase<K extends string> {
  verdict?: Verdict;
  /** In [0, 1]; higher always means stronger evidence of manipulation, synthesis or spoofing. */
  score?: number;
  /** Present whenever `score` is. */
  scoreInfo?: ScoreInfo;
  findings: Finding[];
  artifacts: ArtifactRef<K>[];
  error?: ErrorInfo;
  provenance: RunProvenance;
}

/** The data of a result that did not run to completion: at most why. */
export type NotRunData = { reason?: string };

/** An analyzer that ran: `data` has the analyzer's declared type. */
export interface AnalyzerOk<D extends JsonObject = JsonObject, K extends string = string> extends AnalyzerResultBase<K> {
  status: 'ok';
  data: D;
}

/** An analyzer that failed, was unavailable (a model refused...) or does not apply: no data but the reason. */
export interface AnalyzerNotRun<K extends string = string> extends AnalyzerResultBase<K> {
  status: 'error' | 'unavailable' | 'not-applicable';
  data: NotRunData;
}

/** One analyzer's result. Narrow on `status === 'ok'` to read `data`. */
export type AnalyzerResult<D extends JsonObject = JsonObject, K extends string = string> = AnalyzerOk<D, K> | AnalyzerNotRun<K>;

export type EvidenceKind = 'image' | 'video';

export interface EvidenceInfo {
  sha256: string;
  bytes: number;
  /** MIME type detected from magic bytes (never from the extension). */
  type: string;
  kind: EvidenceKind;
  /** Short format id: jpeg, png, webp, gif, tiff, heic, avif, mp4, mov, webm, mkv, avi. */
  format: string;
  /** Stored pixel size (before EXIF orientation). */
  width?: number;
  height?: number;
  /** EXIF orientation 1..8 when present. */
  orientation?: number;
  /** Size as displayed (orientation applied). */
  displayWidth?: number;
  displayHeight?: number;
  pages?: number;
}

export interface FileResult {
  /** The path as given by the user. */
  input: string;
  evidence: EvidenceInfo | null;
  error?: ErrorInfo;
  /** By analyzer id, in the order they ran; typed per analyzer (see contract/analyzers). */
  analyzers: AnalyzerResults;
  /** Alerts about the run itself, e.g. the evidence changed on disk during analysis. */
  integrity?: { rehashSha256: string; unchanged: boolean };
}

export interface AnalysisDocument {
  tool: 'verilens';
  version: string;
  results: FileResult[];
}
