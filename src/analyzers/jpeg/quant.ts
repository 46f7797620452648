/** Quantisation-table helpers: zig-zag order, the IJG (Annex K) tables and quality estimation. */

/** ZIGZAG[i] = natural (row-major) index of the i-th coefficient in zig-zag order. */
export const ZIGZAG: readonly number[] = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57,
  50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/** ITU-T T.81 Annex K.1, natural order. */
export const STD_LUMINANCE: readonly number[] = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22,
  37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

export const STD_CHROMINANCE: readonly number[] = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/** Reorder 64 values stored in zig-zag order into natural row-major order. */
export function zigzagToNatural(zz: ArrayLike<number>): number[] {
  const out = new Array<number>(64).fill(0);
  for (let i = 0; i < 64; i++) out[ZIGZAG[i]!] = zz[i] ?? 0;
  return out;
}

/** The table libjpeg's jpeg_set_quality(q, force_baseline) writes (jcparam.c). */
export function ijgScaledTable(base: readonly number[], quality: number, forceBaseline = true): number[] {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  const max = forceBaseline ? 255 : 32767;
  return base.map((b) => Math.min(max, Math.max(1, Math.floor((b * scale + 50) / 100))));
}

export type QualityEstimate = {
  /** IJG quality 1..100 whose scaled standard table is closest. */
  quality: number;
  /** Mean absolute difference per coefficient against that table (0 = exact match). */
  meanAbsError: number;
  /** True when the table equals the IJG-scaled standard table exactly. */
  exact: boolean;
};

/**
 * Best IJG quality for a table (natural order) by exhaustive comparison with Q = 1..100.
 * Ties go to the higher quality. Exact matches are also checked without the baseline clamp.
 */
const REFERENCE = new Map<string, number[][]>();

/** Scaled tables for Q = 100..1, each with and without the baseline clamp, computed once per kind. */
function references(kind: 'luminance' | 'chrominance'): number[][] {
  let refs = REFERENCE.get(kind);
  if (refs === undefined) {
    const base = kind === 'luminance' ? STD_LUMINANCE : STD_CHROMINANCE;
    refs = [];
    for (let q = 100; q >= 1; q--) refs.push(ijgScaledTable(base, q, true), ijgScaledTable(base, q, false));
    REFERENCE.set(kind, refs);
  }
  return refs;
}

export function estimateIjgQuality(table: readonly number[], kind: 'luminance' | 'chrominance'): QualityEstimate {
  const refs = references(kind);
  let best: QualityEstimate = { quality: 1, meanAbsError: Number.POSITIVE_INFINITY, exact: false };
  for (let q = 100; q >= 1; q--) {
    for (const forceBaseline of [true, false]) {
      const ref = refs[(100 - q) * 2 + (forceBaseline ? 0 : 1)]!;
      let err = 0;
      for (let i = 0; i < 64; i++) err += Math.abs((table[i] ?? 0) - ref[i]!);
      const mean = err / 64;
      if (mean < best.meanAbsError) best = { quality: q, meanAbsError: mean, exact: err === 0 };
    }
  }
  return { ...best, meanAbsError: Math.round(best.meanAbsError * 1000) / 1000 };
}
