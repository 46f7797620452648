import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { faceSwapAnalyzer } from '../../src/analyzers/face-swap/index.js';
import { facesAnalyzer } from '../../src/analyzers/faces/index.js';
import { decodeYunet, nms } from '../../src/analyzers/faces/yunet.js';
import { livenessAnalyzer } from '../../src/analyzers/liveness/index.js';
import { okData, type AnalyzerId, type FaceRecord, type ResultOf } from '../../src/contract/analyzers/index.js';
import type { FileResult } from '../../src/contract/results.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { createEngineServices, type EngineServices } from '../../src/engine/services.js';
import { parseManifest } from '../../src/models/manifest.js';
import { scaledBox, toTensor } from '../../src/models/preprocess.js';
import { detectionSize, padTo } from '../../src/analyzers/faces/detect.js';
import { dataOf, fixture } from '../helpers.js';
import { copyModels, flipByte, SHIPPED_MODELS } from './models-helpers.js';

const ANALYZERS = [facesAnalyzer, livenessAnalyzer, faceSwapAnalyzer];
const services = createEngineServices({ home: join(tmpdir(), 'verilens-faces-test-home') });
const LISA = fixture('faces', 'lisa_lisa1.jpg');
const NO_FACE = fixture('images', 'canon-dslr.jpg');

async function run(file: string, svc: EngineServices = services, store = new MemoryArtifactStore()): Promise<FileResult> {
  return analyzeFile(file, { analyzers: ANALYZERS, artifacts: store, services: svc });
}

const facesOf = (r: FileResult): FaceRecord[] => okData(r.analyzers, 'faces')?.faces ?? [];
const get = <K extends AnalyzerId>(r: FileResult, id: K): ResultOf<K> => {
  const a = r.analyzers[id];
  assert.ok(a, `${id} did not run`);
  return a;
};

describe('face detection (pure parts)', () => {
  it('decodes a YuNet cell into a box and landmarks, and suppresses overlaps', () => {
    // 32x32 input: stride 8 has a 4x4 grid, stride 16 2x2, stride 32 1x1.
    const out: Record<string, Float32Array> = {};
    for (const s of [8, 16, 32]) {
      const n = (32 / s) ** 2;
      out[`cls_${s}`] = new Float32Array(n);
      out[`obj_${s}`] = new Float32Array(n);
      out[`bbox_${s}`] = new Float32Array(n * 4);
      out[`kps_${s}`] = new Float32Array(n * 10);
    }
    // Cell (row 1, col 2) at stride 8: cls 0.81, obj 1 -> score 0.9; centre offset (0.5, 0.5); size exp(0)*8.
    const i = 1 * 4 + 2;
    out['cls_8']![i] = 0.81;
    out['obj_8']![i] = 1;
    out['bbox_8']!.set([0.5, 0.5, 0, Math.log(2)], i * 4);
    out['kps_8']!.set([0.25, 0.25, 0.75, 0.25, 0.5, 0.5, 0.25, 0.75, 0.75, 0.75], i * 10);
    const dets = decodeYunet(out, 32, 32, 0.5);
    assert.equal(dets.length, 1);
    const d = dets[0]!;
    assert.ok(Math.abs(d.score - 0.9) < 1e-6);
    const want = { x: 20 - 4, y: 12 - 8, width: 8, height: 16 };
    for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(d.box[k] - want[k]) < 1e-4, `${k} ${d.box[k]}`);
    assert.deepEqual(d.landmarks[0], [18, 10]);
    const twin = { ...d, score: 0.8, box: { ...d.box, x: d.box.x + 1 } };
    const far = { ...d, score: 0.7, box: { ...d.box, x: 0, y: 20 } };
    assert.deepEqual(nms([twin, d, far], 0.3).map((x) => x.score), [d.score, 0.7]);
  });

  it('cuts MiniFASNet crops with the upstream rule: scaled about the centre, shifted inside the image', () => {
    // Centre (50, 50), 2.7 x 20 = 54 wide: no clamping.
    assert.deepEqual(scaledBox(200, 200, { x: 40, y: 40, width: 20, height: 20 }, 2.7), { x0: 23, y0: 23, x1: 77, y1: 77 });
    // Near the left edge: shifted right, size kept.
    assert.deepEqual(scaledBox(200, 200, { x: 0, y: 90, width: 20, height: 20 }, 4), { x0: 0, y0: 60, x1: 80, y1: 140 });
    // Larger than the image: the scale is capped so the crop fits.
    const b = scaledBox(100, 100, { x: 30, y: 30, width: 40, height: 40 }, 4);
    assert.ok(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 99 && b.y1 <= 99);
  });
  it('feeds models in the declared channel order and scaling, and sizes detection input to stride multiples', () => {
    // One red pixel and one blue pixel.
    const img = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 0, 0, 255]) };
    const bgr = toTensor(img, { name: 'input', layout: 'NCHW', width: 2, height: 1, channels: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
    assert.deepEqual([...bgr], [0, 255, 0, 0, 255, 0], 'plane 0 is blue for BGR models (YuNet, MiniFASNet)');
    const rgb = toTensor(img, { name: 'input', layout: 'NCHW', width: 2, height: 1, channels: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] });
    assert.deepEqual([...rgb], [1, 0, 0, 0, 0, 1], 'plane 0 is red, scaled to [0, 1] for MesoNet');
    assert.deepEqual(detectionSize(3000, 4000, 640, 160), { width: 480, height: 640, factor: 0.16 });
    assert.deepEqual(detectionSize(60, 80, 640, 160), { width: 120, height: 160, factor: 2 });
    const padded = padTo({ width: 33, height: 10, data: new Uint8Array(33 * 10 * 3).fill(7) }, 32);
    assert.deepEqual([padded.width, padded.height], [64, 32]);
    assert.equal(padded.data[(9 * 64 + 32) * 3], 7, 'last real pixel kept');
    assert.equal(padded.data[(9 * 64 + 33) * 3], 0, 'padding is black');
  });
});

describe('faces, liveness and face-swap on real photos', () => {
  it('finds the one face in a selfie, with landmarks in place and a crop artifact', async () => {
    const store = new MemoryArtifactStore();
    const r = await run(LISA, services, store);
    const faces = get(r, 'faces');
    assert.equal(faces.status, 'ok');
    assert.equal(faces.data['faceCount'], 1);
    const [f] = facesOf(r);
    assert.ok(f && f.score > 0.8);
    const { x, y, width, height } = f.box;
    // lisa1 is 600x800 with the face in the upper middle.
    assert.ok(width > 150 && height > 150 && x > 0 && x + width < 600 && y + height < 800, JSON.stringify(f.box));
    const inBox = ([px, py]: [number, number]): boolean => px > x && px < x + width && py > y && py < y + height;
    for (const p of Object.values(f.landmarks)) assert.ok(inBox(p), `landmark ${p} outside the box`);
    const lm = f.landmarks;
    assert.ok(lm['rightEye']![0] < lm['leftEye']![0], "subject's right eye is on the viewer's left");
    assert.ok(lm['nose']![1] > lm['rightEye']![1] && lm['mouthLeft']![1] > lm['nose']![1], 'eyes above nose above mouth');
    assert.equal(faces.artifacts[0]?.kind, 'face-crop');
    assert.equal(faces.artifacts[0]?.sha256, f.crop);
    assert.ok(f.crop);
    const crop = store.get(f.crop);
    assert.ok(crop);
    const meta = await sharp(Buffer.from(crop.data)).metadata();
    assert.equal(meta.format, 'png');
    assert.deepEqual(faces.provenance.models.map((m) => m.id), ['yunet']);
  });

  it('finds no face in a camera photo without people; liveness and face-swap do not apply', async () => {
    const r = await run(NO_FACE);
    assert.equal(get(r, 'faces').status, 'ok');
    assert.equal(dataOf(r.analyzers, 'faces').faceCount, 0);
    for (const id of ['liveness', 'face-swap'] as const) {
      const a = get(r, id);
      assert.equal(a.status, 'not-applicable');
      assert.deepEqual(a.data, { reason: 'no face found' });
    }
  });

  it('reports coordinates in display space for an EXIF-rotated copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verilens-faces-'));
    const rotated = join(dir, 'lisa-orientation-6.jpg');
    // Store the pixels turned 90 degrees counter-clockwise and tag orientation 6 (display turns them back).
    await sharp(await readFile(LISA)).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(rotated);
    const [a] = facesOf(await run(LISA));
    const r = await run(rotated);
    assert.equal(r.evidence?.orientation, 6);
    const [b] = facesOf(r);
    assert.ok(a && b);
    for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(a.box[k] - b.box[k]) < 12, `${k}: ${a.box[k]} vs ${b.box[k]}`);
  });

  it('handles a 12 MP upscale and a tiny downscale, mapping boxes back to the full image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verilens-faces-'));
    const big = join(dir, 'lisa-12mp.jpg');
    const tiny = join(dir, 'lisa-tiny.png');
    await sharp(await readFile(LISA)).resize(3000, 4000).jpeg({ quality: 90 }).toFile(big);
    await sharp(await readFile(LISA)).resize(60, 80).png().toFile(tiny);
    const [a] = facesOf(await run(LISA));
    const [b] = facesOf(await run(big));
    assert.ok(a && b);
    assert.ok(Math.abs(b.box.width / a.box.width - 5) < 0.4, `box width ${b.box.width} vs ${a.box.width} x 5`);
    assert.ok(Math.abs(b.box.x / 5 - a.box.x) < 10);
    const t = await run(tiny);
    assert.equal(get(t, 'faces').status, 'ok');
    const small = facesOf(t);
    if (small.length) {
      // Found at 60x80: too small for the face checks, which must say so rather than judge.
      assert.equal(get(t, 'liveness').verdict, 'inconclusive');
      assert.ok(get(t, 'faces').findings.some((f) => f.code === 'small-face'));
    } else {
      assert.equal(get(t, 'liveness').status, 'not-applicable');
    }
  });

  it('calls the upstream spoof samples spoof and the live sample live, per face in the faces order', async () => {
    for (const [name, spoof] of [['image_F1.jpg', true], ['image_F2.jpg', true], ['image_T1.jpg', false]] as const) {
      const r = await run(fixture('faces', name));
      const l = get(r, 'liveness');
      assert.equal(l.status, 'ok', name);
      assert.equal(l.verdict, spoof ? 'suspicious' : 'consistent', `${name}: score ${l.score}`);
      assert.ok(spoof ? (l.score ?? 0) >= 0.5 : (l.score ?? 1) < 0.2, `${name}: score ${l.score}`);
      assert.equal(l.scoreInfo?.threshold, 0.5);
      const per = l.data['faces'] as { index: number; live: number; spoof: number }[];
      assert.equal(per.length, facesOf(r).length);
      per.forEach((p, i) => assert.equal(p.index, i));
      assert.ok(Math.abs(per[0]!.spoof - (l.score ?? -1)) < 1e-3);
      assert.deepEqual(l.provenance.models.map((m) => m.id), ['minifasnet-v2', 'minifasnet-v1se']);
    }
  });

  it('presents face-swap as a weak signal with its measured AUC, naming the exact model bytes', async () => {
    const manifest = parseManifest(await readFile(join(SHIPPED_MODELS, 'manifest.json')), 'manifest.json');
    const r = await run(fixture('faces', 'astronaut.png'));
    const s = get(r, 'face-swap');
    assert.equal(s.status, 'ok');
    assert.equal(s.scoreInfo?.strength, 'weak');
    assert.ok(s.score !== undefined && s.score >= 0 && s.score <= 1);
    // A weak detector never vouches for a face: below its threshold the verdict is inconclusive.
    assert.ok((s.score ?? 1) < 0.5);
    assert.equal(s.verdict, 'inconclusive');
    assert.ok(s.findings.some((f) => f.code === 'face-swap-not-flagged'));
    const auc = s.data['measuredAuc'];
    assert.equal(typeof auc, 'number');
    assert.ok(s.scoreInfo?.method.includes(`AUC ${auc}`));
    assert.match(s.scoreInfo?.measuredOn ?? '', /dfdc/i);
    for (const use of s.provenance.models) {
      const e = manifest.models.find((m) => m.id === use.id);
      assert.equal(use.sha256, e?.sha256);
      assert.equal(use.trust, 'pinned');
    }
    assert.deepEqual(s.provenance.models.map((m) => m.id).sort(), ['mesonet-df', 'mesonet-f2f']);
  });
});

describe('a refused model never silently degrades a verdict', () => {
  it('a flipped byte in a liveness model makes liveness unavailable with model-integrity and an alert', async () => {
    const dir = await copyModels();
    await flipByte(join(dir, 'minifasnet_v1se_4.0_80x80.onnx'));
    const svc = createEngineServices({ modelsDir: dir, home: join(tmpdir(), 'verilens-faces-test-home') });
    const r = await run(fixture('faces', 'image_T1.jpg'), svc);
    assert.equal(get(r, 'faces').status, 'ok');
    const l = get(r, 'liveness');
    assert.equal(l.status, 'unavailable');
    assert.equal(l.error?.code, 'model-integrity');
    assert.equal(l.verdict, undefined);
    assert.equal(l.score, undefined);
    assert.ok(l.findings.some((f) => f.severity === 'alert' && f.code === 'model-integrity'));
    assert.ok(l.error?.message.includes('minifasnet_v1se_4.0_80x80.onnx'));
    assert.equal(get(r, 'face-swap').status, 'ok');
  });

  it('a flipped byte in the detector takes down every face check, each saying model-integrity', async () => {
    const dir = await copyModels();
    await flipByte(join(dir, 'yunet_n_dynamic.onnx'), 100);
    const svc = createEngineServices({ modelsDir: dir, home: join(tmpdir(), 'verilens-faces-test-home') });
    const r = await run(LISA, svc);
    for (const id of ['faces', 'liveness', 'face-swap'] as const) {
      assert.equal(get(r, id).status, 'unavailable', id);
      assert.equal(get(r, id).error?.code, 'model-integrity', id);
    }
    assert.ok(get(r, 'faces').findings.some((f) => f.severity === 'alert'));
  });

  it('a face-swap model edited on disk is refused even when the manifest was edited to match', async () => {
    const dir = await copyModels();
    await flipByte(join(dir, 'mesonet_meso4_df.onnx'));
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    const m = parseManifest(Buffer.from(text), 'manifest.json');
    const old = m.models.find((e) => e.id === 'mesonet-df')!.sha256;
    const { createHash } = await import('node:crypto');
    const now = createHash('sha256').update(await readFile(join(dir, 'mesonet_meso4_df.onnx'))).digest('hex');
    await writeFile(join(dir, 'manifest.json'), text.replace(old, now));
    const svc = createEngineServices({ modelsDir: dir, home: join(tmpdir(), 'verilens-faces-test-home') });
    const r = await run(LISA, svc);
    assert.equal(get(r, 'face-swap').error?.code, 'model-integrity');
    assert.match(get(r, 'face-swap').error?.message ?? '', /pinned Verilens manifest/);
  });
});
