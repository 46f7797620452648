// Metadata extraction throughput vs exiftool on the same files, measured in the same run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { analyzeMetadata } from '../src/analyzers/metadata/index.js';
import { openEvidence, type Evidence } from '../src/evidence/intake.js';
import { timeIt } from './_util.js';

const CAMERA = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'camera', 'exifr_fixtures');
const FIXTURES = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'images');

export async function bench(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'verilens-bench-metadata-'));
  try {
    const dir = existsSync(CAMERA) ? CAMERA : FIXTURES;
    const files = readdirSync(dir)
      .filter((f) => /\.(jpe?g|heic|tiff?|png)$/iu.test(f))
      .map((f) => join(dir, f));
    // ~12 MP JPEG: a real photo upscaled, EXIF kept.
    const big = join(tmp, 'upscaled-12mp.jpg');
    writeFileSync(big, await sharp(readFileSync(join(FIXTURES, 'img_1771.jpg'))).resize(4000, 3000).keepMetadata().jpeg({ quality: 90 }).toBuffer());
    files.push(big);
    const evs: Evidence[] = [];
    for (const f of files) {
      try {
        evs.push(await openEvidence(f));
      } catch {
        // intake refuses some odd corpus files; they are not part of the batch
      }
    }
    const paths = evs.map((e) => e.path);
    console.log(`batch: ${evs.length} files from ${dir} + a 4000x3000 upscaled JPEG`);

    const ours = await timeIt(async () => {
      for (const ev of evs) await analyzeMetadata(ev.bytes!, ev.info, { thumbnail: false });
    }, { warmup: 1, runs: 5 });
    const withThumb = await timeIt(async () => {
      for (const ev of evs) await analyzeMetadata(ev.bytes!, ev.info);
    }, { warmup: 1, runs: 3 });
    const bigEv = evs.find((e) => e.path === big)!;
    const oneBig = await timeIt(() => analyzeMetadata(bigEv.bytes!, bigEv.info), { warmup: 1, runs: 5 });

    let exiftool = true;
    try {
      execFileSync('exiftool', ['-ver'], { stdio: 'pipe' });
    } catch {
      exiftool = false;
    }
    const fps = (n: number, ms: number): string => `${((n * 1000) / ms).toFixed(0)} files/s`;
    console.log(`verilens metadata (no thumbnail compare): ${ours.medianMs.toFixed(1)} ms, ${fps(evs.length, ours.medianMs)}`);
    console.log(`verilens metadata (with thumbnail compare): ${withThumb.medianMs.toFixed(1)} ms, ${fps(evs.length, withThumb.medianMs)}`);
    console.log(`12 MP JPEG alone, full analysis: ${oneBig.medianMs.toFixed(1)} ms`);
    if (!exiftool) {
      console.log('exiftool not installed: no baseline');
      return;
    }
    const batch = await timeIt(async () => {
      execFileSync('exiftool', ['-json', '-q', '-q', ...paths], { maxBuffer: 256 << 20 });
    }, { warmup: 1, runs: 3 });
    const perFileSample = paths.slice(0, 20);
    const perFile = await timeIt(async () => {
      for (const p of perFileSample) execFileSync('exiftool', ['-json', '-q', '-q', p], { maxBuffer: 64 << 20 });
    }, { warmup: 0, runs: 1 });
    const perFileMs = (perFile.medianMs / perFileSample.length) * evs.length;
    console.log(`exiftool -json, one process for the batch: ${batch.medianMs.toFixed(1)} ms, ${fps(evs.length, batch.medianMs)}`);
    console.log(`exiftool -json, one process per file (extrapolated from ${perFileSample.length}): ${perFileMs.toFixed(1)} ms, ${fps(evs.length, perFileMs)}`);
    console.log(`ratio vs exiftool batch: ${(batch.medianMs / ours.medianMs).toFixed(2)}x (target >= 10x); with thumbnail compare: ${(batch.medianMs / withThumb.medianMs).toFixed(2)}x`);
    console.log(`ratio vs exiftool per file: ${(perFileMs / ours.medianMs).toFixed(2)}x; with thumbnail compare: ${(perFileMs / withThumb.medianMs).toFixed(2)}x`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
