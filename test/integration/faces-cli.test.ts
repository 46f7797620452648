import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../cli-helpers.js';
import { fixture } from '../helpers.js';
import { copyModels, flipByte } from '../unit/models-helpers.js';

const home = (): Promise<string> => mkdtemp(join(tmpdir(), 'verilens-cli-home-'));

describe('verilens models and the face checks through the CLI', () => {
  it('verifies the shipped models and lists them', async () => {
    const env = { VERILENS_HOME: await home() };
    const v = await runCli(['models', 'verify'], { env });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /all 5 models verified/);
    assert.match(v.stdout, /pinned digest/);
    const l = await runCli(['models', 'list'], { env });
    assert.equal(l.code, 0, l.stderr);
    for (const id of ['yunet', 'minifasnet-v2', 'minifasnet-v1se', 'mesonet-df', 'mesonet-f2f']) assert.match(l.stdout, new RegExp(`^${id} `, 'm'));
    assert.match(l.stdout, /measured: pair AUC/);
  });

  it('fails verify on a flipped byte and reports MODEL INTEGRITY FAILURE when analysing with that folder', async () => {
    const env = { VERILENS_HOME: await home() };
    const dir = await copyModels();
    await flipByte(join(dir, 'minifasnet_v2_2.7_80x80.onnx'));
    const v = await runCli(['models', 'verify', '--models', dir], { env });
    assert.equal(v.code, 1);
    assert.match(v.stdout, /REFUSED\s+minifasnet-v2/);
    assert.ok(v.stdout.includes(join(dir, 'minifasnet_v2_2.7_80x80.onnx')));
    assert.match(v.stdout, /expected SHA-256 c28115659ab7ba4a5612345fbfd383163abbdeecca643a1d3cf1b43e7a122f74, actual [0-9a-f]{64}/);
    const a = await runCli(['analyze', '--models', dir, '--only', 'liveness,face-swap', fixture('faces', 'image_F1.jpg')], { env });
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /MODEL INTEGRITY FAILURE: liveness did not run/);
    const j = await runCli(['analyze', '--json', '--models', dir, '--only', 'liveness', fixture('faces', 'image_F1.jpg')], { env });
    const doc = JSON.parse(j.stdout) as { results: { analyzers: Record<string, { status: string; error?: { code: string }; provenance: { models: { id: string; sha256: string; trust: string }[] } }> }[] };
    const an = doc.results[0]!.analyzers;
    assert.equal(an['liveness']?.status, 'unavailable');
    assert.equal(an['liveness']?.error?.code, 'model-integrity');
    assert.deepEqual(an['faces']?.provenance.models.map((m) => [m.id, m.trust]), [['yunet', 'pinned']]);
  });

  it('runs the whole face pipeline with the shipped models and names the model bytes in the JSON', async () => {
    const r = await runCli(['analyze', '--json', '--only', 'liveness,face-swap', fixture('faces', 'image_F2.jpg')], { env: { VERILENS_HOME: await home() } });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { results: { analyzers: Record<string, { status: string; verdict?: string; provenance: { models: { id: string }[] } }> }[] };
    const an = doc.results[0]!.analyzers;
    assert.equal(an['liveness']?.verdict, 'suspicious');
    assert.deepEqual(an['liveness']?.provenance.models.map((m) => m.id), ['minifasnet-v2', 'minifasnet-v1se']);
    assert.equal(an['face-swap']?.status, 'ok');
  });

  it('signs an organisation manifest with an openssl key; it is refused until the key is trusted for models', async () => {
    const env = { VERILENS_HOME: await home() };
    const dir = await copyModels();
    // An organisation variant: edit the manifest (off the pin), then sign it.
    const path = join(dir, 'manifest.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"title": "MesoNet Meso4 (Deepfakes face swap)"', '"title": "MesoNet Meso4 (Deepfakes face swap), org build"'));
    const unsigned = await runCli(['models', 'verify', '--models', dir], { env });
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stdout, /no manifest\.sig/);
    const keyDir = await mkdtemp(join(tmpdir(), 'verilens-orgkey-'));
    const key = join(keyDir, 'org.key');
    const pub = join(keyDir, 'org.pub');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
    execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', pub]);
    const s = await runCli(['models', 'sign', '--key', key, '--models', dir], { env });
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /wrote .*manifest\.sig/);
    const sig = JSON.parse(await readFile(join(dir, 'manifest.sig'), 'utf8')) as { format: string; signer: string; signature: string };
    assert.equal(sig.format, 'verilens-manifest-signature');
    assert.equal(Buffer.from(sig.signature, 'base64').length, 64);
    const untrusted = await runCli(['models', 'verify', '--models', dir], { env });
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /not trusted for models/);
    const t = await runCli(['keys', 'trust', pub, '--name', 'Org models', '--for', 'models'], { env });
    assert.equal(t.code, 0, t.stderr);
    const ok = await runCli(['models', 'verify', '--models', dir], { env });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /signed by Org models/);
    // A model file altered after signing is still refused.
    await flipByte(join(dir, 'mesonet_meso4_df.onnx'));
    const after = await runCli(['models', 'verify', '--models', dir], { env });
    assert.equal(after.code, 1);
    assert.match(after.stdout, /REFUSED\s+mesonet-df/);
  });

  it('signs with the analyst key instead of a key file', async () => {
    const env = { VERILENS_HOME: await home(), VERILENS_PASSPHRASE: 'a long test passphrase' };
    const dir = await copyModels();
    const path = join(dir, 'manifest.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"strength": "weak"', '"strength": "moderate"'));
    const s = await runCli(['models', 'sign', '--analyst', '--models', dir], { env });
    assert.equal(s.code, 0, s.stderr);
    const pub = join(await home(), 'analyst.pub');
    const e = await runCli(['keys', 'export', '--out', pub], { env });
    assert.equal(e.code, 0, e.stderr);
    assert.equal((await runCli(['models', 'verify', '--models', dir], { env })).code, 1, 'untrusted until the analyst trusts their own key for models');
    assert.equal((await runCli(['keys', 'trust', pub, '--for', 'models'], { env })).code, 0);
    const ok = await runCli(['models', 'verify', '--models', dir], { env });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /signed by/);
  });
});
