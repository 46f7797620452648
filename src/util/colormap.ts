import { constants as zc, deflateSync } from 'node:zlib';

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

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = (CRC_TABLE[(c ^ (p[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
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
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new RangeError(`bad PNG size ${width}x${height}`);
  if (indices.length < width * height) throw new RangeError(`PNG needs ${width * height} indices, got ${indices.length}`);
  const entries = Math.floor(palette.length / 3);
  if (entries < 1 || entries > 256) throw new RangeError(`PNG palette needs 1..256 entries, got ${entries}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: indexed
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
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('PLTE', palette.subarray(0, entries * 3)),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
