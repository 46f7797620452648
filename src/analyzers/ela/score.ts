import type { OutlierCluster } from './compute.js';

/** Clusters smaller than this are single edges or specks; they never drive the score. */
export const MIN_CLUSTER_BLOCKS = 4;
/** Below this many blocks the robust statistics are too noisy to score. */
export const MIN_SCORED_BLOCKS = 100;
/** Mean z of the strongest cluster mapped linearly: z 4 -> 0, z 20 -> 1. */
const Z_FLOOR = 4;
const Z_SPAN = 16;
/**
 * Calibrated on ela_modified.jpg (strongest cluster mean z 14.9 -> 0.68), ela_original.jpg (5.6 -> 0.10)
 * and 45 camera/phone photos of the shared corpus (highest 12.3 -> 0.52).
 */
export const SCORE_THRESHOLD = 0.6;

/** Score in [0,1] from the strongest cluster of at least MIN_CLUSTER_BLOCKS outlier blocks. */
export function elaScore(clusters: readonly OutlierCluster[]): { score: number; strongestMeanZ: number } {
  let z = 0;
  for (const c of clusters) if (c.blocks >= MIN_CLUSTER_BLOCKS) z = Math.max(z, c.meanZ);
  const score = Math.min(1, Math.max(0, (z - Z_FLOOR) / Z_SPAN));
  return { score, strongestMeanZ: z };
}
