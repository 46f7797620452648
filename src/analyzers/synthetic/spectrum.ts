import { VerilensError } from '../../util/errors.js';
import { isPowerOfTwo, powerSpectrum2d } from './fft.js';

/**
 * Frequency-spectrum features of one square greyscale crop (pure; no I/O).
 *
 * - Spectral fall-off: the azimuthally averaged (1D) log power spectrum, after Durall, Keuper and
 *   Keuper 2020, "Watch your Up-Convolution: CNN Based Generative Deep Neural Networks are Failing
 *   to Reproduce Spectral Distributions" (CVPR). Up-convolutions leave the high-frequency end of
 *   the 1D spectrum off the power law that natural images follow; we measure how far the top band
 *   (0.75 to 1.0 of Nyquist) sits from a power law fitted on the mid band (0.1 to 0.5).
 * - Up-sampling peaks: Frank et al. 2020, "Leveraging Frequency Analysis for Deep Fake Image
 *   Recognition" (ICML), show that generator up-sampling leaves periodic, grid-aligned peaks in
 *   the spectrum. We measure how far the 2D log power at the frequencies a 2x/4x up-sampler
 *   repeats at (multiples of 1/4 and 1/2 cycle per pixel) stands above the ring of the same radius,
 *   and separately at odd multiples of 1/8 (the 8x8 JPEG block grid and 8x VAE decoders).
 */

export interface SpectrumPeak {
  /** Frequency in cycles per pixel (-0.5 .. 0.5), horizontal and vertical. */
  fx: number;
  fy: number;
  /** Standard deviations above the mean log power of its ring. */
  z: number;
}

export interface SpectrumFeatures {
  /** Crop side in pixels (power of two). */
  n: number;
  /** Azimuthal mean of log10 power per radius, resampled to `PROFILE_BINS` bins over 0..Nyquist. */
  profile: number[];
  /** Slope of log10 power vs log10 frequency over 0.1..0.5 Nyquist (natural images: about -2 to -3). */
  midSlope: number;
  /** Mean log10 power over 0.75..1.0 Nyquist minus the power law fitted on the mid band (decades). */
  highBandResidual: number;
  /** Strongest peak at multiples of 1/4 or 1/2 cycle/pixel (2x and 4x up-sampling), in ring std units. */
  upsamplingPeakZ: number;
  /** Strongest peak at odd multiples of 1/8 cycle/pixel (8-pixel grids: JPEG blocks, 8x decoders). */
  grid8PeakZ: number;
  /** The strongest few candidate peaks, for display. */
  peaks: SpectrumPeak[];
}

export interface SpectrumResult {
  features: SpectrumFeatures;
  /** log10 power, shifted so DC is at (n/2, n/2), row-major n*n. For rendering. */
  logPower: Float32Array;
}

export const PROFILE_BINS = 64;
const EPS = 1e-12;

/** Separable Hann window applied after removing the mean, so crop edges do not add a cross to the spectrum. */
export function windowed(pixels: Float64Array, n: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < pixels.length; i++) mean += pixels[i]!;
  mean /= pixels.length;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = (pixels[y * n + x]! - mean) * w[y]! * w[x]!;
  return out;
}

function linearFit(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const m = xs.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < m; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
    sxx += xs[i]! * xs[i]!;
    sxy += xs[i]! * ys[i]!;
  }
  const den = m * sxx - sx * sx;
  const slope = den === 0 ? 0 : (m * sxy - sx * sy) / den;
  return { slope, intercept: (sy - slope * sx) / m };
}

/** Compute the spectrum features of an n x n greyscale crop (values in any linear range, e.g. 0..255). */
export function analyseSpectrum(pixels: Float64Array, n: number): SpectrumResult {
  if (!isPowerOfTwo(n) || n < 32) throw new VerilensError('invalid-argument', `spectrum crop must be a power of two >= 32, got ${n}`);
  if (pixels.length !== n * n) throw new VerilensError('invalid-argument', `expected ${n * n} pixels, got ${pixels.length}`);
  const power = powerSpectrum2d(windowed(pixels, n), n);
  const half = n / 2;
  // Shift DC to the centre and take log10.
  const logPower = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    const sy = (y + half) % n;
    for (let x = 0; x < n; x++) logPower[sy * n + ((x + half) % n)] = Math.log10(power[y * n + x]! + EPS);
  }
  // Ring statistics of log power for every integer radius (corners reach n/sqrt(2)).
  const maxR = Math.ceil(Math.SQRT2 * half) + 1;
  const sum = new Float64Array(maxR + 1);
  const sum2 = new Float64Array(maxR + 1);
  const count = new Float64Array(maxR + 1);
  const radiusOf = (x: number, y: number): number => Math.round(Math.sqrt((x - half) * (x - half) + (y - half) * (y - half)));
  for (let y = 0; y < n; y++) {
    const dy2 = (y - half) * (y - half);
    for (let x = 0; x < n; x++) {
      const r = Math.round(Math.sqrt((x - half) * (x - half) + dy2));
      const v = logPower[y * n + x]!;
      sum[r] = sum[r]! + v;
      sum2[r] = sum2[r]! + v * v;
      count[r] = count[r]! + 1;
    }
  }
  const ringMean = new Float64Array(maxR + 1);
  const ringStd = new Float64Array(maxR + 1);
  for (let r = 0; r <= maxR; r++) {
    const c = count[r]!;
    if (c === 0) continue;
    ringMean[r] = sum[r]! / c;
    ringStd[r] = Math.sqrt(Math.max(sum2[r]! / c - ringMean[r]! * ringMean[r]!, 1e-6));
  }

  // 1D profile over 0..Nyquist, Durall et al.'s azimuthal average.
  const profile: number[] = [];
  for (let b = 0; b < PROFILE_BINS; b++) {
    const r = Math.min(half, Math.round(((b + 0.5) / PROFILE_BINS) * half));
    profile.push(Math.round(ringMean[r]! * 1000) / 1000);
  }
  const midX: number[] = [];
  const midY: number[] = [];
  const hiX: number[] = [];
  const hiY: number[] = [];
  for (let r = 1; r <= half; r++) {
    const f = r / half;
    if (f >= 0.1 && f <= 0.5) {
      midX.push(Math.log10(f));
      midY.push(ringMean[r]!);
    } else if (f >= 0.75) {
      hiX.push(Math.log10(f));
      hiY.push(ringMean[r]!);
    }
  }
  const fit = linearFit(midX, midY);
  let resid = 0;
  for (let i = 0; i < hiX.length; i++) resid += hiY[i]! - (fit.intercept + fit.slope * hiX[i]!);
  resid /= Math.max(1, hiX.length);

  // Frank et al.'s periodic peaks: grid positions k*n/8 (k = -4..4), half-plane by symmetry.
  const zAt = (cx: number, cy: number): number => {
    let best = -Infinity;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        const r = radiusOf(x, y);
        const z = (logPower[y * n + x]! - ringMean[r]!) / ringStd[r]!;
        if (z > best) best = z;
      }
    }
    return best;
  };
  const step = n / 8;
  const peaks: SpectrumPeak[] = [];
  let up = -Infinity;
  let grid8 = -Infinity;
  for (let b = 0; b <= 4; b++) {
    for (let a = -4; a <= 3; a++) {
      // Skip DC and the mirrored half of the horizontal axis; a = -4 is the Nyquist column (index 0).
      if (b === 0 && a <= 0 && a !== -4) continue;
      const z = zAt(half + a * step, half - b * step);
      peaks.push({ fx: a / 8, fy: b / 8, z: Math.round(z * 100) / 100 });
      const odd = a % 2 !== 0 || b % 2 !== 0;
      if (odd) grid8 = Math.max(grid8, z);
      else up = Math.max(up, z);
    }
  }
  peaks.sort((p, q) => q.z - p.z);
  return {
    features: {
      n,
      profile,
      midSlope: fit.slope,
      highBandResidual: resid,
      upsamplingPeakZ: up,
      grid8PeakZ: grid8,
      peaks: peaks.slice(0, 5),
    },
    logPower,
  };
}
