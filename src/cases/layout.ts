import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dataHome } from '../util/paths.js';

/**
 * The one owner of the case folder's layout: the case-id format, file names and where each thing
 * lives. The case store, the API, the report export and the CLI ask here instead of joining names.
 *
 *   <cases>/<case id>/custody.log            the record (hash-chained JSON lines)
 *   <cases>/<case id>/case.json              snapshot rebuilt from the log
 *   <cases>/<case id>/evidence/<sha>.<fmt>   read-only evidence copies
 *   <cases>/<case id>/artifacts/<sha>.<ext>  heatmaps, crops, stored results (<sha>.json)
 *   <cases>/<case id>/case.lock              present while a process writes
 */
export const CASE_FILE = 'case.json';
export const CUSTODY_FILE = 'custody.log';
export const LOCK_FILE = 'case.lock';
export const EVIDENCE_DIR = 'evidence';
export const ARTIFACTS_DIR = 'artifacts';

/** Case ids the store makes: VL-YYYYMMDD-XXXXXX (six upper-case hex digits). */
export const CASE_ID_RE = /^VL-\d{8}-[0-9A-F]{6}$/;
/** What an API caller may pass as a case id (a folder name under the cases folder, never a path). */
export const CASE_REF_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const SHA256_RE = /^[0-9a-f]{64}$/;

/** A new case id for `now`. */
export function newCaseId(now: Date = new Date()): string {
  return `VL-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

export function isCaseId(v: string): boolean {
  return CASE_ID_RE.test(v);
}

/** Default folder holding one sub-folder per case: `<data home>/cases`. */
export function defaultCasesDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(dataHome(env), 'cases');
}

/** The folder of case `id` under `casesDir`; refuses anything that is not a plain folder name. */
export function caseFolder(casesDir: string, id: string): string {
  if (!CASE_REF_RE.test(id)) throw new RangeError(`not a case id: ${JSON.stringify(id.slice(0, 80))}`);
  return join(casesDir, id);
}

/** Where the copy of an evidence file is stored, relative to the case folder. */
export function storedEvidenceName(sha256: string, format: string): string {
  return `${EVIDENCE_DIR}/${sha256}.${format}`;
}

/** Whether `stored` is exactly the content-addressed name the store gives evidence with this hash and format. */
export function isStoredEvidenceName(stored: string, sha256: string, format: string): boolean {
  return SHA256_RE.test(sha256) && /^[a-z0-9]{1,8}$/.test(format) && stored === storedEvidenceName(sha256, format);
}

/** Where an artifact with this hash and extension lives, relative to the case folder. */
export function artifactName(sha256: string, ext: string): string {
  return `${ARTIFACTS_DIR}/${sha256}.${ext}`;
}

/** Stored analysis results are artifacts named by the SHA-256 of their canonical JSON. */
export function resultsName(sha256: string): string {
  return artifactName(sha256, 'json');
}

export function isResultsName(rel: string, sha256: string): boolean {
  return SHA256_RE.test(sha256) && rel === resultsName(sha256);
}

/** Artifact extensions the API serves as images, with their MIME types (SVG is shown with <img>: scripts never run). */
export const IMAGE_ARTIFACT_MIME: Readonly<Record<string, string>> = Object.freeze({
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  svg: 'image/svg+xml',
});
