import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzerById, ANALYZERS } from '../../src/analyzers/index.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { CaseSession, loadCase, verifyCase, withCase } from '../../src/cases/index.js';
import { createEngineServices } from '../../src/engine/services.js';
import { publicKeyPem } from '../../src/keys/ed25519.js';
import { loadOrCreateAnalystKey, type AnalystKey } from '../../src/keys/keyring.js';
import { trustKey } from '../../src/keys/trust-store.js';
import { buildBundle, bundlePaths, exportReport } from '../../src/reports/export.js';
import type { ReportDocument } from '../../src/reports/model.js';
import { signReport, type SignatureFile } from '../../src/reports/signature.js';
import { verifyReport } from '../../src/reports/verify.js';
import { fixture } from '../helpers.js';
import { okData, resultsFrom } from '../../src/contract/analyzers/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'verilens-reports-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// Real fixtures: a pasted-object JPEG and its original (ELA), a selfie (faces), a C2PA-signed JPEG.
const FILES = [fixture('images', 'ela_modified.jpg'), fixture('images', 'ela_original.jpg'), fixture('faces', 'image_F1.jpg'), fixture('provenance', 'c2pa', 'CA.jpg')];
const ONLY = ['metadata', 'ela', 'provenance', 'faces'];
const home = join(tmp, 'home');
const caseDir = join(tmp, 'case');
const originals = join(tmp, 'originals');
let key: AnalystKey;
let bundle: ReturnType<typeof bundlePaths>;
let markedRegion = -1;

function flip(path: string, at: (b: Buffer) => number): void {
  const b = readFileSync(path);
  const i = at(b);
  b.writeUInt8(b.readUInt8(i) ^ 0x01, i);
  writeFileSync(path, b);
}

/** Copy the bundle so each tampering test starts from a valid one. */
function copyBundle(name: string): ReturnType<typeof bundlePaths> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const to = bundlePaths(join(dir, 'report.pdf'));
  copyFileSync(bundle.pdf, to.pdf);
  copyFileSync(bundle.json, to.json);
  copyFileSync(bundle.sig, to.sig);
  return to;
}

before(async () => {
  for (const id of ONLY) assert.ok(analyzerById(id), `analyzer '${id}' must be registered`);
  key = await loadOrCreateAnalystKey(home, 'Dana Analyst', 'a long passphrase');
  mkdirSync(originals);
  for (const f of FILES) copyFileSync(f, join(originals, f.split('/').at(-1)!));
  let t = Date.parse('2026-03-02T08:00:00Z');
  const now = (): Date => new Date((t += 60_000));
  const c = await CaseSession.create(caseDir, { title: 'Loan 2291: selfie and ID review', analyst: 'Dana Analyst', notes: 'Uploaded through the mobile channel.', now });
  try {
    for (const f of FILES) await c.addEvidence(f);
    await c.analyze({ analyzers: ANALYZERS, only: ONLY, services: createEngineServices({ home }) });
    await c.annotate({ kind: 'verdict-override', evidence: 'ela_modified.jpg', verdict: 'suspicious', reason: 'Pasted object confirmed by the source photo.' });
    await c.annotate({ kind: 'bookmark', evidence: 'image_F1.jpg', comment: 'Compare with the ID photo on file.' });
    await c.annotate({ kind: 'note', text: 'Requested originals from the applicant.' });
    // Mark one of the ELA outlier regions (they share a code): only that finding carries the mark.
    const findings = c.state.evidence.find((e) => e.names[0] === 'ela_modified.jpg')!.analysis!.analyzers['ela']!.findings;
    markedRegion = findings.flatMap((f, i) => (f.code === 'ela-outlier-region' ? [i] : []))[1] ?? -1;
    await c.annotate({ kind: 'finding-mark', evidence: 'ela_modified.jpg', analyzer: 'ela', finding: 'ela-outlier-region', index: markedRegion, mark: 'confirmed', comment: 'Penguin beak edge.' });
  } finally {
    await c.close();
  }
  const r = await exportReport(caseDir, join(tmp, 'out', 'report.pdf'), key, { now });
  bundle = r.paths;
});

describe('signed case reports', () => {
  it('writes a PDF, a canonical JSON twin and a signature that verify as VALID for the signer', async () => {
    const pdf = readFileSync(bundle.pdf);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const json = readFileSync(bundle.json, 'utf8');
    assert.equal(canonicalJson(JSON.parse(json)), json, 'report.json is canonical');
    const doc = JSON.parse(json) as ReportDocument;
    assert.equal(doc.evidence.length, 4);
    assert.equal(doc.summary.evidence, 4);
    assert.equal(doc.signer.fingerprint, key.fingerprint);
    const ela = doc.evidence.find((e) => e.names[0] === 'ela_modified.jpg')!;
    assert.deepEqual(ela.verdict, { verdict: 'suspicious', overridden: true, reason: 'Pasted object confirmed by the source photo.' });
    assert.ok(ela.analysis?.analyzers.some((a) => a.id === 'ela' && a.result.artifacts.some((x) => x.kind === 'ela-heatmap')), 'ELA heatmap recorded');
    const face = doc.evidence.find((e) => e.names[0] === 'image_F1.jpg')!;
    const faces = face.analysis?.analyzers.find((a) => a.id === 'faces');
    if (faces?.result.status === 'ok') assert.ok(faces.result.artifacts.some((x) => x.kind === 'face-crop'), 'face crop recorded');
    const ca = doc.evidence.find((e) => e.names[0] === 'CA.jpg')!.analysis?.analyzers ?? [];
    const c2pa = okData(resultsFrom(ca), 'provenance')?.c2pa;
    assert.equal(c2pa?.present, true, 'CA.jpg carries a C2PA manifest');
    // The custody log records the export, pointing at the exact bytes.
    const { state } = await loadCase(caseDir);
    assert.equal(state.reports.length, 1);
    assert.equal(state.reports[0]?.pdf.sha256, JSON.parse(readFileSync(bundle.sig, 'utf8')).signed.pdfSha256);
    assert.equal(state.reports[0]?.asOfSeq, doc.custody.entries);

    const v = await verifyReport(bundle.pdf, { home, evidenceDir: originals, caseDir });
    assert.equal(v.valid, true, v.reasons.join('\n'));
    assert.equal(v.signer?.trusted, true);
    assert.equal(v.signer?.trustedAs, 'your own key');
    assert.equal(v.checks.filter((c) => c.name === 'evidence' && c.ok).length, 8); // 4 in --evidence, 4 in the case
  });

  it('puts a mark on one ELA region next to that finding only, in the JSON and the PDF', () => {
    const doc = JSON.parse(readFileSync(bundle.json, 'utf8')) as ReportDocument;
    const ela = doc.evidence.find((e) => e.names[0] === 'ela_modified.jpg')!.analysis!.analyzers.find((a) => a.id === 'ela')!;
    const regions = ela.result.findings.filter((f) => f.code === 'ela-outlier-region');
    assert.ok(regions.length >= 2 && markedRegion >= 0, `several ELA outlier regions, got ${regions.length}`);
    assert.deepEqual(
      ela.marks.map((m) => [m.finding, m.index, m.stale, m.mark, m.comment]),
      [['ela-outlier-region', markedRegion, false, 'confirmed', 'Penguin beak edge.']],
    );
    // In the PDF: once next to its finding, once in the evidence's annotations and once in the custody log; not on every region.
    const text = execFileSync('pdftotext', [bundle.pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.equal(text.split('Penguin beak edge.').length - 1, 3, 'the mark comment appears next to one finding, in the annotations and in the custody log');
    assert.equal(text.split('): confirmed: Penguin beak edge.').length - 1, 1, 'one finding row carries the mark');
  });

  it('prints what a reader needs: case, pages, hashes, images, methods, custody and how to verify', () => {
    // Reading order, with line breaks from wrapping folded into spaces.
    const text = execFileSync('pdftotext', [bundle.pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const doc = JSON.parse(readFileSync(bundle.json, 'utf8')) as ReportDocument;
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [bundle.pdf], { encoding: 'utf8' }))?.[1]);
    assert.ok(pages >= 6, `expected a multi-page report, got ${pages}`);
    for (const needle of [doc.case.id, 'Loan 2291: selfie and ID review', `Page 1 of ${pages}`, `Page ${pages} of ${pages}`, key.shortFingerprint, key.fingerprint, doc.evidence[0]!.sha256.slice(0, 32), 'Results by analyzer', 'ela-heatmap', 'Methods, calibration and limits', 'Chain of custody', 'Content credentials (C2PA)', 'Pasted object confirmed by the source photo.', 'Compare with the ID photo on file.', 'verilens verify report.pdf', doc.custody.head]) {
      assert.ok(text.includes(needle), `the PDF text should include ${needle}`);
    }
    const faces = doc.evidence.find((e) => e.names[0] === 'image_F1.jpg')?.analysis?.analyzers.find((a) => a.id === 'faces');
    if (faces?.result.status === 'ok') assert.ok(text.includes('face 1 of 1, detector score'), 'the face crop is captioned');
    // Thumbnails (4) and the ELA heatmaps (4) at least are embedded images.
    const images = readFileSync(bundle.pdf, 'latin1').match(/\/Subtype \/Image/g)?.length ?? 0;
    assert.ok(images >= 8, `expected at least 8 embedded images, found ${images}`);
    const info = execFileSync('pdfinfo', ['-isodates', bundle.pdf], { encoding: 'utf8' });
    assert.match(info, new RegExp(`CreationDate:\\s+${doc.reportTime.slice(0, 19)}`));
  });

  it('regenerates byte-for-byte: same case, same PDF, JSON and signature', async () => {
    const a = await buildBundle(caseDir, key);
    const b = await buildBundle(caseDir, key);
    assert.ok(a.pdf.equals(b.pdf), 'two builds give the same PDF bytes');
    assert.ok(a.pdf.equals(readFileSync(bundle.pdf)), 'a rebuild after the export was recorded matches the exported PDF');
    assert.equal(a.json, readFileSync(bundle.json, 'utf8'));
    assert.equal(canonicalJson(a.signature), readFileSync(bundle.sig, 'utf8').trim());
    // A report as of an earlier entry describes that state, and only that.
    const early = await buildBundle(caseDir, key, 5);
    assert.equal(early.document.custody.entries, 5);
    assert.equal(early.document.evidence.length, 4);
    assert.equal(early.document.evidence.every((e) => e.analysis === null), true);
  });

  it('flipping one byte of the PDF makes it INVALID: altered PDF', async () => {
    const b = copyBundle('t-pdf');
    flip(b.pdf, (x) => x.length >> 1);
    const v = await verifyReport(b.pdf, { home });
    assert.equal(v.valid, false);
    assert.equal(v.reasons.length, 1);
    assert.match(v.reasons[0]!, /^report\.pdf was altered: its SHA-256 is [0-9a-f]{64}, the signature covers [0-9a-f]{64}$/);
  });

  it('flipping one byte of the JSON makes it INVALID: altered JSON', async () => {
    const b = copyBundle('t-json');
    const text = readFileSync(b.json, 'utf8');
    flip(b.json, () => text.indexOf('Loan 2291') + 5);
    const v = await verifyReport(b.json, { home });
    assert.equal(v.valid, false);
    assert.deepEqual(v.reasons.map((r) => r.replace(/[0-9a-f]{64}/g, 'H')), ['report.json was altered: its SHA-256 is H, the signature covers H']);
  });

  it('flipping one byte of the signature makes it INVALID: signature does not match', async () => {
    const b = copyBundle('t-sig');
    const sig = JSON.parse(readFileSync(b.sig, 'utf8')) as SignatureFile;
    const s = Buffer.from(sig.signature, 'base64');
    s.writeUInt8(s.readUInt8(10) ^ 0x01, 10);
    writeFileSync(b.sig, canonicalJson({ ...sig, signature: s.toString('base64') }));
    const v = await verifyReport(b.sig, { home });
    assert.equal(v.valid, false);
    assert.match(v.reasons.join('\n'), /the signature does not match what it claims to sign: report\.sig was altered, or it was not made with key [0-9a-f:]{19}/);
    // A flip in the signed payload (here the PDF digest) is caught the same way.
    const b2 = copyBundle('t-sig2');
    const t2 = readFileSync(b2.sig, 'utf8');
    writeFileSync(b2.sig, t2.replace(/"pdfSha256":"(.)/, (_m, c: string) => `"pdfSha256":"${c === '0' ? '1' : '0'}`));
    const v2 = await verifyReport(b2.sig, { home });
    assert.equal(v2.valid, false);
    assert.ok(v2.reasons.some((r) => /signature does not match/.test(r)), v2.reasons.join('\n'));
  });

  it('an altered evidence file makes it INVALID, naming the file and both hashes', async () => {
    const ev = join(tmp, 't-evidence');
    mkdirSync(ev);
    for (const f of FILES) copyFileSync(f, join(ev, f.split('/').at(-1)!));
    flip(join(ev, 'CA.jpg'), (x) => x.length - 100);
    const v = await verifyReport(bundle.pdf, { home, evidenceDir: ev });
    assert.equal(v.valid, false);
    assert.equal(v.reasons.length, 1);
    assert.match(v.reasons[0]!, /^evidence 4 \(CA\.jpg\) was altered: CA\.jpg has SHA-256 [0-9a-f]{64}, the report records [0-9a-f]{64}$/);
    rmSync(join(ev, 'CA.jpg'));
    const v2 = await verifyReport(bundle.pdf, { home, evidenceDir: ev });
    assert.match(v2.reasons[0]!, /evidence 4 \(CA\.jpg\) is missing: no file in .* has SHA-256/);
  });

  it('an altered custody line breaks both the case and the report checked against it', async () => {
    const dir = join(tmp, 't-custody-case');
    execFileSync('cp', ['-a', caseDir, dir]);
    const log = join(dir, 'custody.log');
    const lines = readFileSync(log, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('ela_modified.jpg', 'ela_modifiee.jpg');
    writeFileSync(log, lines.join('\n'));
    const cv = await verifyCase(dir);
    assert.equal(cv.ok, false);
    assert.ok(cv.problems.some((p) => p.where === 'custody.log line 3' && /line 3 records [0-9a-f]{64} as the SHA-256 of line 2/.test(p.message)), JSON.stringify(cv.problems));
    const v = await verifyReport(bundle.pdf, { home, caseDir: dir });
    assert.equal(v.valid, false);
    assert.deepEqual(
      v.reasons.map((r) => r.replace(/[0-9a-f]{64}/g, 'H')),
      ['custody.log line 3: line 3 records H as the SHA-256 of line 2, but line 2 hashes to H: line 2 (or this line\'s prev field) was altered'],
    );
  });

  it('a swapped public key makes it INVALID; a valid signature by an unknown key is reported as untrusted', async () => {
    const b = copyBundle('t-key');
    const sig = JSON.parse(readFileSync(b.sig, 'utf8')) as SignatureFile;
    const other = generateKeyPairSync('ed25519');
    writeFileSync(b.sig, canonicalJson({ ...sig, publicKeyPem: publicKeyPem(other.publicKey) }));
    const v = await verifyReport(b.sig, { home });
    assert.equal(v.valid, false);
    assert.match(v.reasons.join('\n'), /the public key in report\.sig \([0-9a-f:]{19}\) is not the key the signature names \([0-9a-f:]{19}\): the key was swapped/);

    // An attacker re-signs with a key of their own: mathematically valid, but not someone we trust.
    const b2 = copyBundle('t-resign');
    const forged = signReport({ ...sig.signed }, { ...other, publicKeyPem: publicKeyPem(other.publicKey), analyst: 'Dana Analyst' });
    writeFileSync(b2.sig, canonicalJson(forged));
    const v2 = await verifyReport(b2.sig, { home });
    assert.equal(v2.valid, false);
    assert.equal(v2.signer?.trusted, false);
    assert.ok(v2.reasons.some((r) => r.startsWith(`signature is mathematically valid but the signer ${forged.signed.signer.slice(0, 4)}:`) && r.includes('is not in your trust store')), v2.reasons.join('\n'));
  });

  it('a colleague verifies only after trusting the signer key for reports', async () => {
    const colleague = join(tmp, 'colleague-home');
    const before1 = await verifyReport(bundle.pdf, { home: colleague });
    assert.equal(before1.valid, false);
    assert.equal(before1.reasons.length, 1);
    assert.match(before1.reasons[0]!, new RegExp(`^signature is mathematically valid but the signer ${key.shortFingerprint} \\(calls itself "Dana Analyst"\\) is not in your trust store`));
    await trustKey(colleague, key.publicKeyPem, { name: 'Dana (models only)', purposes: ['models'] });
    assert.equal((await verifyReport(bundle.pdf, { home: colleague })).valid, false, 'a key trusted for models only does not vouch for reports');
    await trustKey(colleague, key.publicKeyPem, { name: 'Dana, fraud team', purposes: ['reports'] });
    const ok = await verifyReport(bundle.pdf, { home: colleague, evidenceDir: originals });
    assert.equal(ok.valid, true, ok.reasons.join('\n'));
    assert.equal(ok.signer?.trustedAs, 'Dana, fraud team');
  });

  it('refuses to sign a report over altered evidence or a missing signature file', async () => {
    const dir = join(tmp, 't-refuse');
    execFileSync('cp', ['-a', caseDir, dir]);
    const { state } = await loadCase(dir);
    const p = join(dir, state.evidence[1]!.stored);
    chmodSync(p, 0o644);
    flip(p, (x) => x.length >> 1);
    await assert.rejects(exportReport(dir, join(tmp, 't-refuse-out', 'r.pdf'), key), (e: Error & { code?: string }) => e.code === 'evidence-altered' && e.message.includes('ela_original.jpg'));
    await assert.rejects(withCase(dir, {}, async () => undefined).then(() => exportReport(dir, join(tmp, 'x.txt'), key)), /must end in \.pdf/);
    const b = copyBundle('t-nosig');
    rmSync(b.sig);
    const v = await verifyReport(b.pdf, { home });
    assert.deepEqual(v.reasons, ['report.sig is missing: without the signature nothing can be verified']);
  });
});
