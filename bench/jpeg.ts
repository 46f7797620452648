// jpeg analyzer speed (issue 2, item 7). Targets: the whole analysis (markers, tables, trailing
// data, and JS Huffman decoding of every block of an 18 MP baseline JPEG) within 2x a plain
// sharp (libjpeg-turbo, SIMD) decode of the same file; the marker parse alone under 1 ms; a
// hostile file (megabytes of stuffed FF00 bytes, RST markers and fill) no slower per byte than a real one.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { analyseJpegBytes } from '../src/analyzers/jpeg/index.js';
import { parseJpeg } from '../src/analyzers/jpeg/parse.js';
import { ratioLine, timeIt } from './_util.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SOURCE = join(ROOT, 'test', 'fixtures', 'images', 'canon-dslr.jpg');

export async function bench(): Promise<void> {
  const bytes = await readFile(SOURCE);
  const decode = await timeIt(() => sharp(bytes).raw().toBuffer(), { runs: 5 });
  // Extra warm-up: the JIT needs a few runs before the Huffman loop is optimised.
  const full = await timeIt(async () => analyseJpegBytes(bytes), { warmup: 3, runs: 5 });
  console.log(ratioLine('jpeg analyzer, canon-dslr.jpg (5184x3456)', full.medianMs, 'sharp raw decode', decode.medianMs));
  const parse = await timeIt(async () => parseJpeg(bytes), { runs: 20 });
  console.log(`marker parse only: ${parse.medianMs.toFixed(2)} ms (target < 1 ms)`);

  // Hostile: a real header followed by 16 MiB of FF00 / FFFF / RST runs, then 16 MiB of garbage 0xFF fill.
  const head = bytes.subarray(0, parseJpeg(bytes).scans[0]!.dataStart);
  const pattern = Buffer.from([0xff, 0x00, 0xff, 0xff, 0xd0, 0x12]);
  const body = Buffer.alloc(16 << 20);
  for (let i = 0; i < body.length; i++) body[i] = pattern[i % pattern.length]!;
  const hostile = Buffer.concat([head, body, Buffer.alloc(16 << 20, 0xff)]);
  const h = await timeIt(async () => analyseJpegBytes(hostile), { runs: 3 });
  console.log(
    ratioLine(
      `hostile ${(hostile.length / 2 ** 20).toFixed(0)} MiB file`,
      h.medianMs,
      `normal ${(bytes.length / 2 ** 20).toFixed(1)} MiB file x size ratio`,
      full.medianMs * (hostile.length / bytes.length),
    ),
  );
}
