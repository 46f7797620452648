import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classifiersAnalyzer } from '../../src/analyzers/classifiers/index.js';
import { facesAnalyzer } from '../../src/analyzers/faces/index.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { createEngineServices } from '../../src/engine/services.js';
import { generateEd25519, publicKeyPem } from '../../src/keys/ed25519.js';
import { trustKey } from '../../src/keys/trust-store.js';
import { parseManifest, type Manifest } from '../../src/models/manifest.js';
import { readOutput } from '../../src/models/classifier.js';
import { SIGNATURE_FILE, signManifest } from '../../src/models/signature.js';
import { fixture } from '../helpers.js';
import { copyModels, SHIPPED_MODELS } from './models-helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('generic classifiers declared in an organisation manifest', () => {
  it('reads outputs per the declared semantics', () => {
    const spec = { name: 'out', index: 1, activation: 'softmax', meaning: 'prob-manipulated', semantics: '' } as const;
    assert.ok(Math.abs(readOutput([0, 0], spec) - 0.5) < 1e-9);
    assert.ok(readOutput([0, 5], spec) > 0.99);
    assert.ok(Math.abs(readOutput([0.8], { ...spec, index: 0, activation: 'none', meaning: 'prob-authentic' }) - 0.2) < 1e-9);
    assert.ok(Math.abs(readOutput([0], { ...spec, index: 0, activation: 'sigmoid' }) - 0.5) < 1e-9);
    assert.throws(() => readOutput([0.1], spec), /no finite value at index 1/);
  });

  it('does not apply when no classifier is installed', async () => {
    const r = await analyzeFile(fixture('faces', 'lisa_lisa1.jpg'), { analyzers: [facesAnalyzer, classifiersAnalyzer], artifacts: new MemoryArtifactStore(), services: createEngineServices({ home: await mkdtemp(join(tmpdir(), 'vl-')) }) });
    assert.equal(r.analyzers['classifiers']?.status, 'not-applicable');
  });

  it('runs a signed whole-image and a face classifier without code, recording trust "signed"', async () => {
    const home = await mkdtemp(join(tmpdir(), 'verilens-home-'));
    const pair = generateEd25519();
    await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Org', purposes: ['models'] });
    const dir = await copyModels();
    const shipped = parseManifest(await readFile(join(SHIPPED_MODELS, 'manifest.json')), 'manifest.json');
    // The team's "own detector" here is MesoNet's weights declared generically: the point is the plumbing.
    const base = shipped.models.find((e) => e.id === 'mesonet-df')!;
    const manifest: Manifest = {
      format: 'verilens-models',
      version: 1,
      models: [
        { ...base, id: 'org-image', role: 'classifier', title: 'Org whole-image detector', crop: { kind: 'image' }, thresholds: { manipulated: 0.9 } },
        { ...base, id: 'org-face', role: 'classifier', title: 'Org face detector', crop: { kind: 'aligned-face', margin: 1.3 }, thresholds: { manipulated: 0.9 } },
      ],
    };
    const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
    await writeFile(join(dir, 'manifest.json'), bytes);
    await writeFile(join(dir, SIGNATURE_FILE), JSON.stringify(signManifest(bytes, sha(bytes), pair.privateKey, pair.publicKey)));
    const services = createEngineServices({ modelsDir: dir, home });
    const r = await analyzeFile(fixture('faces', 'image_T1.jpg'), { analyzers: [facesAnalyzer, classifiersAnalyzer], artifacts: new MemoryArtifactStore(), services });
    const c = r.analyzers['classifiers'];
    assert.equal(c?.status, 'ok', c?.error?.message);
    const runs = c.data['models'] as { id: string; results: { face: number | null; score: number }[] }[];
    assert.deepEqual(runs.map((x) => x.id), ['org-image', 'org-face']);
    assert.deepEqual(runs[0]!.results.map((x) => x.face), [null]);
    assert.deepEqual(runs[1]!.results.map((x) => x.face), [0]);
    assert.ok(c.score !== undefined && c.score >= 0 && c.score <= 1);
    assert.equal(c.scoreInfo?.threshold, 0.9);
    assert.deepEqual(c.provenance.models.map((m) => [m.id, m.trust]), [['org-image', 'signed'], ['org-face', 'signed']]);
    assert.equal(c.provenance.models[0]?.sha256, base.sha256);
    assert.deepEqual(r.analyzers['faces']?.provenance.models.map((m) => [m.id, m.trust]), [['yunet', 'pinned']]);
  });
});
