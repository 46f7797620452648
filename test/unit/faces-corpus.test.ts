import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { faceSwapAnalyzer } from '../../src/analyzers/face-swap/index.js';
import { facesAnalyzer } from '../../src/analyzers/faces/index.js';
import { livenessAnalyzer } from '../../src/analyzers/liveness/index.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { createEngineServices } from '../../src/engine/services.js';
import { corpus, dataOf, needCorpus } from '../helpers.js';

const services = createEngineServices({ home: join(tmpdir(), 'verilens-faces-corpus-home') });
const run = (file: string) => analyzeFile(file, { analyzers: [facesAnalyzer, livenessAnalyzer, faceSwapAnalyzer], artifacts: new MemoryArtifactStore(), services });
const images = (dir: string): string[] => readdirSync(corpus(dir)).filter((f) => /\.(jpe?g|png)$/i.test(f)).map((f) => corpus(dir, f));

describe('face checks across the shared corpus', { skip: needCorpus }, () => {
  it('finds exactly one face in each selfie-style photo of the CC0 set, and calls each live', async () => {
    for (const f of images('faces/real-cc0')) {
      const r = await run(f);
      assert.equal(dataOf(r.analyzers, 'faces').faceCount, 1, f);
      assert.equal(r.analyzers.liveness?.verdict, 'consistent', `${f}: spoof ${r.analyzers.liveness?.score}`);
    }
  });

  it('reports every face of a crowd photo, with per-face liveness and face-swap results in the same order', async () => {
    const r = await run(corpus('faces', 'ultraface_imgs', '1.jpg'));
    const faces = dataOf(r.analyzers, 'faces').faces;
    assert.ok(faces.length >= 10, `only ${faces.length} faces`);
    const areas = faces.map((f) => f.box.width * f.box.height);
    assert.deepEqual(areas, [...areas].sort((a, b) => b - a), 'largest face first');
    assert.equal(r.analyzers.faces?.artifacts.length, faces.length);
    for (const id of ['liveness', 'face-swap'] as const) {
      const per = dataOf(r.analyzers, id).faces;
      assert.deepEqual(per.map((p) => p.index), faces.map((_, i) => i), id);
    }
  });
});
