/**
 * Measure the `synthetic` analyzer's signals on the evaluation corpus (never shipped, never committed):
 *   real portraits   ../shared/corpus/faces/eval-real-london   (negatives)
 *   GAN faces        ../shared/corpus/faces/eval-stylegan3-fake (StyleGAN3)
 *   text-to-image    ../shared/corpus/faces/eval-ai-sfhq-t2i    (SDXL, FLUX.1, DALL-E 3; index.csv)
 *   camera JPEGs     ../shared/corpus/camera                    (false-positive rate only)
 * Each signal is measured on the originals and on re-encoded / resized copies, so a signal that
 * only learned "PNG vs JPEG" or "this tile size" shows up as collapsing on the copies.
 * Thresholds are chosen on the calibration half (even index; London split by person) and AUCs are
 * reported on the held-out half as well as on everything.
 *
 * Usage: npm run eval:synthetic [-- --json out.json]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { MemoryArtifactStore } from '../src/engine/artifacts.js';
import { ANALYZER_MAP } from '../src/analyzers/index.js';
import { createEngineServices } from '../src/engine/services.js';
import { analyzeEvidence } from '../src/engine/runner.js';
import { openEvidence } from '../src/evidence/intake.js';
import { analyseSpectrum } from '../src/analyzers/synthetic/spectrum.js';
import { loadCentreCrop } from '../src/analyzers/synthetic/load.js';
import { ffhqAlignment } from '../src/analyzers/synthetic/geometry.js';
import { landmarksFromFaces } from '../src/analyzers/synthetic/faces-input.js';
import { GEOMETRY_TOLERANCE, HIGH_BAND_THRESHOLD, PEAK_THRESHOLD } from '../src/analyzers/synthetic/calibration.js';
import { CORPUS } from '../test/helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

type Variant = 'original' | 'jpeg85' | 'resize075' | 'resize075-jpeg85';
const VARIANTS: Variant[] = ['original', 'jpeg85', 'resize075', 'resize075-jpeg85'];

interface Item {
  file: string;
  set: 'real-london' | 'stylegan3' | 'sfhq' | 'camera' | 'real-other';
  family: string;
  /** 0 = calibration half, 1 = held-out half. */
  half: 0 | 1;
}

interface Row extends Item {
  variant: Variant;
  highBandResidual?: number;
  upsamplingPeakZ?: number;
  grid8PeakZ?: number;
  midSlope?: number;
  geometryDeviation?: number;
  faces?: number;
  error?: string;
}

function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

async function items(): Promise<Item[]> {
  const faces = join(CORPUS, 'faces');
  const out: Item[] = [];
  for (const f of listImages(join(faces, 'eval-real-london'))) {
    const id = Number(/_(\d+)_/.exec(basename(f))?.[1] ?? 0);
    out.push({ file: f, set: 'real-london', family: 'real', half: (id % 2) as 0 | 1 });
  }
  listImages(join(faces, 'eval-stylegan3-fake')).forEach((f, i) =>
    out.push({ file: f, set: 'stylegan3', family: 'StyleGAN3', half: (i % 2) as 0 | 1 }),
  );
  const index = readFileSync(join(faces, 'eval-ai-sfhq-t2i', 'index.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const model = new Map(index.map((l) => [l.split(',')[0] ?? '', l.split(',')[1] ?? '']));
  listImages(join(faces, 'eval-ai-sfhq-t2i')).forEach((f, i) => {
    const m = model.get(basename(f)) ?? 'unknown';
    const family = m.startsWith('FLUX') ? 'FLUX.1' : m === 'DALLE3' ? 'DALL-E 3' : m;
    out.push({ file: f, set: 'sfhq', family, half: (i % 2) as 0 | 1 });
  });
  // Other real face photos outside eval-* (selfies, snapshots): false-positive rate only.
  for (const d of ['real-cc0', 'real-kphotoalbum', 'ultraface_imgs']) {
    for (const f of listImages(join(faces, d))) out.push({ file: f, set: 'real-other', family: 'real-other', half: 1 });
  }
  out.push({ file: join(faces, 'astronaut.png'), set: 'real-other', family: 'real-other', half: 1 });
  for (const f of walk(join(CORPUS, 'camera'))) {
    const b = readFileSync(f);
    if (b[0] !== 0xff || b[1] !== 0xd8) continue;
    const m = await sharp(b)
      .metadata()
      .catch(() => null);
    if (m?.width && m.height && Math.min(m.width, m.height) >= 256) out.push({ file: f, set: 'camera', family: 'camera', half: 1 });
  }
  return out;
}

async function variant(bytes: Buffer, v: Variant): Promise<Buffer> {
  const m = await sharp(bytes).metadata();
  const w = Math.round((m.width ?? 0) * 0.75);
  switch (v) {
    case 'original':
      return bytes;
    case 'jpeg85':
      return sharp(bytes).jpeg({ quality: 85 }).toBuffer();
    case 'resize075':
      return sharp(bytes).resize({ width: w, kernel: 'lanczos3' }).png().toBuffer();
    case 'resize075-jpeg85':
      return sharp(bytes).resize({ width: w, kernel: 'lanczos3' }).jpeg({ quality: 85 }).toBuffer();
  }
}

/** Probability that a random positive scores above a random negative (ties count half). */
export function auc(pos: number[], neg: number[]): number {
  if (!pos.length || !neg.length) return NaN;
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))]!;
}

const faces = ANALYZER_MAP.faces;
const services = createEngineServices({ home: mkdtempSync(join(tmpdir(), 'eval-synthetic-home-')) });

async function measure(it: Item, v: Variant, dir: string): Promise<Row> {
  const row: Row = { ...it, variant: v };
  try {
    const bytes = await variant(readFileSync(it.file), v);
    const m = await sharp(bytes).metadata();
    const crop = await loadCentreCrop(bytes, m.width ?? 0, m.height ?? 0, 2e8, it.file);
    const f = analyseSpectrum(crop.pixels, crop.n).features;
    row.highBandResidual = f.highBandResidual;
    row.upsamplingPeakZ = f.upsamplingPeakZ;
    row.grid8PeakZ = f.grid8PeakZ;
    row.midSlope = f.midSlope;
    if (faces) {
      const p = join(dir, `${basename(it.file)}.${v}`);
      writeFileSync(p, bytes);
      const ev = await openEvidence(p);
      const r = await analyzeEvidence(ev, { analyzers: [faces], artifacts: new MemoryArtifactStore(), services });
      const fr = r.analyzers.faces;
      if (fr?.status !== 'ok') throw new Error(`faces: ${fr?.error?.message ?? 'no result'}`);
      const lms = landmarksFromFaces(fr.data);
      row.faces = lms.length;
      const w = ev.info.displayWidth ?? 0;
      const h = ev.info.displayHeight ?? 0;
      if (lms[0]) row.geometryDeviation = ffhqAlignment(lms[0].landmarks, w, h).deviation;
      rmSync(p);
    }
  } catch (err) {
    row.error = (err as Error).message;
  }
  return row;
}

type Feature = 'highBandResidual' | 'upsamplingPeakZ' | 'grid8PeakZ' | 'geometry';
const FEATURES: Feature[] = ['highBandResidual', 'upsamplingPeakZ', 'grid8PeakZ', 'geometry'];
/** The thresholds the analyzer ships, on the same axis as value() (higher = more synthetic). */
const SHIPPED: Record<Feature, number | undefined> = {
  highBandResidual: HIGH_BAND_THRESHOLD,
  upsamplingPeakZ: PEAK_THRESHOLD,
  grid8PeakZ: undefined,
  geometry: -GEOMETRY_TOLERANCE,
};

function value(r: Row, f: Feature): number | undefined {
  switch (f) {
    case 'highBandResidual':
      return r.highBandResidual;
    case 'upsamplingPeakZ':
      return r.upsamplingPeakZ;
    case 'grid8PeakZ':
      return r.grid8PeakZ;
    case 'geometry':
      // No face found counts as "no match" (deviation 1): the signal cannot fire without a face.
      return r.faces === undefined ? undefined : -(r.geometryDeviation ?? 1);
  }
}

async function main(): Promise<void> {
  const all = await items();
  const dir = mkdtempSync(join(tmpdir(), 'eval-synthetic-'));
  const rows: Row[] = [];
  for (const v of VARIANTS) {
    for (const it of all) rows.push(await measure(it, v, dir));
    process.stderr.write(`measured ${v}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  const families = ['StyleGAN3', 'SDXL', 'FLUX.1', 'DALL-E 3'];
  const lines: string[] = [];
  lines.push(`faces analyzer present: ${faces ? 'yes' : 'no'}; items: ${all.length}; errors: ${rows.filter((r) => r.error).length}`);
  for (const f of FEATURES) {
    const vals = (pred: (r: Row) => boolean): number[] =>
      rows
        .filter(pred)
        .map((r) => value(r, f))
        .filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (!vals((r) => r.variant === 'original').length) {
      lines.push(`\n## ${f}: not measured`);
      continue;
    }
    // How the spectral thresholds were derived: 95th percentile of London, calibration half, originals.
    const p95 = quantile(
      vals((r) => r.set === 'real-london' && r.half === 0 && r.variant === 'original'),
      0.95,
    );
    const thr = SHIPPED[f] ?? p95;
    lines.push(`\n## ${f} (shipped threshold ${SHIPPED[f] ?? 'none'}; 95th pct of London calibration half = ${p95.toFixed(3)})`);
    lines.push(
      '| variant | ' +
        families.map((x) => `AUC ${x} (held-out / all)`).join(' | ') +
        ' | TPR per family at threshold | FPR London held-out | FPR camera | FPR other real |',
    );
    lines.push('|---|' + families.map(() => '---').join('|') + '|---|---|---|---|');
    for (const v of VARIANTS) {
      const neg = (half?: 0 | 1): number[] =>
        vals((r) => r.set === 'real-london' && r.variant === v && (half === undefined || r.half === half));
      const cells = families.map((fam) => {
        const pos = (half?: 0 | 1): number[] => vals((r) => r.family === fam && r.variant === v && (half === undefined || r.half === half));
        return `${auc(pos(1), neg(1)).toFixed(2)} / ${auc(pos(), neg()).toFixed(2)} (n=${pos().length})`;
      });
      const tpr = families
        .map((fam) => {
          const p = vals((r) => r.family === fam && r.variant === v);
          return `${fam} ${p.filter((x) => x >= thr).length}/${p.length}`;
        })
        .join(', ');
      const fprL = neg(1).filter((x) => x >= thr).length / neg(1).length;
      const cam = vals((r) => r.set === 'camera' && r.variant === v);
      const fprC = cam.filter((x) => x >= thr).length;
      const other = vals((r) => r.set === 'real-other' && r.variant === v);
      const fprO = other.filter((x) => x >= thr).length;
      lines.push(
        `| ${v} | ${cells.join(' | ')} | ${tpr} | ${(fprL * 100).toFixed(0)}% (${neg(1).filter((x) => x >= thr).length}/${neg(1).length}) | ${fprC}/${cam.length} | ${fprO}/${other.length} |`,
      );
    }
  }
  console.log(lines.join('\n'));
  const jsonAt = process.argv.indexOf('--json');
  if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify(rows, null, 1));
}

await main();
