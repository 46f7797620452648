import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, constants as fsc, mkdirSync, openSync, mkdtempSync, readFileSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keysCommand } from '../../src/cli/commands/keys.js';
import { acquireCaseLock, LOCK_NAME } from '../../src/cases/lock.js';
import { formatVerification } from '../../src/cli/commands/case.js';
import type { CliIO } from '../../src/cli/io.js';
import { openEvidence } from '../../src/evidence/intake.js';
import { generateEd25519, publicKeyPem } from '../../src/keys/ed25519.js';
import { decryptKeyFile, encryptKeyPair, loadOrCreateAnalystKey } from '../../src/keys/keyring.js';
import { findTrustedKey, trustKey, type TrustPurpose } from '../../src/keys/trust-store.js';
import type { ModelEntry } from '../../src/models/manifest.js';
import { externalDataLocations } from '../../src/models/onnx-scan.js';
import { createVerifiedSession, loadOrt } from '../../src/models/registry.js';
import { checkManifest, verifyModelFile, type ManifestCheck } from '../../src/models/verify.js';
import { formatReportVerification, verifyReport } from '../../src/reports/verify.js';
import { exportReport } from '../../src/reports/export.js';
import { signReport } from '../../src/reports/signature.js';
import { CaseSession, verifyCase } from '../../src/cases/index.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { sha256Hex } from '../../src/util/hash.js';
import { ROOT } from '../helpers.js';

function io(home: string): CliIO & { text: string[] } {
  const text: string[] = [];
  return { text, out: (t) => void text.push(t), err: (t) => void text.push(t), errIsTTY: false, env: { VERILENS_HOME: home } };
}

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `verilens-sec-${p}-`));

describe('security: keys and trust store', () => {
  it('trust-purpose-default: importing a key without --for does not trust it for model manifests', async () => {
    const home = tmp('trust');
    const pub = join(home, 'colleague.pub.pem');
    const pair = generateEd25519();
    writeFileSync(pub, publicKeyPem(pair.publicKey));
    // A colleague's key imported to check their reports must not silently vouch for models too.
    await assert.rejects(keysCommand.run(['trust', pub, '--name', 'Dana'], io(home)), { code: 'usage' });
    await assert.rejects(trustKey(home, publicKeyPem(pair.publicKey), { name: 'Dana' } as { name: string; purposes: TrustPurpose[] }), { code: 'usage' });
    await assert.rejects(trustKey(home, publicKeyPem(pair.publicKey), { name: 'Dana', purposes: [] }), { code: 'usage' });
    const fp = (await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Dana', purposes: ['reports'] })).fingerprint;
    assert.equal(await findTrustedKey(home, fp, 'models'), null);
  });

  it('key-file-mode: the encrypted private key is readable by its owner only, even in an existing folder', async () => {
    const home = tmp('mode');
    mkdirSync(join(home, 'keys'));
    chmodSync(join(home, 'keys'), 0o755);
    await loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery');
    assert.equal(statSync(join(home, 'keys', 'analyst.key.json')).mode & 0o077, 0);
  });

  it('key-file-kdf-params: absurd scrypt parameters in a tampered key file are refused, not run', async () => {
    const home = tmp('kdf');
    await loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery');
    const path = join(home, 'keys', 'analyst.key.json');
    const orig = readFileSync(path, 'utf8');
    for (const kdf of [{ N: 2 ** 30 }, { N: 2 }, { p: 100_000 }, { r: 1 }, { N: 'x' }]) {
      const f = JSON.parse(orig) as { kdf: Record<string, unknown> };
      Object.assign(f.kdf, kdf);
      writeFileSync(path, JSON.stringify(f));
      const t0 = Date.now();
      await assert.rejects(loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery'), { code: 'bad-key' }, JSON.stringify(kdf));
      assert.ok(Date.now() - t0 < 5000);
    }
    const f = JSON.parse(orig) as { cipher?: unknown };
    delete f.cipher;
    writeFileSync(path, JSON.stringify(f));
    await assert.rejects(loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery'), { code: 'bad-key' });
  });

  it('key-file-public-key-swap: a key file whose public key is not the private key is refused', async () => {
    const home = tmp('swap');
    await loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery');
    const path = join(home, 'keys', 'analyst.key.json');
    const other = generateEd25519();
    const f = JSON.parse(readFileSync(path, 'utf8')) as { publicKeyPem: string; fingerprint: string };
    const k = await trustKey(tmp('fp'), publicKeyPem(other.publicKey), { name: 'x', purposes: ['reports'] });
    f.publicKeyPem = publicKeyPem(other.publicKey);
    f.fingerprint = k.fingerprint;
    writeFileSync(path, JSON.stringify(f));
    await assert.rejects(loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery'), { code: 'bad-key' });
  });
});

// A runnable ONNX graph y = x + w whose initializer w (4 floats) is external data at `location`.
function pbVarint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const pbCat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const pbField = (no: number, payload: Uint8Array | string): Uint8Array => {
  const b = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Uint8Array.from([...pbVarint(no * 8 + 2), ...pbVarint(b.length), ...b]);
};
const pbInt = (no: number, v: number): Uint8Array => Uint8Array.from([...pbVarint(no * 8), ...pbVarint(v)]);
function addModelWithExternalWeights(location: string): Buffer {
  const vec4 = (name: string): Uint8Array => pbCat(pbField(1, name), pbField(2, pbField(1, pbCat(pbInt(1, 1), pbField(2, pbField(1, pbInt(1, 4)))))));
  const w = pbCat(pbInt(1, 4), pbInt(2, 1), pbField(8, 'w'), pbField(13, pbCat(pbField(1, 'location'), pbField(2, location))), pbField(13, pbCat(pbField(1, 'length'), pbField(2, '16'))), pbInt(14, 1));
  const node = pbCat(pbField(1, 'x'), pbField(1, 'w'), pbField(2, 'y'), pbField(3, 'add'), pbField(4, 'Add'));
  const graph = pbCat(pbField(1, node), pbField(2, 'g'), pbField(5, w), pbField(11, vec4('x')), pbField(12, vec4('y')));
  return Buffer.from(pbCat(pbInt(1, 8), pbField(8, pbCat(pbField(1, ''), pbInt(2, 13))), pbField(7, graph)));
}

describe('security: models', () => {
  it('model-external-data-toctou: the session runs the external weights that were verified, not what is on disk later', async () => {
    const dir = tmp('ext');
    const model = addModelWithExternalWeights('weights.bin');
    const good = Buffer.from(new Float32Array([1, 2, 3, 4]).buffer);
    writeFileSync(join(dir, 'add.onnx'), model);
    writeFileSync(join(dir, 'weights.bin'), good);
    const base = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8')) as { models: ModelEntry[] };
    const entry: ModelEntry = {
      ...base.models.find((m) => m.role === 'face-swap')!,
      id: 'org-add',
      file: 'add.onnx',
      sha256: sha256Hex(model),
      bytes: model.length,
      externalData: [{ file: 'weights.bin', sha256: sha256Hex(good), bytes: 16 }],
    };
    const check: ManifestCheck = { dir, path: join(dir, 'manifest.json'), ok: true, sha256: '' };
    const verified = await verifyModelFile(check, entry);
    assert.equal(verified.hasExternalData, true);
    // An attacker swaps the weights between the check and the session.
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(new Float32Array([100, 100, 100, 100]).buffer));
    const session = await createVerifiedSession(verified, 1);
    const ort = await loadOrt();
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([0, 0, 0, 0]), [4]) });
    assert.deepEqual([...(out['y']!.data as Float32Array)], [1, 2, 3, 4]);
  });
});

describe('security: unbounded reads of hostile files', () => {
  it('oversized-manifest: a huge manifest.json or manifest.sig is refused by size, without being read', async () => {
    const dir = tmp('bigman');
    writeFileSync(join(dir, 'manifest.json'), '');
    truncateSync(join(dir, 'manifest.json'), 64 * 1024 * 1024);
    const c = await checkManifest(dir, { home: tmp('home') });
    assert.equal(c.ok, false);
    assert.match(c.problem ?? '', /manifest\.json: .*larger than/);
    // A parseable organisation manifest beside a 2 MB signature file.
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'verilens-models', version: 1, models: [] }));
    writeFileSync(join(dir, 'manifest.sig'), '');
    truncateSync(join(dir, 'manifest.sig'), 2 * 1024 * 1024);
    const s = await checkManifest(dir, { home: tmp('home') });
    assert.equal(s.ok, false);
    assert.match(s.problem ?? '', /manifest\.sig: .*larger than/);
  });

  it('oversized-report-files: a huge report .sig or .json in a tampered bundle is refused by size', async () => {
    const dir = tmp('bigrep');
    writeFileSync(join(dir, 'r.sig'), '');
    truncateSync(join(dir, 'r.sig'), 2 * 1024 * 1024);
    writeFileSync(join(dir, 'r.pdf'), '%PDF-1.7\n');
    let v = await verifyReport(join(dir, 'r.pdf'), { home: tmp('home') });
    assert.equal(v.valid, false);
    assert.match(v.reasons.join('\n'), /r\.sig.*larger than/);
    const signed = { caseId: 'x', reportTime: 't', custodyEntries: 1, custodyHead: '0'.repeat(64), jsonSha256: '0'.repeat(64), pdfSha256: '0'.repeat(64), signer: '0'.repeat(64) };
    writeFileSync(join(dir, 'r.sig'), JSON.stringify({ format: 'verilens-report-signature', version: 1, algorithm: 'ed25519', signed, signerName: 'x', publicKeyPem: 'x', signature: 'AA==' }));
    writeFileSync(join(dir, 'r.json'), '');
    truncateSync(join(dir, 'r.json'), 600 * 1024 * 1024);
    v = await verifyReport(join(dir, 'r.pdf'), { home: tmp('home') });
    assert.equal(v.valid, false);
    assert.match(v.reasons.join('\n'), /r\.json.*larger than/);
  });
});

describe('security: hostile evidence files', () => {
  it('evidence-fifo-hang: a named pipe posing as evidence is refused at once, not waited on', { skip: process.platform === 'win32' }, async () => {
    const dir = tmp('fifo');
    const fifo = join(dir, 'selfie.jpg');
    execFileSync('mkfifo', [fifo]);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      openEvidence(fifo).then(
        () => 'opened',
        (err: { code?: string }) => err.code ?? 'error',
      ),
      new Promise<string>((res) => {
        timer = setTimeout(() => res('hung'), 3000);
      }),
    ]);
    clearTimeout(timer);
    // Unblock a reader stuck in open() so a failing run still ends.
    if (outcome === 'hung') closeSync(openSync(fifo, fsc.O_WRONLY | fsc.O_NONBLOCK));
    assert.equal(outcome, 'not-a-file');
  });
});

describe('security: case lock', () => {
  it('stale-lock-takeover-race: when a dead process left the lock, exactly one of many contenders gets it', async () => {
    const dir = tmp('lock');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = JSON.stringify({ pid: dead, host: hostname(), started: '2020-01-01T00:00:00.000Z', purpose: 'crashed' });
    for (let round = 0; round < 5; round++) {
      writeFileSync(join(dir, LOCK_NAME), stale);
      const tries = await Promise.allSettled(Array.from({ length: 8 }, () => acquireCaseLock(dir, `contender ${round}`)));
      const won = tries.filter((t): t is PromiseFulfilledResult<() => Promise<void>> => t.status === 'fulfilled');
      for (const t of tries) if (t.status === 'rejected') assert.equal((t.reason as { code?: string }).code, 'case-locked');
      assert.equal(won.length, 1, `round ${round}: ${won.length} processes hold the lock at once`);
      await won[0]!.value();
    }
  });
});

describe('security: report verification', () => {
  it('report-signer-name-unbound: renaming the signer in the .sig of a valid bundle makes it INVALID', async () => {
    const home = tmp('rep');
    const key = await loadOrCreateAnalystKey(home, 'Dana Analyst', 'a long passphrase');
    const caseDir = join(home, 'case');
    const c = await CaseSession.create(caseDir, { title: 'signer name', analyst: 'Dana Analyst' });
    try {
      await c.addEvidence(join(ROOT, 'test', 'fixtures', 'images', 'noexif.jpg'));
    } finally {
      await c.close();
    }
    const r = await exportReport(caseDir, join(home, 'out', 'report.pdf'), key);
    assert.equal((await verifyReport(r.paths.pdf, { home })).valid, true);
    const sig = JSON.parse(readFileSync(r.paths.sig, 'utf8')) as { signerName: string };
    sig.signerName = 'Chief Examiner';
    writeFileSync(r.paths.sig, `${canonicalJson(sig)}\n`);
    const v = await verifyReport(r.paths.pdf, { home });
    assert.equal(v.valid, false, formatReportVerification(v));
    assert.match(v.reasons.join('\n'), /Chief Examiner/);
  });
});

describe('security: key derivation strength', () => {
  it('weak-scrypt-params: new key files use at least the OWASP scrypt cost (N 2^17, r 8), and older 2^15 files still open', async () => {
    const home = tmp('scrypt');
    await loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery');
    const path = join(home, 'keys', 'analyst.key.json');
    const f = JSON.parse(readFileSync(path, 'utf8')) as { kdf: { N: number; r: number; p: number } };
    assert.ok(f.kdf.N >= 2 ** 17 && f.kdf.r >= 8 && f.kdf.p >= 1, JSON.stringify(f.kdf));
    const pair = generateEd25519();
    const legacy = encryptKeyPair('Old', pair, 'correct horse battery', '2026-01-01T00:00:00.000Z', { N: 2 ** 15, r: 8, p: 1 });
    assert.equal(legacy.kdf.N, 2 ** 15);
    assert.equal(decryptKeyFile(legacy, 'correct horse battery').analyst, 'Old');
  });
});

describe('security: ONNX external-data scan', () => {
  it('onnx-scan-function-default-attribute: external data hidden in a function attribute default is found', () => {
    const tensor = pbCat(pbInt(1, 4), pbInt(2, 1), pbField(8, 'k'), pbField(13, pbCat(pbField(1, 'location'), pbField(2, '../../secret.bin'))), pbInt(14, 1));
    const attr = pbCat(pbField(1, 'k'), pbInt(20, 4), pbField(5, tensor));
    const fn = pbCat(pbField(1, 'F'), pbField(10, 'org.example'), pbField(11, attr));
    const model = Buffer.from(pbCat(pbInt(1, 8), pbField(7, pbField(2, 'g')), pbField(25, fn)));
    assert.deepEqual(externalDataLocations(model), ['../../secret.bin']);
  });

  it('onnx-scan-training-info: external data in a training-info graph is found', () => {
    const tensor = pbCat(pbInt(1, 4), pbInt(2, 1), pbField(8, 'k'), pbField(13, pbCat(pbField(1, 'location'), pbField(2, '/etc/passwd'))), pbInt(14, 1));
    const training = pbField(1, pbField(5, tensor));
    const model = Buffer.from(pbCat(pbInt(1, 8), pbField(7, pbField(2, 'g')), pbField(20, training)));
    assert.deepEqual(externalDataLocations(model), ['/etc/passwd']);
  });
});

describe('security: hostile case folders', () => {
  it('case-evidence-fifo-or-symlink: a stored evidence copy replaced by a pipe or a symlink is reported, never waited on or followed', { skip: process.platform === 'win32' }, async () => {
    const dir = join(tmp('casefifo'), 'case');
    const c = await CaseSession.create(dir, { title: 'fifo', analyst: 'Ada' });
    let stored: string;
    try {
      stored = (await c.addEvidence(join(ROOT, 'test', 'fixtures', 'images', 'noexif.jpg'))).stored;
    } finally {
      await c.close();
    }
    const copy = join(dir, stored);
    const original = readFileSync(copy);
    unlinkSync(copy);
    execFileSync('mkfifo', [copy]);
    let timer: NodeJS.Timeout | undefined;
    const v = await Promise.race([
      verifyCase(dir),
      new Promise<null>((res) => {
        timer = setTimeout(() => res(null), 3000);
      }),
    ]);
    clearTimeout(timer);
    if (v === null) closeSync(openSync(copy, fsc.O_WRONLY | fsc.O_NONBLOCK));
    assert.ok(v, 'case verify hung on a named pipe');
    assert.equal(v.ok, false);
    assert.match(v.problems.map((p) => p.message).join('\n'), /not a regular file/);
    // A symlink to an outside file with the right bytes is not an evidence copy either.
    unlinkSync(copy);
    const outside = join(tmp('outside'), 'x.jpg');
    writeFileSync(outside, original);
    symlinkSync(outside, copy);
    const w = await verifyCase(dir);
    assert.equal(w.ok, false);
    assert.match(w.problems.map((p) => p.message).join('\n'), /not a regular file/);
  });
});

describe('security: pipes in place of trust files', () => {
  it('manifest-fifo-hang: a named pipe as manifest.json or report .sig is refused, not waited on', { skip: process.platform === 'win32' }, async () => {
    const dir = tmp('manfifo');
    execFileSync('mkfifo', [join(dir, 'manifest.json')]);
    execFileSync('mkfifo', [join(dir, 'r.sig')]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((res) => {
      timer = setTimeout(() => res(null), 3000);
    });
    const [m, r] = await Promise.all([Promise.race([checkManifest(dir, { home: tmp('home') }), timeout]), Promise.race([verifyReport(join(dir, 'r.pdf'), { home: tmp('home') }), timeout])]);
    clearTimeout(timer);
    for (const f of ['manifest.json', 'r.sig']) if (!(f === 'manifest.json' ? m : r)) closeSync(openSync(join(dir, f), fsc.O_WRONLY | fsc.O_NONBLOCK));
    assert.ok(m && r, 'hung on a named pipe');
    assert.match(m.problem ?? '', /not a regular file/);
    assert.match(r.reasons.join('\n'), /not a regular file/);
  });
});

describe('security: custody log parsing', () => {
  it('custody-non-json-number: a line holding 1e999 is reported as a break on that line, not a crash of case verify', async () => {
    const dir = join(tmp('custnum'), 'case');
    const c = await CaseSession.create(dir, { title: 'numbers', analyst: 'Ada' });
    await c.annotate({ kind: 'note', text: 'first' });
    await c.close();
    const log = join(dir, 'custody.log');
    const lines = readFileSync(log, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"seq":2', '"seq":2,"x":1e999');
    writeFileSync(log, lines.join('\n'));
    const v = await verifyCase(dir);
    assert.equal(v.ok, false);
    assert.ok(v.problems.some((p) => p.where === 'custody.log line 2'), JSON.stringify(v.problems));
  });

  it('case-json-non-json-number: a case.json holding 1e999 is reported, not a crash of case verify', async () => {
    const dir = join(tmp('casenum'), 'case');
    const c = await CaseSession.create(dir, { title: 'numbers', analyst: 'Ada' });
    await c.close();
    const path = join(dir, 'case.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"version": 1', '"version": 1e999'));
    const v = await verifyCase(dir);
    assert.equal(v.ok, false);
    assert.ok(v.problems.some((p) => p.where === 'case.json'), JSON.stringify(v.problems));
  });
});

describe('security: report signature parsing', () => {
  it('report-sig-non-json-number: a .sig whose signed payload holds 1e999 gives INVALID, not an exception', async () => {
    const dir = tmp('signum');
    const pair = generateEd25519();
    const pem = publicKeyPem(pair.publicKey);
    const fp = (await trustKey(tmp('fp2'), pem, { name: 'x', purposes: ['reports'] })).fingerprint;
    const text = `{"algorithm":"ed25519","format":"verilens-report-signature","publicKeyPem":${JSON.stringify(pem)},"signature":"AA==","signed":{"signer":"${fp}","custodyEntries":1e999},"signerName":"x","version":1}`;
    writeFileSync(join(dir, 'r.sig'), text);
    const v = await verifyReport(join(dir, 'r.pdf'), { home: tmp('home') });
    assert.equal(v.valid, false);
    assert.ok(v.checks.some((c) => c.name === 'signature' && !c.ok));
  });
});

describe('security: terminal output of hostile names', () => {
  it('terminal-escape-spoofing: an evidence name or signer name with escapes or newlines cannot forge an INTACT or VALID line', async () => {
    const root = tmp('ansi');
    const hostile = join(root, 'a\u001b[1A\u001b[2K\rINTACT: case ok\nINTACT: case\u202egpj.jpg');
    copyFileSync(join(ROOT, 'test', 'fixtures', 'images', 'noexif.jpg'), hostile);
    const dir = join(root, 'case');
    const c = await CaseSession.create(dir, { title: 't', analyst: 'Ada' });
    let stored: string;
    try {
      stored = (await c.addEvidence(hostile)).stored;
    } finally {
      await c.close();
    }
    chmodSync(join(dir, stored), 0o644);
    writeFileSync(join(dir, stored), 'altered');
    const text = formatVerification(await verifyCase(dir));
    assert.match(text, /^BROKEN/);
    assert.doesNotMatch(text, /[\u001b\r\u202e]/u);
    assert.ok(!text.split('\n').some((l) => l.startsWith('INTACT')), text);

    const pair = generateEd25519();
    const pem = publicKeyPem(pair.publicKey);
    const fp = (await trustKey(tmp('fp3'), pem, { name: 'x', purposes: ['reports'] })).fingerprint;
    const signed = { caseId: 'c', reportTime: 't', custodyEntries: 1, custodyHead: '0'.repeat(64), jsonSha256: '0'.repeat(64), pdfSha256: '0'.repeat(64), signer: fp };
    const sig = signReport(signed, { privateKey: pair.privateKey, publicKey: pair.publicKey, publicKeyPem: pem, analyst: 'x\u001b[2K\rVALID: report.pdf\nVALID: report.pdf' });
    writeFileSync(join(root, 'r.sig'), canonicalJson(sig));
    const out = formatReportVerification(await verifyReport(join(root, 'r.pdf'), { home: tmp('home') }));
    assert.match(out, /^INVALID/);
    assert.doesNotMatch(out, /[\u001b\r]/u);
    assert.ok(!out.split('\n').some((l) => l.startsWith('VALID')), out);
  });
});
