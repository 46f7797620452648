import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { elaAnalyzer, SCORE_INFO } from '../../src/analyzers/ela/index.js';
import { SCORE_THRESHOLD } from '../../src/analyzers/ela/score.js';
import { elaContract, type ElaData, type ResultOf } from '../../src/contract/analyzers/index.js';
import { defaultParams, validateParams } from '../../src/contract/params.js';
import type { Region } from '../../src/contract/results.js';
import type { AnalysisContext } from '../../src/engine/analyzer.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { openEvidence } from '../../src/evidence/intake.js';
import { VerilensError } from '../../src/util/errors.js';
import { corpus, fixture, needCorpus } from '../helpers.js';

async function ela(path: string, params: Record<string, number | number[]> = {}): Promise<{ r: ResultOf<'ela'>; store: MemoryArtifactStore }> {
  const store = new MemoryArtifactStore();
  const fr = await analyzeFile(path, { analyzers: [elaAnalyzer], artifacts: store, params: { ela: params } });
  const r = fr.analyzers.ela;
  assert.ok(r, `no ela result for ${path}`);
  return { r, store };
}

/** The data of an ELA result that must have run ok. */
function elaData(r: ResultOf<'ela'>): ElaData {
  if (r.status !== 'ok') assert.fail(`ela was ${r.status}: ${r.error?.message}`);
  return r.data;
}

function artifact(r: ResultOf<'ela'>, store: MemoryArtifactStore, kind: 'ela-heatmap' | 'ela-blockmap'): { data: Uint8Array; width: number; height: number } {
  const ref = r.artifacts.find((a) => a.kind === kind);
  assert.ok(ref, `no ${kind} artifact`);
  const got = store.get(ref.sha256);
  assert.ok(got);
  assert.equal(got.mime, 'image/png');
  return { data: got.data, width: ref.width ?? 0, height: ref.height ?? 0 };
}

// The pasted penguin in ela_modified.jpg (897x708), by inspection: head at ~(355,140), feet from
// x~290 to x~520 down to y~385. The same box in ela_original.jpg (another crop of the same
// notebook) holds only the plain black cover.
const PENGUIN: Region = { x: 288, y: 136, width: 240, height: 256 };

function blockInside(b: { col: number; row: number }, size: number, box: Region): boolean {
  const cx = (b.col + 0.5) * size;
  const cy = (b.row + 0.5) * size;
  return cx >= box.x && cx < box.x + box.width && cy >= box.y && cy < box.y + box.height;
}

describe('ela analyzer on the pasted-penguin pair', () => {
  let modified: { r: ResultOf<'ela'>; store: MemoryArtifactStore };
  let original: { r: ResultOf<'ela'>; store: MemoryArtifactStore };
  before(async () => {
    modified = await ela(fixture('images', 'ela_modified.jpg'));
    original = await ela(fixture('images', 'ela_original.jpg'));
  });

  it('concentrates the outlier blocks of ela_modified.jpg in the pasted penguin, not in ela_original.jpg at the same place', () => {
    const bm = elaData(modified.r).blocks;
    const bo = elaData(original.r).blocks;
    const inM = bm.outliers.filter((b) => blockInside(b, bm.size, PENGUIN));
    const inO = bo.outliers.filter((b) => blockInside(b, bo.size, PENGUIN));
    // The penguin box is ~10% of the image but holds most outliers, and all of the strongest.
    const boxShare = (PENGUIN.width * PENGUIN.height) / (897 * 708);
    assert.ok(inM.length / bm.outliers.length > 4 * boxShare, `${inM.length}/${bm.outliers.length} outliers in the penguin box`);
    assert.ok(inM.length >= 30, `only ${inM.length} outlier blocks on the penguin`);
    const top10 = [...bm.outliers].sort((a, b) => b.z - a.z).slice(0, 10);
    assert.ok(top10.every((b) => blockInside(b, bm.size, PENGUIN)), 'the 10 strongest blocks lie on the penguin');
    assert.ok(inO.length <= 2, `ela_original has ${inO.length} outliers where the penguin would be`);
    // The largest-scoring region finding overlaps the penguin.
    const regions = modified.r.findings.filter((f) => f.code === 'ela-outlier-region' && f.region);
    assert.ok(regions.length >= 3 && regions.length <= 5);
    const onPenguin = regions.filter((f) => f.region && blockInside({ col: (f.region.x + f.region.width / 2) / bm.size - 0.5, row: (f.region.y + f.region.height / 2) / bm.size - 0.5 }, bm.size, PENGUIN));
    assert.ok(onPenguin.length >= 3, `${onPenguin.length} region findings on the penguin`);
  });

  it('renders a display-size inferno heatmap that is brighter on the penguin', async () => {
    const h = artifact(modified.r, modified.store, 'ela-heatmap');
    assert.deepEqual([h.width, h.height], [897, 708]);
    const { data, info } = await sharp(h.data).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [897, 708, 3]);
    let inSum = 0;
    let inN = 0;
    let outSum = 0;
    let outN = 0;
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const o = (y * info.width + x) * 3;
        const luma = 0.2126 * data[o]! + 0.7152 * data[o + 1]! + 0.0722 * data[o + 2]!;
        const inside = x >= PENGUIN.x && x < PENGUIN.x + PENGUIN.width && y >= PENGUIN.y && y < PENGUIN.y + PENGUIN.height;
        if (inside) [inSum, inN] = [inSum + luma, inN + 1];
        else [outSum, outN] = [outSum + luma, outN + 1];
      }
    }
    assert.ok(inSum / inN > 1.4 * (outSum / outN), `penguin ${(inSum / inN).toFixed(1)} vs rest ${(outSum / outN).toFixed(1)}`);
    const b = artifact(modified.r, modified.store, 'ela-blockmap');
    const bm = elaData(modified.r).blocks;
    assert.equal(b.width % bm.cols, 0);
    assert.equal(b.height % bm.rows, 0);
  });

  it('scores the paste above the threshold and the original below, with a weak scoreInfo', () => {
    assert.equal(modified.r.status, 'ok');
    assert.equal(modified.r.verdict, 'suspicious');
    assert.ok((modified.r.score ?? 0) >= SCORE_THRESHOLD);
    assert.equal(original.r.status, 'ok');
    assert.notEqual(original.r.verdict, 'suspicious');
    assert.ok((original.r.score ?? 1) < SCORE_THRESHOLD);
    assert.deepEqual(modified.r.scoreInfo, SCORE_INFO);
    assert.equal(modified.r.scoreInfo?.strength, 'weak');
    assert.equal(modified.r.scoreInfo?.threshold, SCORE_THRESHOLD);
    assert.ok(modified.r.findings.some((f) => f.code === 'ela-method-limits'));
    for (const f of modified.r.findings) assert.match(f.code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('reports global statistics, the block grid and a quality sweep that falls as quality rises', () => {
    const d = elaData(modified.r);
    assert.equal(d.quality, 90);
    const g = d.global;
    assert.ok(g.mean > 0 && g.mean <= g.p95 && g.p95 <= g.p99 && g.p99 <= g.max);
    const bm = d.blocks;
    assert.equal(bm.means.length, bm.cols * bm.rows);
    assert.deepEqual([bm.cols, bm.rows], [Math.ceil(897 / bm.size), Math.ceil(708 / bm.size)]);
    const sweep = d.sweep.results;
    assert.deepEqual(sweep.map((s) => s.quality), [70, 80, 90, 95]);
    for (let i = 1; i < sweep.length; i++) assert.ok(sweep[i]!.meanError < sweep[i - 1]!.meanError);
  });
});

describe('ela analyzer inputs and parameters', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verilens-ela-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies EXIF orientation: the heatmap has the displayed size', async () => {
    const { r, store } = await ela(fixture('images', 'orientation_f6t.jpg'));
    assert.equal(r.status, 'ok');
    const h = artifact(r, store, 'ela-heatmap');
    assert.deepEqual([h.width, h.height], [48, 80]); // stored 80x48, orientation 6
    assert.equal(r.score, undefined, 'too few blocks for a score');
    assert.ok(r.findings.some((f) => f.code === 'ela-too-small'));
  });

  it('downscales only the artifact above maxPixels, and says so', async () => {
    const { r, store } = await ela(fixture('images', 'ela_original.jpg'), { maxPixels: 100_000 });
    assert.equal(r.status, 'ok');
    const h = artifact(r, store, 'ela-heatmap');
    assert.ok(h.width * h.height <= 100_000);
    assert.ok(Math.abs(h.width / h.height - 902 / 770) < 0.02);
    const ref = r.artifacts.find((a) => a.kind === 'ela-heatmap');
    assert.match(ref?.note ?? '', /downscaled from 902x770/);
    assert.equal(elaData(r).heatmap.downscaled, true);
    assert.ok(r.findings.some((f) => f.code === 'ela-artifact-downscaled'));
    // The statistics still come from the full-size error map.
    assert.deepEqual([elaData(r).width, elaData(r).height], [902, 770]);
    const full = await ela(fixture('images', 'ela_original.jpg'));
    assert.deepEqual(elaData(r).global, elaData(full.r).global);
  });

  it('keeps the downscaled heatmap a faithful map: still brighter on the pasted penguin', async () => {
    const { r, store } = await ela(fixture('images', 'ela_modified.jpg'), { maxPixels: 150_000 });
    const h = artifact(r, store, 'ela-heatmap');
    assert.ok(h.width < 897 && h.width * h.height <= 150_000);
    const { data, info } = await sharp(h.data).raw().toBuffer({ resolveWithObject: true });
    const k = info.width / 897;
    const box = { x: PENGUIN.x * k, y: PENGUIN.y * k, width: PENGUIN.width * k, height: PENGUIN.height * k };
    let inSum = 0;
    let inN = 0;
    let outSum = 0;
    let outN = 0;
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const o = (y * info.width + x) * 3;
        const luma = 0.2126 * data[o]! + 0.7152 * data[o + 1]! + 0.0722 * data[o + 2]!;
        if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) [inSum, inN] = [inSum + luma, inN + 1];
        else [outSum, outN] = [outSum + luma, outN + 1];
      }
    }
    assert.ok(inSum / inN > 1.4 * (outSum / outN), `penguin ${(inSum / inN).toFixed(1)} vs rest ${(outSum / outN).toFixed(1)}`);
  });

  it('runs on lossless and non-JPEG sources with the caveat', async () => {
    for (const name of ['Bush-dog.tif', 'avif_Irvine_CA.avif']) {
      const { r } = await ela(fixture('images', name));
      assert.equal(r.status, 'ok', name);
      assert.ok(r.findings.some((f) => f.code === 'ela-non-jpeg-source'), name);
    }
  });

  it('says when a HEIC cannot be decoded by this build instead of crashing', async () => {
    const { r } = await ela(fixture('images', 'heic-single.heic'));
    // sharp's prebuilt libvips has no HEVC decoder; a build with one would analyse it.
    if (r.status === 'ok') return;
    assert.equal(r.status, 'unavailable');
    assert.equal(r.error?.code, 'decoder-unavailable');
    assert.match(r.error?.message ?? '', /heic-single\.heic/);
  });

  it('gives a clear error naming a truncated file', async () => {
    const bytes = await readFile(fixture('images', 'ela_modified.jpg'));
    const p = join(dir, 'truncated.jpg');
    await writeFile(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { r } = await ela(p);
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'decode-failed');
    assert.match(r.error?.message ?? '', /truncated\.jpg/);
  });

  it('honours the quality parameter and rejects bad ones', async () => {
    const { r } = await ela(fixture('images', 'img_1771.jpg'), { quality: 75 });
    assert.equal(elaData(r).quality, 75);
    assert.equal(r.provenance.parameters['quality'], 75);
    await assert.rejects(ela(fixture('images', 'img_1771.jpg'), { quality: 101 }), { code: 'bad-parameter', message: /ela: parameter quality must be an integer from 1 to 100, got 101/ });
    assert.equal(validateParams('ela', elaContract.params, { blockSize: 12 }).ok, false);
    const sweep = validateParams('ela', elaContract.params, { sweep: [95, 70, 70] });
    assert.deepEqual(sweep.ok && sweep.value.sweep, [70, 95]);
  });

  it('stops between steps when its signal is aborted, before writing any artifact', async () => {
    const ev = await openEvidence(fixture('images', 'canon-dslr.jpg'));
    const ac = new AbortController();
    const store = new MemoryArtifactStore();
    const notes: string[] = [];
    const ctx: AnalysisContext<'ela'> = {
      signal: ac.signal,
      // Abort as the recompression starts: the analyzer must notice at its next check.
      progress: (_f, note) => {
        notes.push(note ?? '');
        if (note?.startsWith('recompressing')) ac.abort(new VerilensError('cancelled', 'analysis was cancelled'));
      },
      params: defaultParams(elaContract.params),
      artifacts: store,
      results: {},
      services: {},
      log: { debug: () => undefined, warn: () => undefined },
    };
    await assert.rejects(elaAnalyzer.run(ev, ctx), { code: 'cancelled' });
    assert.equal(store.size, 0);
    assert.ok(!notes.includes('rendering heatmap'));
  });

  it('uses the first frame of an animated WebP and says so', { skip: needCorpus }, async () => {
    const { r, store } = await ela(corpus('ai-generated', 'comfyui', 'mochi_mochi_simple_checkpoint.webp'));
    assert.equal(r.status, 'ok');
    assert.ok(r.findings.some((f) => f.code === 'ela-first-frame-only'));
    const h = artifact(r, store, 'ela-heatmap');
    assert.deepEqual([h.width, h.height], [848, 480]);
  });
});
