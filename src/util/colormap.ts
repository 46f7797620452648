import { constants as zc, crc32 as zcrc32, createDeflate, deflateRawSync, deflateSync } from 'node:zlib';

/**
 * Perceptually uniform colour map (inferno) for heatmaps: lightness rises with the value, so
 * lightness alone ranks the error and colour-blind readers see the same order. Shared by every
 * heatmap artifact (ELA, block maps, spectra); the legend helper maps colours back to values.
 */

/** Degree-6 polynomial fit of matplotlib's inferno (CC0), per channel, lowest order first. */
const INFERNO_COEFFS: readonly (readonly [number, number, number])[] = [
  [0.0002189403691192265, 0.001651004631001012, -0.01948089843709184],
  [0.1065134194856116, 0.5639564367884091, 3.932712388889277],
  [11.60249308247187, -3.972853965665698, -15.9423941062914],
  [-41.70399613139459, 17.43639888205313, 44.35414519872813],
  [77.162935699427, -33.40235894210092, -81.80730925738993],
  [-71.31942824499214, 32.62606426397723, 73.20951985803202],
  [25.13112622477341, -12.24266895238567, -23.07032500287172],
];

export type Rgb = readonly [number, number, number];

/** Colour of `t` in [0, 1] (clamped) as 8-bit sRGB. */
export function infernoRgb(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const out = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    let v = 0;
    for (let i = INFERNO_COEFFS.length - 1; i >= 0; i--) v = v * x + (INFERNO_COEFFS[i]?.[k] ?? 0);
    out[k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  return [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0];
}

/** 256-entry lookup table, RGB triplets: entry i is the colour of i / 255. */
export function infernoLut(levels = 256): Uint8Array {
  const lut = new Uint8Array(levels * 3);
  for (let i = 0; i < levels; i++) {
    const [r, g, b] = infernoRgb(levels === 1 ? 0 : i / (levels - 1));
    lut[i * 3] = r;
    lut[i * 3 + 1] = g;
    lut[i * 3 + 2] = b;
  }
  return lut;
}

/** CIE L* (0..100) of an 8-bit sRGB colour: used to check the map's lightness rises monotonically. */
export function lightness([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

export function hexOf([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export interface LegendStop {
  /** Value in the heatmap's unit (e.g. ELA error in 8-bit grey levels). */
  value: number;
  /** Colour drawn for that value. */
  color: string;
}

/**
 * Legend for a heatmap whose palette index i (0..255) stands for `min + (max - min) * i / 255`:
 * `steps` evenly spaced stops from min to max, for a UI or report to draw beside the image.
 */
export function legendStops(min: number, max: number, steps = 5): LegendStop[] {
  const n = Math.max(2, Math.floor(steps));
  const out: LegendStop[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    out.push({ value: Math.round((min + (max - min) * t) * 100) / 100, color: hexOf(infernoRgb(t)) });
  }
  return out;
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function crc32(parts: readonly Uint8Array[]): number {
  let c = 0;
  for (const p of parts) c = zcrc32(p, c);
  return c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32([head.subarray(4), data]), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encode an 8-bit indexed PNG: one palette index per pixel (through `map` when given, e.g. an
 * amplification table), `palette` as RGB triplets (up to 256).
 * Heatmaps are indexed by nature, so this is exact (no quantisation), small, and several times
 * faster than building an RGB image and compressing it.
 */
export function encodeIndexedPng(indices: Uint8Array, width: number, height: number, palette: Uint8Array, opts: { level?: number; map?: Uint8Array } = {}): Buffer {
  if (indices.length < width * height) throw new RangeError(`PNG needs ${width * height} indices, got ${indices.length}`);
  const { ihdr, plte } = indexedHeader(width, height, palette);
  // Each scanline is prefixed with filter type 0 (none): palette indices do not predict well.
  const map = opts.map && opts.map.length >= 256 ? opts.map : undefined;
  const raw = Buffer.allocUnsafe((width + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width + 1);
    raw[o] = 0;
    if (map) {
      // Apply the value -> index map while laying out scanlines: one pass over the pixels.
      for (let x = 0, i = y * width; x < width; x++, i++) raw[o + 1 + x] = map[indices[i] as number] as number;
    } else {
      raw.set(indices.subarray(y * width, (y + 1) * width), o + 1);
    }
  }
  // Run-length strategy: heatmaps are runs of equal indices; ~4x faster than the default, and smaller.
  const idat = deflateSync(raw, { level: opts.level ?? 1, strategy: zc.Z_RLE });
  return pngFile(ihdr, plte, [idat]);
}

function indexedHeader(width: number, height: number, palette: Uint8Array): { ihdr: Buffer; plte: Uint8Array } {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new RangeError(`bad PNG size ${width}x${height}`);
  const entries = Math.floor(palette.length / 3);
  if (entries < 1 || entries > 256) throw new RangeError(`PNG palette needs 1..256 entries, got ${entries}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: indexed
  return { ihdr, plte: palette.subarray(0, entries * 3) };
}

function pngFile(ihdr: Buffer, plte: Uint8Array, idat: readonly Uint8Array[]): Buffer {
  const body = idat.length === 1 ? (idat[0] as Uint8Array) : Buffer.concat(idat);
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', body), chunk('IEND', new Uint8Array(0))]);
}

const ADLER_MOD = 65521;

/** Adler-32 of `buf` continuing from `start` (zlib's running checksum; 1 for an empty prefix). */
export function adler32(buf: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = start >>> 16;
  const n = buf.length;
  // Reduce every 5552 bytes (zlib's NMAX) so the running sums stay well inside 32 bits.
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + 5552);
    for (; i < end; i++) {
      a += buf[i] as number;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** Adler-32 of the concatenation of two parts, from their checksums and the second's length (zlib's adler32_combine). */
export function adler32Combine(adler1: number, adler2: number, len2: number): number {
  const rem = len2 % ADLER_MOD;
  let sum1 = adler1 & 0xffff;
  let sum2 = (rem * sum1) % ADLER_MOD;
  sum1 += (adler2 & 0xffff) + ADLER_MOD - 1;
  sum2 += (adler1 >>> 16) + (adler2 >>> 16) + ADLER_MOD - rem;
  if (sum1 >= ADLER_MOD) sum1 -= ADLER_MOD;
  if (sum1 >= ADLER_MOD) sum1 -= ADLER_MOD;
  if (sum2 >= 2 * ADLER_MOD) sum2 -= 2 * ADLER_MOD;
  if (sum2 >= ADLER_MOD) sum2 -= ADLER_MOD;
  return ((sum2 << 16) | sum1) >>> 0;
}

interface PngBand {
  y0: number;
  rows: number;
  length: number;
  deflated: Promise<{ data: Buffer; adler: number }>;
}

/**
 * Deflate one band on the thread pool as a zlib stream, sync-flushed and then finished, which ends
 * in an empty final block (03 00) and the band's Adler-32: the checksum comes free with the
 * compression. Returns the raw-deflate part up to the sync marker, and that checksum.
 */
function deflateBand(raw: Buffer, level: number): Promise<{ data: Buffer; adler: number }> {
  return new Promise((resolve, reject) => {
    const z = createDeflate({ level, strategy: zc.Z_RLE, chunkSize: Math.max(64 * 1024, Math.min(raw.length, 4 << 20)) });
    const out: Buffer[] = [];
    z.on('data', (c: Buffer) => out.push(c));
    z.on('error', reject);
    z.on('end', () => {
      const all = Buffer.concat(out);
      const n = all.length;
      if (n >= 8 && all[0] === 0x78 && all[n - 6] === 0x03 && all[n - 5] === 0x00) {
        resolve({ data: all.subarray(2, n - 6), adler: all.readUInt32BE(n - 4) });
      } else {
        // Another zlib build may end differently: compress this band the plain way.
        resolve({ data: deflateRawSync(raw, { level, strategy: zc.Z_RLE, finishFlush: zc.Z_SYNC_FLUSH }), adler: adler32(raw) });
      }
    });
    z.write(raw);
    z.flush(zc.Z_SYNC_FLUSH, () => z.end());
  });
}

/**
 * The same indexed PNG as encodeIndexedPng, fed in row bands in any order as they are computed:
 * each band is deflated on libuv's thread pool while the caller works on the next (pigz's
 * method: independent raw-deflate segments ending on a byte boundary, one zlib header, an empty
 * final block and the combined Adler-32), so compression overlaps the analysis instead of
 * following it.
 */
export class IndexedPngStream {
  private readonly bands: PngBand[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly level = 1,
  ) {
    indexedHeader(width, height, Uint8Array.of(0, 0, 0)); // validates the size now
  }

  /** Queue rows [y0, y0 + indices.length / width) for compression (the indices are copied). */
  addRows(y0: number, indices: Uint8Array): void {
    const w = this.width;
    const rows = Math.floor(indices.length / w);
    if (rows <= 0 || y0 < 0 || y0 + rows > this.height) throw new RangeError(`PNG rows ${y0}..${y0 + rows} outside 0..${this.height}`);
    const raw = Buffer.allocUnsafe((w + 1) * rows);
    for (let y = 0; y < rows; y++) {
      raw[y * (w + 1)] = 0; // filter: none
      raw.set(indices.subarray(y * w, (y + 1) * w), y * (w + 1) + 1);
    }
    const deflated = deflateBand(raw, this.level);
    deflated.catch(() => undefined); // awaited in finish(); never an unhandled rejection meanwhile
    this.bands.push({ y0, rows, length: raw.length, deflated });
  }

  /** The PNG file, once every row has been added exactly once; the palette may depend on all rows. */
  async finish(palette: Uint8Array): Promise<Buffer> {
    const { ihdr, plte } = indexedHeader(this.width, this.height, palette);
    const bands = [...this.bands].sort((a, b) => a.y0 - b.y0);
    let y = 0;
    for (const b of bands) {
      if (b.y0 !== y) throw new RangeError(`PNG rows ${y}..${b.y0} missing or added twice`);
      y += b.rows;
    }
    if (y !== this.height) throw new RangeError(`PNG rows ${y}..${this.height} missing`);
    const done = await Promise.all(bands.map((b) => b.deflated));
    let adler = 1;
    for (let i = 0; i < bands.length; i++) adler = adler32Combine(adler, (done[i] as { adler: number }).adler, (bands[i] as PngBand).length);
    const parts = done.map((d) => d.data);
    const tail = Buffer.alloc(9);
    tail.set([0x01, 0x00, 0x00, 0xff, 0xff]); // empty final stored block
    tail.writeUInt32BE(adler, 5);
    return pngFile(ihdr, plte, [Buffer.from([0x78, 0x01]), ...parts, tail]);
  }
}
