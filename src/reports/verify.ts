import type { KeyObject } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { canonicalJson } from '../util/canonical-json.js';
import { walkChain } from '../cases/custody.js';
import { fingerprintOf, publicKeyFromPem, shortFingerprint } from '../keys/ed25519.js';
import { printable } from '../util/display.js';
import { VerilensError } from '../util/errors.js';
import { keysDir } from '../keys/keyring.js';
import { findTrustedKey } from '../keys/trust-store.js';
import { sha256File, sha256Hex } from '../util/hash.js';
import { readFileBounded } from '../util/read-bounded.js';
import { bundlePaths, type BundlePaths } from './export.js';
import type { ReportDocument } from './model.js';
import { checkSignature, type SignatureFile } from './signature.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ReportVerification {
  /** True only when every check passed and the signer is trusted. */
  valid: boolean;
  paths: BundlePaths;
  checks: Check[];
  /** Why the report is not valid (empty when valid). */
  reasons: string[];
  /**
   * `trusted`: the signature verifies and its key is trusted for reports. `signatureValid` and
   * `keyTrustedAs` state the two apart, so a failed signature by a trusted key is not called untrusted.
   */
  signer: { fingerprint: string; shortFingerprint: string; name: string; trusted: boolean; trustedAs?: string; signatureValid: boolean; keyTrustedAs: string | null } | null;
  caseId: string | null;
  reportTime: string | null;
}

export interface VerifyOptions {
  /** Data folder with the trust store and the analyst's own key. */
  home: string;
  /** Folder holding the original evidence files (searched recursively, matched by SHA-256). */
  evidenceDir?: string;
  /** The case folder: its custody log must contain the entries the report covers. */
  caseDir?: string;
}

const MAX_FILES = 100_000;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Bundle files come from whoever sent the report: bounded before reading. */
const MAX_SIG_BYTES = 64 << 10;
const MAX_JSON_BYTES = 256 << 20;

async function readOrNull(path: string, max: number, what: string): Promise<Buffer | null> {
  return readFileBounded(path, max, what).catch((err: unknown) => {
    if (err instanceof VerilensError) throw err;
    return null;
  });
}

/** The bounded read, or the reason it was refused (too large, not a file). */
async function readBundleFile(path: string, max: number, what: string): Promise<Buffer | null | VerilensError> {
  return readOrNull(path, max, what).catch((err: VerilensError) => err);
}

async function isTrusted(home: string, fingerprint: string): Promise<string | null> {
  const k = await findTrustedKey(home, fingerprint, 'reports');
  if (k) return k.name;
  const own = await readFile(join(keysDir(home), 'analyst.pub.pem'), 'utf8').catch(() => null);
  if (own) {
    try {
      if (fingerprintOf(publicKeyFromPem(own, 'own key')) === fingerprint) return 'your own key';
    } catch {
      /* a damaged own key file simply does not vouch */
    }
  }
  return null;
}

/** Check a report bundle offline: signature, signer trust, PDF and JSON digests, and optionally evidence and custody. */
export async function verifyReport(file: string, opts: VerifyOptions): Promise<ReportVerification> {
  const paths = bundlePaths(file);
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string): boolean => {
    checks.push({ name, ok, detail });
    return ok;
  };
  const result = (signer: ReportVerification['signer'], doc: ReportDocument | null): ReportVerification => {
    const reasons = checks.filter((c) => !c.ok).map((c) => c.detail);
    return { valid: reasons.length === 0, paths, checks, reasons, signer, caseId: doc?.case.id ?? null, reportTime: doc?.reportTime ?? null };
  };

  // 0. The file named must exist: otherwise "the .sig is missing" would point at the wrong file.
  // A stem, or one removed file of a bundle whose other files are there, is checked file by file below
  // (which also refuses pipes and folders); only when nothing of the bundle exists is the answer this.
  const missing = (p: string): Promise<boolean> => stat(p).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  if ((await Promise.all([file, paths.pdf, paths.json, paths.sig].map(missing))).every(Boolean)) {
    check('file', false, `${file}: no such file`);
    return result(null, null);
  }

  // 1. The signature file and the key it names.
  const sigBytes = await readBundleFile(paths.sig, MAX_SIG_BYTES, 'report signature');
  if (sigBytes instanceof VerilensError) {
    check('signature', false, sigBytes.message);
    return result(null, null);
  }
  if (!sigBytes) {
    check('signature', false, `${basename(paths.sig)} is missing: without the signature nothing can be verified`);
    return result(null, null);
  }
  let sig: SignatureFile;
  try {
    sig = JSON.parse(sigBytes.toString('utf8')) as SignatureFile;
    if (sig.format !== 'verilens-report-signature' || sig.version !== 1 || sig.algorithm !== 'ed25519' || typeof sig.signed !== 'object' || typeof sig.signature !== 'string') throw new Error('not a Verilens report signature');
  } catch (err) {
    check('signature', false, `${basename(paths.sig)} is damaged or not a Verilens report signature (${(err as Error).message})`);
    return result(null, null);
  }
  const claimed = String(sig.signed.signer);
  let key: KeyObject | null = null;
  try {
    key = publicKeyFromPem(sig.publicKeyPem, basename(paths.sig));
  } catch (err) {
    check('signer key', false, `the public key in ${basename(paths.sig)} is unusable (${(err as Error).message})`);
  }
  let signer: ReportVerification['signer'] = { fingerprint: claimed, shortFingerprint: shortFingerprint(claimed), name: String(sig.signerName), trusted: false, signatureValid: false, keyTrustedAs: null };
  let mathOk = false;
  if (key) {
    const actualFp = fingerprintOf(key);
    // Whether the key is trusted does not depend on whether this signature verifies.
    if (actualFp === claimed) signer = { ...signer, keyTrustedAs: await isTrusted(opts.home, claimed) };
    if (
      check(
        'signer key',
        actualFp === claimed,
        actualFp === claimed
          ? `public key ${shortFingerprint(actualFp)} matches the signer named in the signature`
          : `the public key in ${basename(paths.sig)} (${shortFingerprint(actualFp)}) is not the key the signature names (${shortFingerprint(claimed)}): the key was swapped`,
      )
    ) {
      mathOk = check(
        'signature',
        checkSignature(sig, key),
        checkSignature(sig, key)
          ? `Ed25519 signature by ${shortFingerprint(claimed)} is mathematically valid`
          : `the signature does not match what it claims to sign: ${basename(paths.sig)} was altered, or it was not made with key ${shortFingerprint(claimed)}`,
      );
    }
  }

  // 2. Is the signer someone we trust?
  if (mathOk) {
    const as = signer.keyTrustedAs;
    signer = { ...signer, signatureValid: true, trusted: as !== null, ...(as ? { trustedAs: as } : {}) };
    check(
      'signer trust',
      as !== null,
      as !== null
        ? `signer ${shortFingerprint(claimed)} is trusted for reports (${as})`
        : `signature is mathematically valid but the signer ${shortFingerprint(claimed)} (calls itself "${sig.signerName}") is not in your trust store; if you have checked this fingerprint with the signer, import their key with 'verilens keys trust <their.pub.pem> --for reports'`,
    );
  }

  // 3. The PDF and the JSON are the bytes that were signed.
  // Streamed: a PDF may be large, and it is only hashed.
  const pdfSha = await stat(paths.pdf).then((s) => (s.isFile() ? sha256File(paths.pdf) : null), () => null);
  if (!pdfSha) check('pdf', false, `${basename(paths.pdf)} is missing`);
  else {
    const sha = pdfSha;
    check('pdf', sha === sig.signed.pdfSha256, sha === sig.signed.pdfSha256 ? `${basename(paths.pdf)} is unchanged (SHA-256 ${sha})` : `${basename(paths.pdf)} was altered: its SHA-256 is ${sha}, the signature covers ${sig.signed.pdfSha256}`);
  }
  const jsonRead = await readBundleFile(paths.json, MAX_JSON_BYTES, 'report JSON');
  const jsonBytes = jsonRead instanceof VerilensError ? null : jsonRead;
  let doc: ReportDocument | null = null;
  if (jsonRead instanceof VerilensError) check('json', false, jsonRead.message);
  else if (!jsonBytes) check('json', false, `${basename(paths.json)} is missing`);
  else {
    const sha = sha256Hex(jsonBytes);
    if (check('json', sha === sig.signed.jsonSha256, sha === sig.signed.jsonSha256 ? `${basename(paths.json)} is unchanged (SHA-256 ${sha})` : `${basename(paths.json)} was altered: its SHA-256 is ${sha}, the signature covers ${sig.signed.jsonSha256}`)) {
      try {
        const parsed = JSON.parse(jsonBytes.toString('utf8')) as ReportDocument;
        const canonical = canonicalJson(parsed) === jsonBytes.toString('utf8');
        const consistent =
          parsed.format === 'verilens-report' &&
          parsed.case?.id === sig.signed.caseId &&
          parsed.reportTime === sig.signed.reportTime &&
          parsed.custody?.entries === sig.signed.custodyEntries &&
          parsed.custody?.head === sig.signed.custodyHead &&
          parsed.signer?.fingerprint === sig.signed.signer;
        if (check('json content', canonical && consistent, canonical && consistent ? `report for case ${parsed.case.id} as of custody entry ${parsed.custody.entries}` : `${basename(paths.json)} ${canonical ? 'does not agree with the signature (case, time, custody or signer differ)' : 'is not canonical JSON'}`)) doc = parsed;
      } catch {
        check('json content', false, `${basename(paths.json)} is not valid JSON`);
      }
    }
  }

  // The name in the .sig is not covered by the signature: only the name inside the signed JSON counts.
  if (doc) {
    const signedName = String(doc.signer?.analyst);
    if (check('signer name', String(sig.signerName) === signedName, String(sig.signerName) === signedName ? `the signed report names the signer "${signedName}"` : `${basename(paths.sig)} names the signer "${String(sig.signerName)}" but the signed report names "${signedName}": the name was changed after signing`)) {
      if (signer) signer = { ...signer, name: signedName };
    }
  }

  // 4. Evidence files, when at hand.
  const evidenceDirs = [...(opts.evidenceDir ? [opts.evidenceDir] : []), ...(opts.caseDir ? [join(opts.caseDir, 'evidence')] : [])];
  if (evidenceDirs.length && doc) {
    for (const dir of evidenceDirs) {
      const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
      if (!check('evidence folder', isDir, isDir ? `${dir} searched` : `${dir} is not a folder`)) continue;
      const files = await listFiles(dir);
      const bySha = new Map<string, string>();
      const byName = new Map<string, string[]>();
      for (const f of files) {
        const sha = await sha256File(f).catch(() => null);
        if (sha && !bySha.has(sha)) bySha.set(sha, f);
        byName.set(basename(f), [...(byName.get(basename(f)) ?? []), f]);
      }
      for (const e of doc.evidence) {
        const label = `evidence ${e.index} (${e.names[0] ?? e.sha256})`;
        const hit = bySha.get(e.sha256);
        if (hit) {
          check('evidence', true, `${label}: ${relative(dir, hit)} has the recorded SHA-256`);
          continue;
        }
        const sameName = e.names.flatMap((n) => byName.get(n) ?? []).concat(byName.get(basename(e.stored)) ?? []);
        if (sameName.length) {
          const f = sameName[0]!;
          check('evidence', false, `${label} was altered: ${relative(dir, f)} has SHA-256 ${await sha256File(f)}, the report records ${e.sha256}`);
        } else {
          check('evidence', false, `${label} is missing: no file in ${dir} has SHA-256 ${e.sha256}`);
        }
      }
    }
  }

  // 5. The case's custody log still holds the entries the report covers.
  if (opts.caseDir && doc) {
    const text = await readFile(join(opts.caseDir, 'custody.log'), 'utf8').catch(() => null);
    if (text === null) check('custody', false, `${opts.caseDir} has no custody.log`);
    else {
      const chain = walkChain(text);
      const n = doc.custody.entries;
      const breaks = chain.breaks.filter((b) => b.line <= n + 1);
      for (const b of breaks) check('custody', false, `custody.log line ${b.line}: ${b.message}`);
      const at = chain.lines[n - 1];
      if (!at) check('custody', false, `custody.log has ${chain.lines.length} entries, the report covers ${n}: entries were removed`);
      else if (at.sha256 !== doc.custody.head) check('custody', false, `custody.log line ${n} hashes to ${at.sha256}, the report records ${doc.custody.head}: the log was altered at or before line ${n}`);
      else if (!breaks.length) check('custody', true, `custody.log entries 1-${n} are the ones the report covers`);
    }
  }
  return result(signer, doc);
}

export function formatReportVerification(v: ReportVerification): string {
  const out: string[] = [];
  out.push(`${v.valid ? 'VALID' : 'INVALID'}: ${v.paths.pdf}`);
  if (v.caseId) out.push(`case ${v.caseId}, as of ${v.reportTime}`);
  if (v.signer) {
    const s = v.signer;
    const trust = s.signatureValid
      ? s.trusted
        ? `, trusted as ${s.trustedAs}`
        : ', NOT trusted'
      : `; ${s.keyTrustedAs ? `this key is trusted (${s.keyTrustedAs})` : 'this key is not in your trust store'}, but the signature does NOT verify`;
    out.push(`${s.signatureValid ? 'signer' : 'claimed signer'} ${s.name}, ${s.shortFingerprint} (full: ${s.fingerprint})${trust}`);
  }
  if (!v.valid) {
    out.push('reasons:');
    for (const r of v.reasons) out.push(`  - ${r}`);
  }
  out.push('checks:');
  for (const c of v.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  // Names come from the bundle: no escapes or newlines may forge a VALID line.
  return `${out.map(printable).join('\n')}\n`;
}
