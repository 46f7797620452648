import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { blockMeans, ErrorAccumulator, maxAbsDiff, orientPlane, planeStats, robustZ, strips } from '../../src/analyzers/ela/compute.js';
import { recompressionError, roundTrip } from '../../src/analyzers/ela/index.js';
import { simdKernels } from '../../src/analyzers/ela/simd.js';
import { adler32, adler32Combine, encodeIndexedPng, IndexedPngStream, infernoLut, infernoRgb, legendStops, lightness } from '../../src/util/colormap.js';
import { corpus, fixture, needCorpus } from '../helpers.js';

async function grey(path: string, autoOrient: boolean): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(path, { autoOrient }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function checkOrientation(path: string, orientation: number): Promise<void> {
  const stored = await grey(path, false);
  const shown = await grey(path, true);
  const mine = orientPlane(stored, orientation);
  assert.deepEqual([mine.width, mine.height], [shown.width, shown.height], path);
  assert.ok(Buffer.from(mine.data).equals(shown.data), `${path}: orientPlane differs from sharp's auto-orientation`);
}

describe('ela compute', () => {
  it('orients a plane exactly like sharp applies EXIF orientation 6', async () => {
    await checkOrientation(fixture('images', 'orientation_f6t.jpg'), 6);
  });

  it('orients planes like sharp for all eight EXIF orientations', { skip: needCorpus }, async () => {
    for (let o = 1; o <= 8; o++) await checkOrientation(corpus('camera', 'exifr_fixtures', `orientation_f${o}t.jpg`), o);
  });

  it('computes the error plane, statistics and block grid of a real recompression', async () => {
    const { data: a, info } = await sharp(fixture('images', 'img_1771.jpg')).raw().toBuffer({ resolveWithObject: true });
    const b = await roundTrip(a, info.width, info.height, 3, 90);
    // Reference: max channel difference computed the slow, obvious way.
    const ref = new Uint8Array(info.width * info.height);
    for (let i = 0; i < ref.length; i++) ref[i] = Math.max(Math.abs(a[3 * i]! - b[3 * i]!), Math.abs(a[3 * i + 1]! - b[3 * i + 1]!), Math.abs(a[3 * i + 2]! - b[3 * i + 2]!));
    const plane = maxAbsDiff(a, b, new Uint8Array(ref.length), 3);
    assert.ok(Buffer.from(plane).equals(ref));
    const st = planeStats(plane);
    assert.ok(Math.abs(st.mean - ref.reduce((s, v) => s + v, 0) / ref.length) < 1e-9);
    assert.equal(st.max, ref.reduce((m, v) => Math.max(m, v), 0));
    const grid = blockMeans({ data: plane, width: info.width, height: info.height }, 16);
    assert.deepEqual([grid.cols, grid.rows], [30, 23]); // 480x360: the last row of blocks is 8 px tall
    let s = 0;
    for (let y = 352; y < 360; y++) for (let x = 16; x < 32; x++) s += ref[y * info.width + x]!;
    assert.ok(Math.abs(grid.means[22 * 30 + 1]! - s / 128) < 1e-9);
    const rz = robustZ(grid.means);
    assert.ok(rz.scale >= 0.25);
    assert.equal(rz.z.length, grid.means.length);
  });

  it('recompresses in MCU-aligned strips with the same result as the whole image', async () => {
    assert.deepEqual(strips(100, 40, 16), [
      { y0: 0, y1: 32, e0: 0, e1: 48 },
      { y0: 32, y1: 64, e0: 16, e1: 80 },
      { y0: 64, y1: 96, e0: 48, e1: 100 },
      { y0: 96, y1: 100, e0: 80, e1: 100 },
    ]);
    const { data, info } = await sharp(fixture('images', 'ela_original.jpg')).raw().toBuffer({ resolveWithObject: true });
    const raw = { data, width: info.width, height: info.height, channels: 3 as const };
    const whole = maxAbsDiff(data, await roundTrip(data, info.width, info.height, 3, 90), new Uint8Array(info.width * info.height), 3);
    const striped = await recompressionError(raw, 90, new AbortController().signal, 64);
    let differing = 0;
    for (let i = 0; i < whole.length; i++) if (whole[i] !== striped[i]) differing++;
    assert.equal(differing, 0, `${differing} pixels differ between strip-wise and whole-image ELA`);
    // The fused pass (error, histogram and block sums together) agrees with the separate ones.
    const acc = new ErrorAccumulator(info.width, info.height, 32);
    const fused = await recompressionError(raw, 90, new AbortController().signal, 64, acc);
    assert.ok(Buffer.from(fused).equals(Buffer.from(whole)));
    assert.deepEqual(acc.stats(), planeStats(whole));
    assert.deepEqual(acc.grid().means, blockMeans({ data: whole, width: info.width, height: info.height }, 32).means);
  });

  it('gives the same error, histogram and block sums with the SIMD kernels as with the JS loops', async () => {
    assert.ok(simdKernels(), 'this Node has WebAssembly SIMD');
    // Odd widths exercise the 16-pixel tails, block sizes 8..64 the partial edge blocks.
    for (const [width, bs] of [[480, 32], [437, 8], [301, 16], [333, 64]] as const) {
      const { data: a, info } = await sharp(fixture('images', 'img_1771.jpg')).extract({ left: 0, top: 0, width, height: 357 }).raw().toBuffer({ resolveWithObject: true });
      const b = await roundTrip(a, info.width, info.height, 3, 75);
      const ref = new Uint8Array(info.width * info.height);
      for (let i = 0; i < ref.length; i++) ref[i] = Math.max(Math.abs(a[3 * i]! - b[3 * i]!), Math.abs(a[3 * i + 1]! - b[3 * i + 1]!), Math.abs(a[3 * i + 2]! - b[3 * i + 2]!));
      const js = new ErrorAccumulator(info.width, info.height + 24, bs, false);
      js.add(ref, 24);
      const fused = new ErrorAccumulator(info.width, info.height + 24, bs);
      const out = new Uint8Array(ref.length);
      fused.addDiff(a, b, out, 24);
      assert.ok(Buffer.from(out).equals(ref), `width ${width}: SIMD error plane differs`);
      assert.deepEqual(fused.hist, js.hist);
      assert.deepEqual(fused.grid().means, js.grid().means);
      const plain = new ErrorAccumulator(info.width, info.height + 24, bs);
      plain.add(ref, 24);
      assert.deepEqual(plain.hist, js.hist);
      assert.deepEqual(plain.grid().means, js.grid().means);
      let sad = 0;
      for (let i = 0; i < a.length; i++) sad += Math.abs(a[i]! - b[i]!);
      assert.equal(simdKernels()?.sumAbsDiff(a, b), sad);
    }
  });

  it('writes the same indexed PNG from row bands added out of order as in one piece', async () => {
    const { data: plane, info } = await sharp(fixture('images', 'ela_original.jpg')).greyscale().raw().toBuffer({ resolveWithObject: true });
    const lut = infernoLut(256);
    const stream = new IndexedPngStream(info.width, info.height);
    const bands = strips(info.height, 96, 0).reverse();
    for (const b of bands) stream.addRows(b.y0, plane.subarray(b.y0 * info.width, b.y1 * info.width));
    const png = await stream.finish(lut);
    // inflate checks the combined Adler-32 of the zlib stream; the pixels must match the one-piece encoder's.
    const idat = png.subarray(8 + 25 + 12 + lut.length + 8, png.length - 12 - 4);
    assert.equal(inflateSync(idat).length, (info.width + 1) * info.height);
    const a = await sharp(png).raw().toBuffer();
    const b = await sharp(encodeIndexedPng(plane, info.width, info.height, lut)).raw().toBuffer();
    assert.ok(a.equals(b));
    const incomplete = new IndexedPngStream(info.width, info.height);
    incomplete.addRows(0, plane.subarray(0, 10 * info.width));
    await assert.rejects(incomplete.finish(lut), RangeError);
    assert.equal(adler32Combine(adler32(plane.subarray(0, 1000)), adler32(plane.subarray(1000, 5000)), 4000), adler32(plane.subarray(0, 5000)));
  });

  it('uses an inferno map whose lightness rises monotonically from black to pale yellow', () => {
    const lut = infernoLut(256);
    let prev = -1;
    for (let i = 0; i < 256; i++) {
      const l = lightness([lut[i * 3]!, lut[i * 3 + 1]!, lut[i * 3 + 2]!]);
      assert.ok(l > prev, `lightness drops at ${i}`);
      prev = l;
    }
    // matplotlib inferno endpoints: (0.001, 0.000, 0.014) and (0.988, 0.998, 0.645).
    const [r0, g0, b0] = infernoRgb(0);
    const [r1, g1, b1] = infernoRgb(1);
    assert.ok(r0 <= 3 && g0 <= 3 && b0 <= 6);
    assert.ok(Math.abs(r1 - 252) <= 4 && Math.abs(g1 - 255) <= 4 && Math.abs(b1 - 164) <= 6);
    const legend = legendStops(0, 8, 5);
    assert.deepEqual(legend.map((s) => s.value), [0, 2, 4, 6, 8]);
    assert.match(legend[4]!.color, /^#[0-9a-f]{6}$/);
  });

  it('writes indexed PNGs that decode to the palette colours', async () => {
    const { data: plane, info } = await sharp(fixture('images', 'ela_original.jpg')).greyscale().raw().toBuffer({ resolveWithObject: true });
    const lut = infernoLut(256);
    const png = encodeIndexedPng(plane, info.width, info.height, lut);
    const { data, info: out } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([out.width, out.height, out.channels], [info.width, info.height, 3]);
    for (let i = 0; i < plane.length; i += 997) {
      const v = plane[i]!;
      assert.deepEqual([data[i * 3], data[i * 3 + 1], data[i * 3 + 2]], [lut[v * 3], lut[v * 3 + 1], lut[v * 3 + 2]]);
    }
    assert.throws(() => encodeIndexedPng(plane, info.width + 1, info.height, lut), RangeError);
  });
});
