import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { ModelUse } from '../contract/results.js';
import { findTrustedKey } from '../keys/trust-store.js';
import { toErrorInfo, VerilensError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { readFileBounded } from '../util/read-bounded.js';
import { checkRelativePath, parseManifest, type Manifest, type ModelEntry } from './manifest.js';
import { externalDataLocations, ScanError } from './onnx-scan.js';
import { PINNED_MANIFEST_SHA256 } from './pin.js';
import { parseSignature, shortFingerprint, SIGNATURE_FILE, signatureValid } from './signature.js';

export const MANIFEST_FILE = 'manifest.json';
/** Model files above this are refused before reading (the shipped ones are under 2 MB). */
export const MAX_MODEL_BYTES = 1 << 30;
/** An organisation manifest is attacker-reachable input: bounded before it is read (the shipped one is a few KB). */
export const MAX_MANIFEST_BYTES = 16 << 20;
export const MAX_SIGNATURE_BYTES = 64 << 10;

export interface ManifestCheck {
  dir: string;
  path: string;
  ok: boolean;
  /** SHA-256 of manifest.json as read ('' when it could not be read). */
  sha256: string;
  trust?: ModelUse['trust'];
  signer?: { fingerprint: string; shortFingerprint: string; name: string };
  problem?: string;
  manifest?: Manifest;
}

export interface ManifestOptions {
  /** Data folder holding the trust store (dataHome()). */
  home: string;
  /** Expected SHA-256 of the shipped manifest; defaults to the pin compiled into the engine. */
  pin?: string;
  /** True for the shipped folder: only the pin is accepted there, never a signature. */
  shipped?: boolean;
}

function refused(dir: string, path: string, sha256: string, problem: string, extra: Partial<ManifestCheck> = {}): ManifestCheck {
  return { dir, path, ok: false, sha256, problem, ...extra };
}

/**
 * Read a folder's manifest and decide whether to trust it: its SHA-256 equals the pin (the shipped
 * manifest, or an exact copy of it), or it carries a valid `manifest.sig` by a key trusted for
 * 'models'. Never throws: problems come back in `problem`, each naming the file and digests.
 */
export async function checkManifest(dir: string, opts: ManifestOptions): Promise<ManifestCheck> {
  const path = join(dir, MANIFEST_FILE);
  const pin = opts.pin ?? PINNED_MANIFEST_SHA256;
  let bytes: Buffer;
  try {
    bytes = await readFileBounded(path, MAX_MANIFEST_BYTES, 'models manifest');
  } catch (err) {
    if (err instanceof VerilensError) return refused(dir, path, '', err.message);
    const code = (err as NodeJS.ErrnoException).code;
    return refused(dir, path, '', `${path}: ${code === 'ENOENT' ? 'missing' : `unreadable (${code ?? String(err)})`}; expected a models manifest${opts.shipped ? ` with SHA-256 ${pin}` : ''}, actual: none`);
  }
  const sha256 = sha256Hex(bytes);
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes, path);
  } catch (err) {
    return refused(dir, path, sha256, `${toErrorInfo(err).message} (manifest SHA-256 ${sha256})`);
  }
  if (sha256 === pin) return { dir, path, ok: true, sha256, trust: 'pinned', manifest };
  const sigPath = join(dir, SIGNATURE_FILE);
  if (opts.shipped) {
    return refused(dir, path, sha256, `${path}: manifest does not match the digest pinned in this build of Verilens (expected SHA-256 ${pin}, actual ${sha256}); the shipped models were altered or the pin is stale (npm run models:pin)`);
  }
  let sigBytes: Buffer;
  try {
    sigBytes = await readFileBounded(sigPath, MAX_SIGNATURE_BYTES, 'manifest signature');
  } catch (err) {
    if (err instanceof VerilensError) return refused(dir, path, sha256, err.message);
    return refused(dir, path, sha256, `${path}: not the pinned Verilens manifest (expected SHA-256 ${pin}, actual ${sha256}) and there is no ${SIGNATURE_FILE} beside it; an organisation manifest must be signed (verilens models sign --key KEY --models ${dir})`);
  }
  try {
    const sig = parseSignature(sigBytes, sigPath);
    const key = await findTrustedKey(opts.home, sig.signer, 'models');
    const short = shortFingerprint(sig.signer);
    if (!key) {
      return refused(dir, path, sha256, `${sigPath}: signed by key ${short}, which is not trusted for models (manifest SHA-256 ${sha256}); trust it with 'verilens keys trust <pubkey.pem> --for models' if it is your organisation's key`);
    }
    if (!signatureValid(sig, bytes, key.publicKey)) {
      return refused(dir, path, sha256, `${sigPath}: the signature by ${key.name} (${short}) does not match ${path} (actual SHA-256 ${sha256}, signed SHA-256 ${sig.manifestSha256}); the manifest was changed after signing`);
    }
    return { dir, path, ok: true, sha256, trust: 'signed', manifest, signer: { fingerprint: key.fingerprint, shortFingerprint: key.shortFingerprint, name: key.name } };
  } catch (err) {
    return refused(dir, path, sha256, toErrorInfo(err).message);
  }
}

function integrity(message: string): VerilensError {
  return new VerilensError('model-integrity', message);
}

/** Resolve a manifest path inside `dir`, following symlinks, and refuse anything that leaves it. */
async function insideFolder(dir: string, rel: string, what: string, manifestPath: string): Promise<string> {
  checkRelativePath(rel, what, manifestPath);
  const path = resolve(dir, rel);
  let real: string;
  let realDir: string;
  try {
    realDir = await realpath(dir);
    real = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw integrity(`${path}: ${code === 'ENOENT' ? 'missing' : `unreadable (${code ?? String(err)})`} (${what} in ${manifestPath})`);
  }
  const r = relative(realDir, real);
  if (r === '' || r.startsWith('..') || r.split(sep)[0] === '..' || resolve(realDir, r) !== real) {
    throw integrity(`${path}: resolves to ${real}, outside the models folder ${realDir}; refused`);
  }
  return real;
}

async function readChecked(path: string, expectedSha: string, expectedBytes: number, label: string): Promise<Buffer> {
  const st = await stat(path);
  if (!st.isFile()) throw integrity(`${path}: not a regular file (${label}; expected SHA-256 ${expectedSha})`);
  if (st.size > MAX_MODEL_BYTES) throw integrity(`${path}: ${st.size} bytes is larger than any model Verilens accepts (${label}; expected SHA-256 ${expectedSha})`);
  const bytes = await readFile(path);
  const actual = sha256Hex(bytes);
  if (actual !== expectedSha) {
    const size = bytes.length !== expectedBytes ? `; ${bytes.length} bytes instead of ${expectedBytes}${bytes.length < expectedBytes ? ', truncated' : ''}` : '';
    throw integrity(`${path}: ${label} does not match its manifest (expected SHA-256 ${expectedSha}, actual ${actual}${size}); refusing to run it`);
  }
  return bytes;
}

export interface VerifiedFile {
  path: string;
  bytes: Buffer;
  /** True when the graph loads external data. */
  hasExternalData: boolean;
  /** The verified external-data bytes, by the location the graph names (sessions get these, never the disk). */
  externalData: { path: string; data: Buffer }[];
}

/**
 * Verify one model file against its manifest entry: inside the folder, exact digest, and every
 * external-data file it references listed in the manifest, inside the folder and matching its
 * digest. Returns the verified bytes (sessions are created from these bytes, not re-read).
 */
export async function verifyModelFile(check: ManifestCheck, entry: ModelEntry): Promise<VerifiedFile> {
  const label = `model '${entry.id}' ${entry.version}`;
  const path = await insideFolder(check.dir, entry.file, `file of model '${entry.id}'`, check.path);
  const bytes = await readChecked(path, entry.sha256, entry.bytes, label);
  let locations: string[];
  try {
    locations = externalDataLocations(bytes);
  } catch (err) {
    if (err instanceof ScanError) throw integrity(`${path}: not a well-formed ONNX model (${err.message}); ${label}, SHA-256 ${entry.sha256}`);
    throw err;
  }
  const externalData: { path: string; data: Buffer }[] = [];
  for (const loc of locations) {
    if (!loc) throw integrity(`${path}: ${label} marks a tensor as external data without naming the file; refused`);
    const listed = entry.externalData.find((x) => x.file === loc);
    let rel: string;
    try {
      rel = checkRelativePath(loc, 'external data', path);
    } catch {
      throw integrity(`${path}: ${label} references external data '${loc}' outside its folder; refused (expected SHA-256 ${listed?.sha256 ?? 'unlisted'}, actual: not read)`);
    }
    if (!listed) throw integrity(`${resolve(check.dir, rel)}: referenced as external data by ${label} but not listed in ${check.path} (expected SHA-256: none listed, actual: not read); refused`);
    const extPath = await insideFolder(check.dir, rel, `external data of model '${entry.id}'`, check.path);
    externalData.push({ path: loc, data: await readChecked(extPath, listed.sha256, listed.bytes, `external data of ${label}`) });
  }
  return { path, bytes, hasExternalData: locations.length > 0, externalData };
}

export interface ModelStatus {
  id: string;
  version: string;
  role: string;
  file: string;
  ok: boolean;
  sha256: string;
  problem?: string;
}

export interface FolderReport {
  manifest: ManifestCheck;
  models: ModelStatus[];
  ok: boolean;
}

/** Full check of a folder: manifest trust, then every model file (for `verilens models verify`). */
export async function verifyFolder(dir: string, opts: ManifestOptions): Promise<FolderReport> {
  const manifest = await checkManifest(dir, opts);
  if (!manifest.ok || !manifest.manifest) return { manifest, models: [], ok: false };
  const models: ModelStatus[] = [];
  for (const e of manifest.manifest.models) {
    const s: ModelStatus = { id: e.id, version: e.version, role: e.role, file: e.file, ok: true, sha256: e.sha256 };
    try {
      await verifyModelFile(manifest, e);
    } catch (err) {
      s.ok = false;
      s.problem = toErrorInfo(err).message;
    }
    models.push(s);
  }
  return { manifest, models, ok: models.every((m) => m.ok) };
}
