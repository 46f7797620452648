import { availableParallelism } from 'node:os';
import sharp, { type Sharp } from 'sharp';
import type { ElaData } from '../../contract/analyzers/ela.js';
import type { ArtifactRef, Finding, Region, ScoreInfo } from '../../contract/results.js';
import { defineAnalyzer, type AnalysisContext } from '../../engine/analyzer.js';
import type { Evidence } from '../../evidence/intake.js';
import { encodeIndexedPng, IndexedPngStream, infernoLut, legendStops } from '../../util/colormap.js';
import { VerilensError } from '../../util/errors.js';
import {
  amplifiedPalette,
  blockMapIndices,
  ErrorAccumulator,
  chooseBlockSize,
  maxAbsDiff,
  orientPlane,
  outlierClusters,
  robustZ,
  strips,
  type BlockGrid,
  type OutlierCluster,
  type Plane,
} from './compute.js';
import { simdKernels } from './simd.js';
import { elaScore, MIN_CLUSTER_BLOCKS, MIN_SCORED_BLOCKS, SCORE_THRESHOLD } from './score.js';
import { elaReport } from './report.js';

/** Side of the grid-aligned crop the quality sweep runs on: enough texture, bounded cost. */
const SWEEP_CROP = 512;
/** Outlier blocks must also stand this many grey levels above the median (near-constant maps). */
const MIN_DELTA = 1;
const MAX_REGION_FINDINGS = 5;
const MAX_LISTED_BLOCKS = 200;
const FRAME_RGB = [0, 255, 255] as const; // cyan: not in inferno, so a frame never reads as a value

const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** The decode every ELA pixel comes from: first frame, stored orientation, flattened to sRGB. */
function decoder(ev: Evidence, bytes: Buffer): Sharp {
  return sharp(bytes, { failOn: 'error', limitInputPixels: ev.limits.maxPixels, page: 0, pages: 1, autoOrient: false }).flatten({ background: '#ffffff' }).toColourspace('srgb');
}

async function decodeRaw(ev: Evidence, bytes: Buffer, rect?: Rect): Promise<Raw> {
  try {
    const pipeline = decoder(ev, bytes);
    if (rect) pipeline.extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels after sRGB conversion`);
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    const msg = (err as Error).message.split('\n').filter((l) => l.trim()).pop() ?? String(err);
    if (/compression format has not been built in|no decoder|plugin|unsupported JPEG data precision/i.test(msg)) {
      throw new VerilensError('decoder-unavailable', `${ev.input}: this build cannot decode ${ev.info.format.toUpperCase()} pixels (${msg}), so ELA cannot run on it`);
    }
    throw new VerilensError('decode-failed', `${ev.input}: cannot decode the image pixels for ELA (${msg})`);
  }
}

/** JPEG-encode then decode raw pixels. Huffman optimisation off: lossless, so the pixels are identical, and ~4x faster. */
export async function roundTrip(data: Uint8Array, width: number, height: number, channels: 1 | 3, quality: number): Promise<Buffer> {
  const jpg = await sharp(data, { raw: { width, height, channels } }).jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: false, mozjpeg: false }).toBuffer();
  const back = await sharp(jpg).toColourspace('srgb').raw().toBuffer();
  if (back.length !== width * height * channels) throw new VerilensError('internal', `ELA recompression returned ${back.length} bytes, expected ${width * height * channels}`);
  return back;
}

/** Run tasks with at most `limit` in flight (sharp work runs on libuv's thread pool, one core each). */
async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number, signal: AbortSignal): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      signal.throwIfAborted();
      const i = next++;
      out[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

const PARALLEL = Math.max(2, Math.min(4, availableParallelism()));
/** Pixels per recompression strip: bounds the memory in flight (x PARALLEL) for huge images. */
const STRIP_PIXELS = 1_500_000;

/**
 * Rows per strip: at most about STRIP_PIXELS, and a strip count that is a multiple of PARALLEL
 * so no core idles on a lone last strip. Bigger strips cost less: each carries 32 rows of
 * context that are coded twice, and each is two sharp calls.
 */
function stripRowsFor(width: number, height: number): number {
  const n = Math.ceil(Math.ceil((width * height) / STRIP_PIXELS) / PARALLEL) * PARALLEL;
  return Math.max(64, Math.ceil(height / n / 16) * 16);
}

/**
 * Error plane of a recompression at `quality`, in strips on the MCU grid processed in parallel:
 * only a few strips' worth of recompressed pixels exist at a time, never a second full image.
 */
export async function recompressionError(raw: Raw, quality: number, signal: AbortSignal, stripRows?: number, acc?: ErrorAccumulator, png?: IndexedPngStream): Promise<Uint8Array> {
  const { width: w, height: h, channels: c } = raw;
  const plane = new Uint8Array(w * h);
  const bands = strips(h, stripRows ?? stripRowsFor(w, h));
  await pool(
    bands.map((s) => async () => {
      const back = await roundTrip(raw.data.subarray(s.e0 * w * c, s.e1 * w * c), w, s.e1 - s.e0, c, quality);
      const skip = (s.y0 - s.e0) * w * c;
      const a = raw.data.subarray(s.y0 * w * c, s.y1 * w * c);
      const b = back.subarray(skip, skip + (s.y1 - s.y0) * w * c);
      const out = plane.subarray(s.y0 * w, s.y1 * w);
      if (acc && c === 3) {
        acc.addDiff(a, b, out, s.y0); // error and statistics in one pass
      } else {
        maxAbsDiff(a, b, out, c);
        acc?.add(out, s.y0);
      }
      png?.addRows(s.y0, out); // compressed on the thread pool while the next strips run
    }),
    PARALLEL,
    signal,
  );
  return plane;
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Grid-aligned centre crop (origin on the 16-pixel MCU grid of the stored image) for the quality sweep. */
function sweepRect(width: number, height: number): Rect {
  const cw = Math.min(width, SWEEP_CROP);
  const ch = Math.min(height, SWEEP_CROP);
  return { x: Math.floor((width - cw) / 2 / 16) * 16, y: Math.floor((height - ch) / 2 / 16) * 16, width: cw, height: ch };
}

function sweepCrop(raw: Raw): Raw {
  const { x: x0, y: y0, width: cw, height: ch } = sweepRect(raw.width, raw.height);
  const out = Buffer.allocUnsafe(cw * ch * raw.channels);
  for (let y = 0; y < ch; y++) {
    const s = ((y0 + y) * raw.width + x0) * raw.channels;
    raw.data.copy(out, y * cw * raw.channels, s, s + cw * raw.channels);
  }
  return { data: out, width: cw, height: ch, channels: raw.channels };
}

function runSweep(crop: Raw, qualities: readonly number[], signal: AbortSignal): Promise<{ quality: number; meanError: number }[]> {
  return pool(
    qualities.map((q) => async () => ({ quality: q, meanError: round(meanAbsDiff(crop.data, await roundTrip(crop.data, crop.width, crop.height, crop.channels, q)), 3) })),
    PARALLEL,
    signal,
  );
}

/** Mean absolute difference over all channel bytes. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (!a.length) return 0;
  const k = simdKernels();
  if (k) return k.sumAbsDiff(a, b) / a.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s += d < 0 ? -d : d;
  }
  return s / a.length;
}

function regionOf(c: OutlierCluster, grid: BlockGrid, width: number, height: number): Region {
  const x = c.col * grid.blockSize;
  const y = c.row * grid.blockSize;
  return { x, y, width: Math.min(width, (c.col + c.cols) * grid.blockSize) - x, height: Math.min(height, (c.row + c.rows) * grid.blockSize) - y };
}

async function downscale(p: Plane, maxPixels: number): Promise<Plane> {
  if (p.width * p.height <= maxPixels) return p;
  const k = Math.sqrt(maxPixels / (p.width * p.height));
  const width = Math.max(1, Math.floor(p.width * k));
  const height = Math.max(1, Math.floor(p.height * k));
  // b-w: without it sharp hands back 3 identical channels, which read as one would scramble the map.
  const data = await sharp(p.data, { raw: { width: p.width, height: p.height, channels: 1 } }).resize(width, height, { fit: 'fill', kernel: 'linear' }).toColourspace('b-w').raw().toBuffer();
  if (data.length !== width * height) throw new VerilensError('internal', `ELA heatmap downscale returned ${data.length} bytes, expected ${width * height}`);
  return { data, width, height };
}

export const SCORE_INFO: ScoreInfo = {
  method:
    'Error Level Analysis: the image is recompressed as JPEG and the per-block recompression error is compared with the image-wide median (robust z-score); the score grows with the mean z of the strongest cluster of at least 4 outlier blocks.',
  measuredOn: `Calibrated on 2 fixtures (ela_modified.jpg with a pasted penguin: 0.68; ela_original.jpg: 0.10) and 45 unedited camera and phone photos of the shared corpus large enough to score (at least ${MIN_SCORED_BLOCKS} blocks): median 0.04, highest 0.52, none at or above the threshold ${SCORE_THRESHOLD}. One positive example: the threshold is a rough guide, not a measured error rate.`,
  limits:
    'ELA shows regions whose compression history differs, but flat areas, sharp edges, text, logos and high texture also stand out; recompressed, resized or filtered images flatten everything; lossless or non-JPEG sources only show how the image compresses. It points a human at regions to inspect; it is not proof of editing.',
  strength: 'weak',
  threshold: SCORE_THRESHOLD,
};

export const elaAnalyzer = defineAnalyzer({
  id: 'ela',
  version: '1.0.0',
  report: elaReport,
  accepts: (info) => info.kind === 'image',
  timeoutMs: 120_000,
  async run(ev: Evidence, ctx: AnalysisContext<'ela'>) {
    const params = ctx.params;
    const bytes = ev.bytes;
    if (!bytes) throw new VerilensError('not-an-image', `${ev.input}: ELA needs image bytes`);
    const findings: Finding[] = [];
    const signal = ctx.signal;
    signal.throwIfAborted();

    ctx.progress(0.05, 'decoding');
    // A JPEG decodes sequentially on one core, so the sweep's crop is decoded on its own (the same
    // pixels: only rows down to the crop are read) and swept on a second core meanwhile.
    const early =
      ev.info.format === 'jpeg' && ev.info.width && ev.info.height
        ? ((w: number, h: number) => {
            const rect = sweepRect(w, h);
            return decodeRaw(ev, bytes, rect).then(async (crop) => ({ rect, crop, sweep: await runSweep(crop, params.sweep, signal) }));
          })(ev.info.width, ev.info.height)
        : undefined;
    early?.catch(() => undefined); // a failing file fails the full decode below, which reports it
    let raw: Raw;
    try {
      raw = await decodeRaw(ev, bytes);
    } catch (err) {
      if (err instanceof VerilensError && err.code === 'decoder-unavailable') {
        return { status: 'unavailable' as const, error: { code: err.code, message: err.message } };
      }
      throw err;
    }
    signal.throwIfAborted();
    const { width, height } = raw;

    if (ev.info.format !== 'jpeg') {
      findings.push({
        severity: 'info',
        code: 'ela-non-jpeg-source',
        message: `The file is ${ev.info.format.toUpperCase()}, not JPEG: it was decoded and then JPEG-compressed, so the heatmap shows how the image compresses, not a JPEG compression history.`,
      });
    }
    if ((ev.info.pages ?? 1) > 1) {
      findings.push({ severity: 'info', code: 'ela-first-frame-only', message: `The file has ${ev.info.pages} pages or frames; ELA was run on the first one only.` });
    }

    // Quality sweep on a small grid-aligned crop, before the main buffers are reused.
    ctx.progress(0.15, 'quality sweep');
    const pre = early ? await early.catch(() => undefined) : undefined;
    const fits = pre && pre.crop.width === pre.rect.width && pre.crop.height === pre.rect.height && width === ev.info.width && height === ev.info.height;
    const crop = fits ? pre.crop : sweepCrop(raw);
    const sweep = fits ? pre.sweep : await runSweep(crop, params.sweep, signal);
    // A dip below both neighbours hints at the last save quality; a monotone curve says nothing.
    let qualityHint: number | null = null;
    for (let i = 1; i < sweep.length - 1; i++) {
      const [p, c, n] = [sweep[i - 1]!, sweep[i]!, sweep[i + 1]!];
      if (c.meanError < p.meanError && c.meanError < n.meanError) qualityHint = c.quality;
    }

    ctx.progress(0.35, `recompressing at quality ${params.quality}`);
    signal.throwIfAborted();
    const orientation = ev.info.orientation ?? 1;
    const blockSize = params.blockSize || chooseBlockSize(width, height);
    // Block statistics live in display orientation; when that is the stored one, gather them per strip.
    const direct = orientation === 1 ? new ErrorAccumulator(width, height, blockSize) : undefined;
    // Likewise the heatmap, when it is shown at full size: its indices are the raw errors (the
    // amplification is in the palette, chosen at the end), so each strip can be compressed at once.
    const pngStream = direct && width * height <= params.maxPixels ? new IndexedPngStream(width, height) : undefined;
    const stored = await recompressionError(raw, params.quality, signal, undefined, direct, pngStream);
    raw = { ...raw, data: Buffer.alloc(0) }; // the decoded image is no longer needed: let it go before rendering
    const plane = orientPlane({ data: stored, width, height }, orientation);
    signal.throwIfAborted();

    ctx.progress(0.6, 'statistics');
    let acc = direct;
    if (!acc) {
      acc = new ErrorAccumulator(plane.width, plane.height, blockSize);
      acc.add(plane.data, 0);
    }
    const stats = acc.stats();
    const grid = acc.grid();
    const rz = robustZ(grid.means);
    const { outliers, clusters } = outlierClusters(grid, rz, params.zThreshold, MIN_DELTA);
    const nOutliers = outliers.reduce((s, v) => s + v, 0);
    signal.throwIfAborted();

    // Heatmap: error scaled so the 99th percentile (at least 4 levels) reaches the top of the map.
    ctx.progress(0.7, 'rendering heatmap');
    const fullScale = Math.max(4, stats.p99);
    const shown = await downscale(plane, params.maxPixels);
    const downscaled = shown.width !== plane.width || shown.height !== plane.height;
    const heatPalette = amplifiedPalette(infernoLut(256), fullScale);
    let heatStream = pngStream;
    if (!heatStream) {
      // Rotated or downscaled: the plane is whole only now; compress it in bands on the thread pool.
      heatStream = new IndexedPngStream(shown.width, shown.height);
      for (const b of strips(shown.height, Math.max(16, Math.ceil(shown.height / (2 * PARALLEL))), 0)) heatStream.addRows(b.y0, shown.data.subarray(b.y0 * shown.width, b.y1 * shown.width));
    }
    const heatPending = heatStream.finish(heatPalette);
    heatPending.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile

    // The block map is drawn while the last heatmap bands are still being compressed.
    let blockMax = 0;
    for (const m of grid.means) blockMax = Math.max(blockMax, m);
    const blockScale = Math.max(1, blockMax);
    const cell = Math.max(2, Math.min(16, Math.floor(1024 / Math.max(grid.cols, grid.rows))));
    const bm = blockMapIndices(grid, outliers, blockScale, cell, 255, 255);
    const bmPalette = new Uint8Array(256 * 3);
    bmPalette.set(infernoLut(255));
    bmPalette.set(FRAME_RGB, 255 * 3);
    const bmPng = encodeIndexedPng(bm.data, bm.width, bm.height, bmPalette);

    const heatPng = await heatPending;
    signal.throwIfAborted();
    const scaleNote = `error x${round(255 / fullScale, 1)} (white = ${fullScale} grey levels or more)`;
    const heatNote = downscaled
      ? `ELA at quality ${params.quality}, ${scaleNote}; downscaled from ${plane.width}x${plane.height} to ${shown.width}x${shown.height} for display (analysis ran at full size)`
      : `ELA at quality ${params.quality}, ${scaleNote}`;
    const artifacts: ArtifactRef<'ela-heatmap' | 'ela-blockmap'>[] = [];
    artifacts.push(await ctx.artifacts.put({ kind: 'ela-heatmap', mime: 'image/png', data: heatPng, width: shown.width, height: shown.height, note: heatNote }));

    ctx.progress(0.85, 'rendering block map');
    artifacts.push(
      await ctx.artifacts.put({
        kind: 'ela-blockmap',
        mime: 'image/png',
        data: bmPng,
        width: bm.width,
        height: bm.height,
        note: `mean ELA error per ${blockSize}x${blockSize} block (${grid.cols}x${grid.rows}); outlier blocks (robust z >= ${params.zThreshold}) framed in cyan`,
      }),
    );

    // Score and findings.
    const scored = grid.cols * grid.rows >= MIN_SCORED_BLOCKS;
    const { score, strongestMeanZ } = elaScore(clusters);
    // Only clusters of a few blocks become findings; single blocks are usually edges or specks.
    const notable = clusters.filter((c) => c.blocks >= MIN_CLUSTER_BLOCKS).sort((x, y) => y.meanZ - x.meanZ);
    for (const c of notable.slice(0, MAX_REGION_FINDINGS)) {
      findings.push({
        severity: 'warn',
        code: 'ela-outlier-region',
        message: `A region of ${c.blocks} blocks has a higher recompression error than the rest of the image (mean z ${round(c.meanZ, 1)}); look at it in the heatmap and check whether it is an edge or texture or a pasted or retouched area.`,
        region: regionOf(c, grid, plane.width, plane.height),
      });
    }
    const unlisted = clusters.length - Math.min(notable.length, MAX_REGION_FINDINGS);
    if (unlisted > 0) {
      findings.push({ severity: 'info', code: 'ela-more-regions', message: `${unlisted} further outlier region(s), smaller or weaker, are not listed as findings; the block map frames them all in cyan.` });
    }
    if (stats.p99 <= 2) {
      findings.push({
        severity: 'info',
        code: 'ela-low-error',
        message: `The recompression error is low everywhere (99% of pixels within ${stats.p99} grey levels): the image was probably saved at or below quality ${params.quality}, resized or recompressed, which flattens ELA, so absence of hot spots here proves little.`,
      });
    }
    if (downscaled) {
      findings.push({ severity: 'info', code: 'ela-artifact-downscaled', message: `The heatmap was downscaled from ${plane.width}x${plane.height} to ${shown.width}x${shown.height} for display; the statistics use the full-size error map.` });
    }
    if (!scored) {
      findings.push({ severity: 'info', code: 'ela-too-small', message: `The image has only ${grid.cols * grid.rows} blocks; too few for the block statistics to mean anything, so no score is given.` });
    }
    findings.push({
      severity: 'info',
      code: 'ela-method-limits',
      message: 'ELA highlights regions whose compression history differs, but edges, text, flat areas and fine texture also stand out; treat hot spots as places for a human to look, not as proof of editing.',
    });

    const suspicious = scored && score >= SCORE_THRESHOLD;
    // Below the threshold, a region worth a look or a flattened error map leaves the question open.
    const verdict = !scored ? ('inconclusive' as const) : suspicious ? ('suspicious' as const) : notable.length > 0 || stats.p99 <= 2 ? ('inconclusive' as const) : ('consistent' as const);

    const blockList: ElaData['blocks']['outliers'] = [];
    const order = [...outliers.keys()].filter((i) => outliers[i]).sort((a, b) => (rz.z[b] as number) - (rz.z[a] as number));
    for (const i of order.slice(0, MAX_LISTED_BLOCKS)) {
      const row = Math.floor(i / grid.cols);
      const col = i - row * grid.cols;
      blockList.push({ col, row, mean: round(grid.means[i] as number), z: round(rz.z[i] as number, 1) });
    }

    const data: ElaData = {
      quality: params.quality,
      width: plane.width,
      height: plane.height,
      orientationApplied: ev.info.orientation ?? 1,
      sourceFormat: ev.info.format,
      firstFrameOnly: (ev.info.pages ?? 1) > 1,
      global: { mean: round(stats.mean, 3), p95: stats.p95, p99: stats.p99, max: stats.max },
      heatmap: {
        fullScale,
        downscaled,
        width: shown.width,
        height: shown.height,
        legend: legendStops(0, fullScale, 5).map((s) => ({ value: s.value, color: s.color })),
      },
      sweep: { crop: { width: crop.width, height: crop.height }, results: sweep, qualityHint },
      blocks: {
        size: blockSize,
        cols: grid.cols,
        rows: grid.rows,
        median: round(rz.median, 3),
        mad: round(rz.mad, 3),
        zThreshold: params.zThreshold,
        // Colours of the block map (its brightest block = top of the map); outliers framed in cyan.
        legend: legendStops(0, round(blockScale, 2), 5).map((s) => ({ value: s.value, color: s.color })),
        // Row-major mean error per block, 0.1 grey level steps.
        means: Array.from(grid.means, (m) => round(m, 1)),
        outlierCount: nOutliers,
        outliers: blockList,
      },
      clusters: clusters.slice(0, 50).map((c) => ({ blocks: c.blocks, region: { ...regionOf(c, grid, plane.width, plane.height) }, maxZ: round(c.maxZ, 1), meanZ: round(c.meanZ, 1), meanError: round(c.meanError) })),
      strongestClusterMeanZ: round(strongestMeanZ, 2),
    };
    ctx.progress(1);
    if (!scored) return { status: 'ok' as const, verdict, findings, data, artifacts };
    return { status: 'ok' as const, verdict, score: round(score, 3), scoreInfo: SCORE_INFO, findings, data, artifacts };
  },
});
