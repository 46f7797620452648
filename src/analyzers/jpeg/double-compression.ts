/**
 * Periodicity in the histograms of quantised DCT coefficients (Popescu & Farid 2004,
 * "Statistical tools for digital forensics", section on double JPEG compression; see also
 * Lukáš & Fridrich 2003). Quantising twice with different steps leaves periodic empty bins
 * or peaks in the histogram of the second quantisation; a single quantisation of natural
 * content gives a smooth, roughly log-concave histogram.
 *
 * Per position: fold the histogram (|v|, v != 0), take log counts, remove a quadratic trend,
 * and take the DFT of the residual. Each frequency's power is divided by the residual power
 * expected from counting noise alone (Poisson: var(log n) ~ 1/n), giving a z-like ratio that
 * is about 1 on a smooth histogram and grows with a periodic pattern.
 */
import type { PositionPeriodicity } from '../../contract/analyzers/jpeg.js';
import { HIST_RANGE, type CoefficientHistograms } from './entropy.js';

/** Low-frequency AC positions (natural order), the ones with enough non-zero values to analyse. */
export const DC_AC_POSITIONS: readonly number[] = [1, 8, 9, 2, 16, 10, 17, 3, 24];

export type { PositionPeriodicity } from '../../contract/analyzers/jpeg.js';

export type PeriodicityResult = {
  positions: PositionPeriodicity[];
  /** Median of the per-position peaks over the analysed positions, or null if too few. */
  statistic: number | null;
};

const MIN_BINS = 6;
const MIN_SAMPLES = 500;

function quadraticResidual(y: number[]): number[] {
  const n = y.length;
  // Least squares on x in [-1, 1] with the normal equations (3x3), solved by Cramer's rule.
  const xs = y.map((_, i) => (n === 1 ? 0 : (2 * i) / (n - 1) - 1));
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    s4 = 0,
    t0 = 0,
    t1 = 0,
    t2 = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const v = y[i]!;
    s0 += 1;
    s1 += x;
    s2 += x * x;
    s3 += x * x * x;
    s4 += x * x * x * x;
    t0 += v;
    t1 += v * x;
    t2 += v * x * x;
  }
  const det = (a: number[]): number =>
    a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) - a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) + a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
  const m = [s0, s1, s2, s1, s2, s3, s2, s3, s4];
  const d = det(m);
  if (Math.abs(d) < 1e-12) return y.map((v) => v - t0 / n);
  const c0 = det([t0, s1, s2, t1, s2, s3, t2, s3, s4]) / d;
  const c1 = det([s0, t0, s2, s1, t1, s3, s2, t2, s4]) / d;
  const c2 = det([s0, s1, t0, s1, s2, t1, s2, s3, t2]) / d;
  return y.map((v, i) => v - (c0 + c1 * xs[i]! + c2 * xs[i]! * xs[i]!));
}

export function analysePosition(position: number, counts: Int32Array): PositionPeriodicity | null {
  const folded: number[] = [];
  for (let k = 1; k < HIST_RANGE; k++) folded.push(counts[HIST_RANGE + k]! + counts[HIST_RANGE - k]!);
  // Analyse up to the last bin that still holds a handful of values, so the tail's noise stays bounded.
  let bins = 0;
  for (let k = 0; k < folded.length; k++) if (folded[k]! >= 5) bins = k + 1;
  const used = folded.slice(0, bins);
  const samples = used.reduce((a, v) => a + v, 0);
  if (bins < MIN_BINS || samples < MIN_SAMPLES) return null;
  const logs = used.map((v) => Math.log(v + 1));
  const res = quadraticResidual(logs);
  const noise = used.reduce((a, v) => a + 1 / (v + 1), 0);
  let peak = 0;
  let period = 0;
  const n = bins;
  // Periods from 2 bins up to n/3: longer ones are indistinguishable from the trend.
  for (let m = 3; m <= Math.floor(n / 2); m++) {
    let re = 0;
    let im = 0;
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * m * k) / n;
      re += res[k]! * Math.cos(a);
      im -= res[k]! * Math.sin(a);
    }
    const p = (re * re + im * im) / noise;
    if (p > peak) {
      peak = p;
      period = n / m;
    }
  }
  return { position, bins, samples, peak: Math.round(peak * 100) / 100, period: Math.round(period * 100) / 100 };
}

export function periodicity(h: CoefficientHistograms): PeriodicityResult {
  const positions: PositionPeriodicity[] = [];
  h.positions.forEach((p, i) => {
    const r = analysePosition(p, h.counts[i]!);
    if (r !== null) positions.push(r);
  });
  if (positions.length < 2) return { positions, statistic: null };
  const peaks = positions.map((p) => p.peak).sort((a, b) => a - b);
  const mid = Math.floor(peaks.length / 2);
  const statistic = peaks.length % 2 === 1 ? peaks[mid]! : (peaks[mid - 1]! + peaks[mid]!) / 2;
  return { positions, statistic: Math.round(statistic * 100) / 100 };
}
