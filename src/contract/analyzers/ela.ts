import type { LegendStop, Box } from './common.js';
import { defineContract } from './define.js';

export type ElaCluster = { blocks: number; region: Box; maxZ: number; meanZ: number; meanError: number };

export type ElaData = {
  quality: number;
  /** Size of the error map (display orientation). */
  width: number;
  height: number;
  orientationApplied: number;
  sourceFormat: string;
  firstFrameOnly: boolean;
  /** Per-pixel recompression error, grey levels. */
  global: { mean: number; p95: number; p99: number; max: number };
  heatmap: { fullScale: number; downscaled: boolean; width: number; height: number; legend: LegendStop[] };
  /** Mean error of a grid-aligned crop recompressed at several qualities; a dip hints at the last save quality. */
  sweep: { crop: { width: number; height: number }; results: { quality: number; meanError: number }[]; qualityHint: number | null };
  blocks: {
    size: number;
    cols: number;
    rows: number;
    median: number;
    mad: number;
    zThreshold: number;
    legend: LegendStop[];
    /** Row-major mean error per block, 0.1 grey-level steps. */
    means: number[];
    outlierCount: number;
    outliers: { col: number; row: number; mean: number; z: number }[];
  };
  clusters: ElaCluster[];
  strongestClusterMeanZ: number;
};

export const elaContract = defineContract<ElaData>()({
  id: 'ela',
  title: 'Error Level Analysis: recompression error heatmap and blocks that stand out',
  artifacts: ['ela-heatmap', 'ela-blockmap'],
  params: {
    quality: { type: 'integer', min: 1, max: 100, default: 90, flag: 'ela-quality', help: 'JPEG quality for ELA re-compression' },
    sweep: { type: 'integer-list', min: 1, max: 100, maxItems: 10, default: [70, 80, 90, 95], help: 'qualities of the quality sweep' },
    blockSize: { type: 'integer', min: 0, max: 256, multipleOf: 8, default: 0, zero: 'automatic, 16 to 256', help: 'side of the statistics blocks in pixels' },
    maxPixels: { type: 'integer', min: 4096, max: 1_000_000_000, default: 16_000_000, help: 'heatmaps above this many pixels are downscaled (the analysis runs at full size)' },
    zThreshold: { type: 'number', min: 2, max: 20, default: 4, help: 'robust z-score at or above which a block is an outlier' },
  },
});
