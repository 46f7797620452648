// `synthetic` speed and memory. It decodes only a <= 512 px centre crop, so on large photos it
// should cost less than one plain greyscale decode of the whole image, and its peak RSS on a
// 50 MP JPEG (measured in a child) should stay far below a full RGB decode (~150 MB of pixels).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { syntheticAnalyzer } from '../src/analyzers/synthetic/index.js';
import { MemoryArtifactStore } from '../src/engine/artifacts.js';
import { openEvidence } from '../src/evidence/intake.js';
import { ratioLine, timeIt } from './_util.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SOURCE = join(ROOT, 'test', 'fixtures', 'images', 'canon-dslr.jpg');
const ctx = () => ({
  signal: new AbortController().signal,
  progress: () => undefined,
  params: {},
  artifacts: new MemoryArtifactStore(),
  results: {},
  services: {},
  log: { debug: () => undefined, warn: () => undefined },
});

const CHILD = `
import { openEvidence } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'evidence', 'intake.ts')).href)};
import { syntheticAnalyzer } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'analyzers', 'synthetic', 'index.ts')).href)};
import { MemoryArtifactStore } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'engine', 'artifacts.ts')).href)};
import { peakRssKiB } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'util', 'peak-rss.ts')).href)};
const ev = await openEvidence(process.argv.at(-1));
const base = peakRssKiB();
const t0 = performance.now();
const out = await syntheticAnalyzer.run(ev, { signal: new AbortController().signal, progress() {}, params: {}, artifacts: new MemoryArtifactStore(), results: {}, services: {}, log: { debug() {}, warn() {} } });
console.log(JSON.stringify({ status: out.status, ms: performance.now() - t0, baseKiB: base, maxRssKiB: peakRssKiB() }));
`;

function child(file: string): Promise<{ status: string; ms: number; baseKiB: number; maxRssKiB: number }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, file], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').pop() ?? '{}')) : rej(new Error(`child exited ${code}`))));
  });
}

export async function bench(): Promise<void> {
  const ev = await openEvidence(SOURCE);
  const bytes = ev.bytes!;
  const analyzer = await timeIt(() => syntheticAnalyzer.run(ev, ctx()), { warmup: 1, runs: 5 });
  const decode = await timeIt(() => sharp(bytes).greyscale().raw().toBuffer(), { warmup: 1, runs: 5 });
  console.log(
    `synthetic (${ev.info.width}x${ev.info.height} JPEG, no faces): ${ratioLine('analyzer', analyzer.medianMs, 'plain greyscale decode', decode.medianMs)}`,
  );

  const dir = await mkdtemp(join(tmpdir(), 'bench-synthetic-'));
  try {
    const big = join(dir, 'big-50mp.jpg');
    await writeFile(big, await sharp(bytes).resize({ width: 8660 }).jpeg({ quality: 90 }).toBuffer());
    const r = await child(big);
    const growth = (r.maxRssKiB - r.baseKiB) / 1024;
    console.log(
      `synthetic on a 50 MP JPEG: ${r.status}, ${r.ms.toFixed(0)} ms; peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MB, of which ${growth.toFixed(0)} MB above the peak before the run (target < 150 MB; a full RGB decode alone is ~150 MB)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
