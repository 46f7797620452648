import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateEd25519, publicKeyPem } from '../../src/keys/ed25519.js';
import { trustKey } from '../../src/keys/trust-store.js';
import { parseManifest, type Manifest } from '../../src/models/manifest.js';
import { externalDataLocations, ScanError } from '../../src/models/onnx-scan.js';
import { PINNED_MANIFEST_SHA256 } from '../../src/models/pin.js';
import { ModelRegistry } from '../../src/models/registry.js';
import { SIGNATURE_FILE, signManifest } from '../../src/models/signature.js';
import { checkManifest, verifyFolder, verifyModelFile } from '../../src/models/verify.js';
import { copyModels, flipByte, onnxWithExternalData, SHIPPED_MODELS } from './models-helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const emptyHome = (): Promise<string> => mkdtemp(join(tmpdir(), 'verilens-home-'));

async function shippedManifest(): Promise<Manifest> {
  return parseManifest(await readFile(join(SHIPPED_MODELS, 'manifest.json')), 'models/manifest.json');
}

/** Write `manifest` into `dir`, sign it with `pair`, and return the bytes. */
async function writeSigned(dir: string, manifest: Manifest, pair: ReturnType<typeof generateEd25519>): Promise<Buffer> {
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'manifest.json'), bytes);
  await writeFile(join(dir, SIGNATURE_FILE), JSON.stringify(signManifest(bytes, sha(bytes), pair.privateKey, pair.publicKey)));
  return bytes;
}

describe('shipped models manifest', () => {
  it('is pinned: its SHA-256 equals the digest compiled into the engine (run npm run models:pin when it changes)', async () => {
    const bytes = await readFile(join(SHIPPED_MODELS, 'manifest.json'));
    assert.equal(sha(bytes), PINNED_MANIFEST_SHA256, 'models/manifest.json changed without `npm run models:pin`');
  });

  it('describes every shipped model with digest, provenance, licence files, input spec and measured performance', async () => {
    const m = await shippedManifest();
    assert.deepEqual(m.models.map((e) => e.role).sort(), ['face-detector', 'face-swap', 'face-swap', 'liveness', 'liveness']);
    for (const e of m.models) {
      const bytes = await readFile(join(SHIPPED_MODELS, e.file));
      assert.equal(sha(bytes), e.sha256, e.file);
      assert.equal(bytes.length, e.bytes, e.file);
      assert.match(e.upstream.sha256, /^[0-9a-f]{64}$/);
      assert.ok(e.performance.length > 0, `${e.id} has no measured performance`);
      for (const l of e.licenceFiles) assert.match(await readFile(join(SHIPPED_MODELS, l), 'utf8'), /Apache|Copyright/);
      assert.deepEqual(externalDataLocations(bytes), [], `${e.file} must be self-contained`);
    }
  });

  it('verifies cleanly in place and in an exact copy', async () => {
    const home = await emptyHome();
    const shipped = await verifyFolder(SHIPPED_MODELS, { home, shipped: true });
    assert.equal(shipped.ok, true, JSON.stringify(shipped.models.filter((x) => !x.ok)));
    assert.equal(shipped.manifest.trust, 'pinned');
    const copy = await verifyFolder(await copyModels(), { home });
    assert.equal(copy.ok, true);
    assert.equal(copy.manifest.trust, 'pinned');
  });
});

describe('model integrity', () => {
  it('refuses each model file with one flipped byte, naming the file and both digests', async () => {
    const home = await emptyHome();
    const m = await shippedManifest();
    for (const e of m.models) {
      const dir = await copyModels();
      await flipByte(join(dir, e.file));
      const actual = sha(await readFile(join(dir, e.file)));
      const r = await verifyFolder(dir, { home });
      assert.equal(r.ok, false, e.id);
      const bad = r.models.filter((x) => !x.ok);
      assert.deepEqual(bad.map((x) => x.id), [e.id]);
      assert.ok(bad[0]?.problem?.includes(join(dir, e.file)), bad[0]?.problem);
      assert.ok(bad[0]?.problem?.includes(e.sha256), 'expected digest named');
      assert.ok(bad[0]?.problem?.includes(actual), 'actual digest named');
    }
  });

  it('refuses a missing or truncated file', async () => {
    const home = await emptyHome();
    const dir = await copyModels();
    const m = await shippedManifest();
    const [a, b] = m.models;
    await writeFile(join(dir, a!.file), (await readFile(join(dir, a!.file))).subarray(0, 1000));
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, b!.file));
    const r = await verifyFolder(dir, { home });
    const byId = new Map(r.models.map((x) => [x.id, x]));
    assert.match(byId.get(a!.id)?.problem ?? '', /truncated/);
    assert.match(byId.get(b!.id)?.problem ?? '', /missing/);
  });

  it('refuses a manifest edited to match a tampered file: it no longer matches the pin', async () => {
    const home = await emptyHome();
    const dir = await copyModels();
    const m = await shippedManifest();
    const e = m.models.find((x) => x.id === 'minifasnet-v2')!;
    await flipByte(join(dir, e.file));
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    const edited = text.replace(e.sha256, sha(await readFile(join(dir, e.file))));
    assert.notEqual(edited, text);
    await writeFile(join(dir, 'manifest.json'), edited);
    const r = await checkManifest(dir, { home });
    assert.equal(r.ok, false);
    assert.ok(r.problem?.includes(PINNED_MANIFEST_SHA256), r.problem);
    assert.ok(r.problem?.includes(sha(Buffer.from(edited))), r.problem);
    assert.ok(r.problem?.includes(join(dir, 'manifest.json')), r.problem);
    // The shipped-folder rule is stricter still: no signature can stand in for the pin there.
    const shippedRule = await checkManifest(dir, { home, shipped: true });
    assert.match(shippedRule.problem ?? '', /pinned in this build/);
  });

  it('gives no session for a refused model and a verified, cached one for a good model', async () => {
    const home = await emptyHome();
    const dir = await copyModels();
    const m = await shippedManifest();
    const liveness = m.models.find((x) => x.id === 'minifasnet-v1se')!;
    await flipByte(join(dir, liveness.file));
    const reg = new ModelRegistry({ modelsDir: dir, home });
    await assert.rejects(reg.session('minifasnet-v1se'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'model-integrity');
      assert.ok(err.message.includes(liveness.sha256));
      return true;
    });
    const a = await reg.session('yunet');
    assert.deepEqual(a.use, { id: 'yunet', version: m.models[0]!.version, sha256: m.models[0]!.sha256, trust: 'pinned' });
    assert.equal(a.dir, dir, 'the --models folder takes precedence by id');
    const b = await reg.session('yunet');
    assert.equal(a.session, b.session, 'second request reuses the session');
  });
});

describe('organisation manifests', () => {
  async function orgFolder(): Promise<{ dir: string; manifest: Manifest }> {
    const dir = await copyModels();
    const manifest = await shippedManifest();
    // An organisation's own variant: any change to the bytes takes it off the pin.
    manifest.models = manifest.models.filter((e) => e.role === 'face-swap').map((e) => ({ ...e, version: `${e.version}-org` }));
    return { dir, manifest };
  }

  it('accepts a manifest signed by a key trusted for models, and records trust "signed"', async () => {
    const home = await emptyHome();
    const pair = generateEd25519();
    await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Org models', purposes: ['models'] });
    const { dir, manifest } = await orgFolder();
    await writeSigned(dir, manifest, pair);
    const r = await verifyFolder(dir, { home });
    assert.equal(r.ok, true, r.manifest.problem);
    assert.equal(r.manifest.trust, 'signed');
    const reg = new ModelRegistry({ modelsDir: dir, home });
    const vm = await reg.session('mesonet-df');
    assert.equal(vm.use.trust, 'signed');
    assert.match(vm.use.version, /-org$/);
    assert.equal((await reg.session('yunet')).use.trust, 'pinned', 'models not in the org folder still come from the shipped, pinned set');
  });

  it('refuses a bad signature, an untrusted signer and a key trusted only for reports', async () => {
    const home = await emptyHome();
    const pair = generateEd25519();
    const { dir, manifest } = await orgFolder();
    const bytes = await writeSigned(dir, manifest, pair);
    const untrusted = await checkManifest(dir, { home });
    assert.match(untrusted.problem ?? '', /not trusted for models/);
    assert.ok(untrusted.problem?.includes(sha(bytes)));
    await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Reports only', purposes: ['reports'] });
    assert.match((await checkManifest(dir, { home })).problem ?? '', /not trusted for models/);
    await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Org models', purposes: ['models'] });
    assert.equal((await checkManifest(dir, { home })).ok, true);
    // Change one byte of the manifest after signing.
    const edited = Buffer.from(bytes.toString('utf8').replace('-org', '-orh'));
    await writeFile(join(dir, 'manifest.json'), edited);
    const bad = await checkManifest(dir, { home });
    assert.equal(bad.ok, false);
    assert.match(bad.problem ?? '', /does not match/);
    assert.ok(bad.problem?.includes(sha(edited)) && bad.problem.includes(sha(bytes)), bad.problem);
    // A refused folder makes every model request fail; nothing silently falls back to the shipped set.
    const reg = new ModelRegistry({ modelsDir: dir, home });
    await assert.rejects(reg.session('yunet'), { code: 'model-integrity' });
  });

  it('refuses external data outside the folder, and unlisted external data inside it', async () => {
    const home = await emptyHome();
    const pair = generateEd25519();
    await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Org models', purposes: ['models'] });
    const parent = await mkdtemp(join(tmpdir(), 'verilens-org-'));
    const dir = join(parent, 'models');
    await mkdir(dir);
    await writeFile(join(parent, 'outside.bin'), Buffer.alloc(16));
    await writeFile(join(dir, 'inside.bin'), Buffer.alloc(16));
    const outside = onnxWithExternalData('../outside.bin');
    const inside = onnxWithExternalData('inside.bin');
    assert.deepEqual(externalDataLocations(outside), ['../outside.bin']);
    assert.throws(() => externalDataLocations(outside.subarray(0, outside.length - 3)), ScanError);
    await writeFile(join(dir, 'outside.onnx'), outside);
    await writeFile(join(dir, 'inside.onnx'), inside);
    const base = (await shippedManifest()).models.find((e) => e.id === 'mesonet-df')!;
    const manifest: Manifest = {
      format: 'verilens-models',
      version: 1,
      models: [
        { ...base, id: 'org-outside', role: 'classifier', file: 'outside.onnx', sha256: sha(outside), bytes: outside.length, licenceFiles: [] },
        { ...base, id: 'org-inside', role: 'classifier', file: 'inside.onnx', sha256: sha(inside), bytes: inside.length, licenceFiles: [] },
      ],
    };
    await writeSigned(dir, manifest, pair);
    const check = await checkManifest(dir, { home });
    assert.equal(check.ok, true, check.problem);
    await assert.rejects(verifyModelFile(check, manifest.models[0]!), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'model-integrity');
      assert.match(err.message, /outside its folder/);
      assert.ok(err.message.includes(join(dir, 'outside.onnx')));
      return true;
    });
    await assert.rejects(verifyModelFile(check, manifest.models[1]!), /not listed/);
    // Listed with its digest, the inside file is accepted; with a wrong digest it is refused.
    const listed = { ...manifest.models[1]!, externalData: [{ file: 'inside.bin', sha256: sha(Buffer.alloc(16)), bytes: 16 }] };
    assert.equal((await verifyModelFile(check, listed)).hasExternalData, true);
    await assert.rejects(verifyModelFile(check, { ...listed, externalData: [{ file: 'inside.bin', sha256: '0'.repeat(64), bytes: 16 }] }), /expected SHA-256 0{64}/);
  });

  it('rejects malformed manifests with a message naming the file', () => {
    const good = { format: 'verilens-models', version: 1, models: [] };
    assert.deepEqual(parseManifest(Buffer.from(JSON.stringify(good)), 'm.json').models, []);
    assert.throws(() => parseManifest(Buffer.from('{'), 'm.json'), /m\.json: not valid JSON/);
    assert.throws(() => parseManifest(Buffer.from('{"format":"x","version":1,"models":[]}'), 'm.json'), /not a Verilens models manifest/);
  });

  it('refuses paths that leave the folder', async () => {
    const m = await shippedManifest();
    const bad = { ...m, models: [{ ...m.models[0]!, file: '../escape.onnx' }] };
    assert.throws(() => parseManifest(Buffer.from(JSON.stringify(bad)), 'm.json'), /plain relative path/);
    const abs = { ...m, models: [{ ...m.models[0]!, file: '/etc/passwd' }] };
    assert.throws(() => parseManifest(Buffer.from(JSON.stringify(abs)), 'm.json'), /plain relative path/);
  });
});
