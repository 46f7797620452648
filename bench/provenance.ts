// Provenance cost, as ratios against baselines measured in the same run: the C2PA read through the
// worker vs the same read in-process (isolation overhead), the whole analyzer vs SHA-256 of the
// same bytes (the floor every evidence file already pays), and memory on a hostile manifest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeProvenance, DEFAULTS } from '../src/analyzers/provenance/index.js';
import { c2paHost } from '../src/analyzers/provenance/c2pa-reader.js';
import { blockNetwork, readManifestStore } from '../src/analyzers/provenance/c2pa-wasm-core.js';
import { bundledTrust } from '../src/analyzers/provenance/trust.js';
import { ratioLine, timeIt } from './_util.js';
import { peakRssKiB } from '../src/util/peak-rss.js';

const FIX = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'provenance');

export async function bench(): Promise<void> {
  const trust = bundledTrust();
  const host = c2paHost(trust.settingsJson);
  const files: [string, string, string][] = [
    ['CA.jpg (C2PA, 167 KB)', 'c2pa/CA.jpg', 'jpeg'],
    ['chatgpt-image2.png (C2PA trusted, 2.6 MB)', 'generators/chatgpt-image2.png', 'png'],
    ['sd-webui.png (A1111 text, 1.3 MB)', 'generators/sd-webui.png', 'png'],
  ];
  try {
    await host.read('image/jpeg', readFileSync(resolve(FIX, 'c2pa/CA.jpg')), { timeoutMs: 30_000 }); // start the worker
    const restore = blockNetwork();
    try {
      for (const [label, rel, format] of files) {
        const bytes = readFileSync(resolve(FIX, rel));
        const mime = format === 'png' ? 'image/png' : 'image/jpeg';
        const viaWorker = await timeIt(() => host.read(mime, bytes, { timeoutMs: 30_000 }), { warmup: 1, runs: 7 });
        const inProcess = await timeIt(() => readManifestStore(mime, bytes, trust.settingsJson), { warmup: 1, runs: 7 });
        const whole = await timeIt(() => analyzeProvenance(bytes, { format, kind: 'image', bytes: bytes.length }, { ...DEFAULTS }), { warmup: 1, runs: 7 });
        const sha = await timeIt(async () => createHash('sha256').update(bytes).digest(), { warmup: 1, runs: 7 });
        console.log(`${label}`);
        console.log(`  ${ratioLine('C2PA read in the worker', viaWorker.medianMs, 'same read in-process', inProcess.medianMs)}`);
        console.log(`  ${ratioLine('whole provenance analyzer', whole.medianMs, 'SHA-256 of the file', sha.medianMs)}`);
      }
    } finally {
      restore();
    }

    // 64 MB of JPEG-like bytes with no C2PA: the byte scans and the reader's JumbfNotFound path.
    const big = Buffer.alloc(64 << 20, 0x55);
    big[0] = 0xff;
    big[1] = 0xd8;
    big[2] = 0xff;
    big[3] = 0xda;
    const bigRun = await timeIt(() => analyzeProvenance(big, { format: 'jpeg', kind: 'image', bytes: big.length }, { ...DEFAULTS }), { warmup: 1, runs: 3 });
    const bigSha = await timeIt(async () => createHash('sha256').update(big).digest(), { warmup: 1, runs: 3 });
    console.log(`64 MB file without C2PA: ${ratioLine('provenance', bigRun.medianMs, 'SHA-256', bigSha.medianMs)}`);

    // Hostile: 100 000 nested JUMBF superboxes in a PNG caBX chunk.
    const png = readFileSync(resolve(FIX, 'c2pa/trustnxt-icon.png'));
    const unit = Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from('jumb'), Buffer.from([0, 0, 0, 30]), Buffer.from('jumd'), Buffer.from('6332706100110010800000aa00389b71', 'hex'), Buffer.from([3]), Buffer.from('c2pa\0')]);
    const depth = 100_000;
    const nest = Buffer.alloc(unit.length * depth);
    for (let i = 0; i < depth; i++) {
      unit.copy(nest, i * unit.length);
      nest.writeUInt32BE(unit.length * (depth - i), i * unit.length);
    }
    const len = Buffer.alloc(4);
    len.writeUInt32BE(nest.length);
    const hostile = Buffer.concat([png.subarray(0, 33), len, Buffer.from('caBX'), nest, Buffer.alloc(4), png.subarray(33)]);
    const h = await timeIt(() => analyzeProvenance(hostile, { format: 'png', kind: 'image', bytes: hostile.length }, { ...DEFAULTS }), { warmup: 0, runs: 3 });
    const hSha = await timeIt(async () => createHash('sha256').update(hostile).digest(), { warmup: 1, runs: 3 });
    console.log(
      `hostile PNG, ${depth} nested JUMBF boxes (${(hostile.length / 1e6).toFixed(1)} MB): ${ratioLine('provenance', h.medianMs, 'SHA-256', hSha.medianMs)}; peak RSS of the whole bench so far ${(peakRssKiB() / 1024).toFixed(0)} MB`,
    );
  } finally {
    await host.close();
  }
}
