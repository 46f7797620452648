import sharp from 'sharp';
import { encodeIndexedPng, infernoLut, legendStops, type LegendStop } from '../../util/colormap.js';
import { VerilensError } from '../../util/errors.js';
import { floorPowerOfTwo } from './fft.js';

/** Largest crop side analysed; bigger images are cropped, never resampled (resampling erases the traces). */
export const MAX_CROP = 512;
export const MIN_CROP = 64;

export interface Crop {
  /** Greyscale luma 0..255, row-major n*n. */
  pixels: Float64Array;
  n: number;
  /** Where the crop sits, in stored pixel coordinates (before EXIF orientation). */
  region: { x: number; y: number; width: number; height: number };
}

/**
 * Decode only a native-resolution centre crop (side: largest power of two <= the short side,
 * capped at MAX_CROP) as greyscale. Memory stays bounded on huge images because libvips reads
 * sequentially and the output is at most 512x512.
 */
export async function loadCentreCrop(bytes: Buffer, width: number, height: number, maxPixels: number, label: string): Promise<Crop> {
  const short = Math.min(width, height);
  if (!(short >= MIN_CROP)) {
    throw new VerilensError(
      'too-small',
      `${label}: image is ${width}x${height}; the spectrum needs at least ${MIN_CROP}x${MIN_CROP} pixels`,
    );
  }
  const n = Math.min(MAX_CROP, floorPowerOfTwo(short));
  const left = Math.floor((width - n) / 2);
  const top = Math.floor((height - n) / 2);
  let data: Buffer;
  try {
    const out = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated', sequentialRead: true })
      .extract({ left, top, width: n, height: n })
      .removeAlpha()
      .greyscale()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (out.info.width !== n || out.info.height !== n || out.info.channels !== 1) {
      throw new Error(`unexpected decoded crop ${out.info.width}x${out.info.height}x${out.info.channels}`);
    }
    data = out.data;
  } catch (err) {
    // libvips stacks one line per layer; the last names the cause (e.g. a missing HEVC decoder).
    const lines = (err as Error).message
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const why = (lines[lines.length - 1] ?? 'unknown error').slice(0, 240);
    throw new VerilensError('decode-failed', `${label}: could not decode the image pixels (${why})`, { cause: err });
  }
  const pixels = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) pixels[i] = data[i]!;
  return { pixels, n, region: { x: left, y: top, width: n, height: n } };
}

export interface RenderedSpectrum {
  png: Buffer;
  legend: LegendStop[];
  /** log10 power at the bottom and top of the colour scale. */
  range: [number, number];
}

/** Approximate percentile from a 4096-bin histogram (exact to 1/4096 of the range; no full sort). */
function percentile(values: Float32Array, q: number): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return min;
  const bins = 4096;
  const hist = new Uint32Array(bins);
  const k = (bins - 1) / (max - min);
  for (let i = 0; i < values.length; i++) hist[Math.floor((values[i]! - min) * k)]!++;
  const target = q * (values.length - 1);
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    acc += hist[b]!;
    if (acc > target) return min + b / k;
  }
  return max;
}

/** Log spectrum as an inferno PNG (DC in the centre), scaled between the 1st and 99.9th percentiles. */
export function renderSpectrum(logPower: Float32Array, n: number): RenderedSpectrum {
  const lo = percentile(logPower, 0.01);
  const hi = percentile(logPower, 0.999);
  const span = hi - lo > 1e-9 ? hi - lo : 1;
  const idx = new Uint8Array(n * n);
  for (let i = 0; i < n * n; i++) idx[i] = Math.max(0, Math.min(255, Math.round(((logPower[i]! - lo) / span) * 255)));
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  return { png: encodeIndexedPng(idx, n, n, infernoLut()), legend: legendStops(r2(lo), r2(hi)), range: [r2(lo), r2(hi)] };
}
