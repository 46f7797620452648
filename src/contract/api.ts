import { ANALYZER_IDS, isAnalyzerId, validateParamsFor, type AnalyzerId, type AnalyzerResults } from './analyzers/index.js';
import type { JsonObject } from './json.js';
import type { ErrorInfo, EvidenceInfo, Verdict } from './results.js';

/**
 * The one API between the UI and the engine: request/response methods and events.
 * Electron main, the generated preload and the browser test bridge all derive from this file:
 * `API_METHODS` is the runtime list of method names and `API_VALIDATORS` checks every argument
 * before a handler runs. JSON-safe types only, no node:* imports (the renderer reads this file).
 *
 * Identity rules: the UI never sees a filesystem path it could pass back. Cases are addressed by
 * case id, evidence by its SHA-256, artifacts by their SHA-256, long operations by a job id the
 * UI picks (so it can cancel and match progress events before the call returns).
 */

/** Every call resolves to this; handlers never throw across the boundary. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

// ---------- data shapes ----------

export interface AnalyzerDescriptor {
  id: string;
  title: string;
  version: string;
  requires: string[];
}

export interface AppInfo {
  version: string;
  analyzers: AnalyzerDescriptor[];
  /** Which parts of the engine this build has (the UI hides what is missing, and says why). */
  features: { cases: boolean; reports: boolean; models: boolean };
}

export interface CaseSummary {
  id: string;
  title: string;
  analyst: string;
  /** ISO-8601 UTC. */
  created: string;
  evidenceCount: number;
  /** ISO-8601 UTC of the last change, when known. */
  updated?: string;
}

/** Analyst's verdict override on one analyzer's result, with the reason that justifies it. */
export interface VerdictOverride {
  /** The analyzer whose verdict is overridden; absent for the evidence's overall verdict. */
  analyzer?: string;
  verdict: Verdict;
  reason: string;
  by?: string;
  at: string;
}

/** A finding an analyst has marked (confirmed as relevant, or dismissed) with an optional note. */
export interface FindingMark {
  analyzer: string;
  code: string;
  /**
   * The one finding the mark addresses: its position in the analyzer's `findings` in the latest
   * analysis. Absent on a mark recorded before marks addressed one finding (it covers every finding
   * with `code`) and on a stale mark (its finding is no longer reported).
   */
  index?: number;
  /** The mark addressed one finding that the latest analysis no longer reports. */
  stale?: boolean;
  mark: FindingMarkKind;
  comment?: string;
  by?: string;
  at: string;
}

export type FindingMarkKind = 'confirmed' | 'dismissed' | 'noted';

/** Annotations are append-only (they are part of the custody record): a later one supersedes, nothing is deleted. */
export interface Bookmark {
  /** Sequence number of the custody entry that recorded it. */
  seq: number;
  comment: string;
  /** Region in displayed-image pixels, when the bookmark points at an area. */
  region?: { x: number; y: number; width: number; height: number };
  by?: string;
  at: string;
}

export interface AnalysisRecord {
  analyzers: AnalyzerResults;
  /** The evidence was re-hashed after the run and still matched. */
  integrity?: { unchanged: boolean; rehashSha256?: string };
  /** ISO-8601 UTC. */
  ranAt: string;
}

export interface EvidenceEntry {
  /** Evidence id: SHA-256 of the exact bytes. */
  sha256: string;
  /** Original file name (no folder). */
  name: string;
  info: EvidenceInfo;
  addedAt: string;
  /** The evidence's overall verdict as the case and the report state it (an overall override wins). */
  overall: { verdict: Verdict | 'not-analysed'; overridden: boolean; reason?: string };
  analysis?: AnalysisRecord;
  overrides: VerdictOverride[];
  marks: FindingMark[];
  bookmarks: Bookmark[];
}

export interface CaseView extends CaseSummary {
  notes: string;
  evidence: EvidenceEntry[];
}

export interface AddEvidenceOutcome {
  added: EvidenceEntry[];
  /** Files that were already in the case (same SHA-256). */
  duplicates: string[];
  /** Files refused at intake, with the reason (unsupported type, too large, unreadable...). */
  refused: { name: string; error: ErrorInfo }[];
}

/** Bytes for display: the UI turns them into a blob: URL. */
export interface Blob64 {
  mime: string;
  /** Base64 of the bytes. */
  base64: string;
  width?: number;
  height?: number;
  /** e.g. "converted from TIFF to PNG for display; the evidence file is unchanged". */
  note?: string;
}

export type ModelStatusKind = 'verified' | 'refused' | 'missing';

export interface ModelStatus {
  id: string;
  version: string;
  sha256: string;
  status: ModelStatusKind;
  /** Why it was refused or is missing; what to do. */
  reason?: string;
  trust?: 'pinned' | 'signed';
  /** The model card as readable text (purpose, data, measured performance, weaknesses). */
  card?: string;
  licence?: string;
  used_by?: string[];
}

export interface SignerInfo {
  analyst: string;
  /** Full fingerprint of the analyst's public key. */
  fingerprint: string;
  /** Short form shown next to every signature. */
  short: string;
}

export interface ReportExport {
  /** File name chosen for the report (no folder). */
  fileName: string;
  sha256: string;
  signer: SignerInfo;
  /** Names of the files written beside it (JSON twin, signature). */
  files: string[];
}

export interface ReportVerification {
  valid: boolean;
  fileName: string;
  signer?: SignerInfo & { trusted: boolean };
  /** Every check that was made, passed or failed, in plain words. */
  checks: { name: string; ok: boolean; detail: string }[];
  reasons: string[];
}

export interface AnalyzeOptions {
  /** Restrict to these analyzer ids (their prerequisites are added). */
  only?: AnalyzerId[];
  /** Parameters per analyzer, as in each analyzer's contract (validated before the call reaches the engine). */
  params?: Partial<Record<AnalyzerId, JsonObject>>;
}

// ---------- events ----------

export type ApiEvent =
  | { type: 'progress'; jobId: string; fraction: number; label: string; evidence?: string; analyzer?: string }
  | { type: 'job-finished'; jobId: string; ok: boolean; cancelled: boolean }
  | { type: 'case-changed'; caseId: string };

// ---------- methods ----------

/** The renderer-facing API (`window.verilens`), one entry per method in API_METHODS. */
export interface VerilensApi {
  getAppInfo(): Promise<ApiResult<AppInfo>>;
  listRecentCases(): Promise<ApiResult<CaseSummary[]>>;
  createCase(input: { title: string; analyst: string; notes?: string }): Promise<ApiResult<CaseView>>;
  openCase(caseId: string): Promise<ApiResult<CaseView>>;
  /** Main shows the open-file dialog; the UI never sees the paths. Resolves `added: []` when cancelled. */
  addEvidenceFromDialog(caseId: string): Promise<ApiResult<AddEvidenceOutcome>>;
  /**
   * Drag-and-drop. The preload turns dropped `File`s into paths with `webUtils.getPathForFile`
   * before the call leaves the renderer process, so the page itself never holds a path.
   */
  addEvidenceDropped(caseId: string, paths: string[]): Promise<ApiResult<AddEvidenceOutcome>>;
  /** Runs the analyzers on the given evidence (all of the case's when empty); progress arrives as events. */
  analyze(caseId: string, evidence: string[], jobId: string, options: AnalyzeOptions): Promise<ApiResult<CaseView>>;
  cancelJob(jobId: string): Promise<ApiResult<boolean>>;
  /** The evidence image for display (EXIF orientation is applied by the browser; non-web formats are converted). */
  getEvidenceImage(caseId: string, evidence: string): Promise<ApiResult<Blob64>>;
  getThumbnail(caseId: string, evidence: string): Promise<ApiResult<Blob64>>;
  getArtifact(caseId: string, sha256: string): Promise<ApiResult<Blob64>>;
  /** One frame of a video evidence file at `timeSec` (display orientation, at most 1280 px wide), as JPEG. */
  getVideoFrame(caseId: string, evidence: string, timeSec: number): Promise<ApiResult<Blob64>>;
  /** `analyzer` '' overrides the evidence's overall verdict. A later override supersedes an earlier one. */
  setVerdictOverride(
    caseId: string,
    evidence: string,
    analyzer: string,
    verdict: Verdict,
    reason: string,
  ): Promise<ApiResult<EvidenceEntry>>;
  /** `index`: the finding's position in the analyzer's `findings` (several findings may share a code); null only when the code is unique. */
  markFinding(
    caseId: string,
    evidence: string,
    analyzer: string,
    code: string,
    index: number | null,
    mark: FindingMarkKind,
    comment: string,
  ): Promise<ApiResult<EvidenceEntry>>;
  addBookmark(
    caseId: string,
    evidence: string,
    bookmark: { comment: string; region?: { x: number; y: number; width: number; height: number } },
  ): Promise<ApiResult<EvidenceEntry>>;
  listModels(): Promise<ApiResult<ModelStatus[]>>;
  getSigner(): Promise<ApiResult<SignerInfo | null>>;
  /** Main asks where to save; signs with the analyst key. */
  exportReport(caseId: string, jobId: string, passphrase: string): Promise<ApiResult<ReportExport | null>>;
  /** Main shows the open dialog for a report file and verifies it. `null` when cancelled. */
  verifyReportFromDialog(): Promise<ApiResult<ReportVerification | null>>;
}

export type ApiMethod = keyof VerilensApi;
export type ApiArgs<M extends ApiMethod> = Parameters<VerilensApi[M]>;
export type ApiValue<M extends ApiMethod> = Awaited<ReturnType<VerilensApi[M]>> extends ApiResult<infer T> ? T : never;

/** A dropped file as the page holds it (a DOM `File`); only the preload can turn it into a path. */
export interface DroppedFile {
  readonly name: string;
}

/**
 * What the renderer sees as `window.verilens`: the methods plus an event subscription. The one
 * difference from VerilensApi: `addEvidenceDropped` takes the dropped `File`s, which the preload
 * maps to paths (webUtils.getPathForFile) before the IPC call, so the page never handles paths.
 */
export interface VerilensBridge extends Omit<VerilensApi, 'addEvidenceDropped'> {
  addEvidenceDropped(caseId: string, files: readonly DroppedFile[]): Promise<ApiResult<AddEvidenceOutcome>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

export const API_METHODS = [
  'getAppInfo',
  'listRecentCases',
  'createCase',
  'openCase',
  'addEvidenceFromDialog',
  'addEvidenceDropped',
  'analyze',
  'cancelJob',
  'getEvidenceImage',
  'getThumbnail',
  'getArtifact',
  'getVideoFrame',
  'setVerdictOverride',
  'markFinding',
  'addBookmark',
  'listModels',
  'getSigner',
  'exportReport',
  'verifyReportFromDialog',
] as const satisfies readonly ApiMethod[];

// Compile-time proof that API_METHODS lists every method of VerilensApi (and nothing else).
type MissingMethods = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const _allListed: MissingMethods extends never ? true : MissingMethods = true;
void _allListed;

/** Methods whose main-process handler opens a native dialog (main must own the window). */
export const DIALOG_METHODS: readonly ApiMethod[] = ['addEvidenceFromDialog', 'exportReport', 'verifyReportFromDialog'];
/** Method whose `paths` argument the preload fills from dropped `File`s (webUtils.getPathForFile). */
export const DROP_METHOD: ApiMethod = 'addEvidenceDropped';
/** IPC channel names used by the preload and main. */
export const IPC_INVOKE_PREFIX = 'verilens:';
export const IPC_EVENT_CHANNEL = 'verilens:event';

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

// ---------- argument validators (run in main and in the test bridge before any handler) ----------

/** Returns null when valid, otherwise a message naming the bad argument. */
type Check = (v: unknown, name: string) => string | null;

const SHA256_RE = /^[0-9a-f]{64}$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const VERDICTS: readonly string[] = ['consistent', 'suspicious', 'inconclusive'];
const MAX_TEXT = 4000;
const MAX_PATHS = 500;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

const text =
  (max: number, required = false): Check =>
  (v, n) => {
    if (typeof v !== 'string') return `${n} must be a string`;
    if (v.length > max) return `${n} is longer than ${max} characters`;
    if (required && v.trim() === '') return `${n} must not be empty`;
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v)) return `${n} contains control characters`;
    return null;
  };
const id: Check = (v, n) => (typeof v === 'string' && ID_RE.test(v) ? null : `${n} must be an id (letters, digits, . _ -; up to 128)`);
const sha: Check = (v, n) => (typeof v === 'string' && SHA256_RE.test(v) ? null : `${n} must be a lowercase SHA-256 hex digest`);
const oneOf =
  (values: readonly string[]): Check =>
  (v, n) =>
    typeof v === 'string' && values.includes(v) ? null : `${n} must be one of ${values.join(', ')}`;
const arrayOf =
  (item: Check, max: number): Check =>
  (v, n) => {
    if (!Array.isArray(v)) return `${n} must be an array`;
    if (v.length > max) return `${n} has more than ${max} items`;
    for (const [i, x] of v.entries()) {
      const e = item(x, `${n}[${i}]`);
      if (e) return e;
    }
    return null;
  };
const finite =
  (min: number, max: number): Check =>
  (v, n) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `${n} must be a number in [${min}, ${max}]`;
const record =
  (fields: Record<string, { check: Check; optional?: boolean }>): Check =>
  (v, n) => {
    if (!isPlainObject(v)) return `${n} must be an object`;
    for (const k of Object.keys(v)) if (!(k in fields)) return `${n}.${k} is not an accepted field`;
    for (const [k, f] of Object.entries(fields)) {
      if (v[k] === undefined) {
        if (f.optional) continue;
        return `${n}.${k} is required`;
      }
      const e = f.check(v[k], `${n}.${k}`);
      if (e) return e;
    }
    return null;
  };
const analyzerId: Check = (v, n) => (isAnalyzerId(v) ? null : `${n} must be an analyzer id (${ANALYZER_IDS.join(', ')})`);
/** Per-analyzer parameters, checked by the same validator the runner and the CLI use. */
const analyzerParams: Check = (v, n) => {
  if (!isPlainObject(v)) return `${n} must be an object`;
  for (const [k, x] of Object.entries(v)) {
    if (!isAnalyzerId(k)) return `${n}: ${analyzerId(k, 'key')}`;
    if (!isPlainObject(x)) return `${n}.${k} must be an object`;
    const r = validateParamsFor(k, x);
    if (!r.ok) return `${n}: ${r.message}`;
  }
  return null;
};
const path: Check = (v, n) => {
  const e = text(4096, true)(v, n);
  if (e) return e;
  return (v as string).includes('\u0000') ? `${n} contains a NUL byte` : null;
};
const region = record({
  x: { check: finite(0, 1e6) },
  y: { check: finite(0, 1e6) },
  width: { check: finite(0, 1e6) },
  height: { check: finite(0, 1e6) },
});

const args =
  (...checks: Check[]) =>
  (a: readonly unknown[]): string | null => {
    if (a.length !== checks.length) return `expected ${checks.length} argument${checks.length === 1 ? '' : 's'}, got ${a.length}`;
    for (const [i, c] of checks.entries()) {
      const e = c(a[i], `argument ${i + 1}`);
      if (e) return e;
    }
    return null;
  };

export const API_VALIDATORS: { readonly [M in ApiMethod]: (a: readonly unknown[]) => string | null } = {
  getAppInfo: args(),
  listRecentCases: args(),
  createCase: args(
    record({ title: { check: text(200, true) }, analyst: { check: text(200, true) }, notes: { check: text(MAX_TEXT), optional: true } }),
  ),
  openCase: args(id),
  addEvidenceFromDialog: args(id),
  addEvidenceDropped: args(id, arrayOf(path, MAX_PATHS)),
  analyze: args(
    id,
    arrayOf(sha, MAX_PATHS),
    id,
    record({
      only: { check: arrayOf(analyzerId, 64), optional: true },
      params: { check: analyzerParams, optional: true },
    }),
  ),
  cancelJob: args(id),
  getEvidenceImage: args(id, sha),
  getThumbnail: args(id, sha),
  getArtifact: args(id, sha),
  getVideoFrame: args(id, sha, finite(0, 1e7)),
  setVerdictOverride: args(id, sha, (v, n) => (v === '' ? null : id(v, n)), oneOf(VERDICTS), text(MAX_TEXT, true)),
  markFinding: args(id, sha, id, id, (v, n) => (v === null || (Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < 1e6) ? null : `${n} must be a finding index (an integer >= 0) or null`), oneOf(['confirmed', 'dismissed', 'noted']), text(MAX_TEXT)),
  addBookmark: args(id, sha, record({ comment: { check: text(MAX_TEXT, true) }, region: { check: region, optional: true } })),
  listModels: args(),
  getSigner: args(),
  exportReport: args(id, id, text(1024)),
  verifyReportFromDialog: args(),
};

/** Validate a call by name; null when the method exists and every argument is acceptable. */
export function validateCall(method: unknown, a: unknown): ErrorInfo | null {
  if (!isApiMethod(method)) return { code: 'unknown-method', message: `unknown API method '${String(method).slice(0, 64)}'` };
  if (!Array.isArray(a)) return { code: 'bad-arguments', message: `${method}: arguments must be an array` };
  const e = API_VALIDATORS[method](a);
  return e ? { code: 'bad-arguments', message: `${method}: ${e}` } : null;
}
