import { defineContract } from './define.js';

/** One quantisation table as the file uses it. */
export type JpegQuantTable = {
  id: number;
  bits: 8 | 16;
  offset: number;
  /** 8 rows of 8, natural order (zig-zag undone). */
  values: number[][];
  role: 'luminance' | 'chrominance' | 'unused';
  /** Best IJG quality for this table (compared with the luminance or chrominance base table). */
  quality: number;
  meanAbsError: number;
  exactIjg: boolean;
};

export type JpegSubsampling = '4:4:4' | '4:2:2' | '4:2:0' | '4:1:1' | '4:4:0' | 'grey' | 'other';

export type JpegTrailingKind = 'none' | 'padding' | 'mpf-images' | 'jpeg' | 'zip' | 'pdf' | 'mp4' | 'samsung-trailer' | 'metadata-trailer' | 'other';

export type JpegTrailing = {
  /** Offset just after the first EOI, or null when the file has none. */
  offset: number | null;
  bytes: number;
  kind: JpegTrailingKind;
  /** Start-of-image signatures (FFD8FF) inside the trailing data. */
  jpegSignatures: number;
};

export type JpegSegment = { marker: string; id: string | null; offset: number; length: number };

export type JpegProblem = { offset: number; code: string; message: string };

/** Periodicity of one DCT position's coefficient histogram. */
export type PositionPeriodicity = {
  /** Natural index (row * 8 + column). */
  position: number;
  /** Folded bins analysed (|v| = 1..bins). */
  bins: number;
  /** Non-zero values in those bins. */
  samples: number;
  /** Strongest normalised spectral power (about 1 for noise). */
  peak: number;
  /** Period of that peak, in bins. */
  period: number;
};

export type DoubleCompressionData = {
  method: string;
  analysed: boolean;
  reason: string | null;
  score: number | null;
  statistic: number | null;
  blocks: number;
  positions: PositionPeriodicity[];
};

export type JpegData = {
  /** Luminance quality on the IJG scale, null without a luminance table. */
  qualityEstimate: number | null;
  qualityError: number | null;
  chromaQualityEstimate: number | null;
  quantTables: JpegQuantTable[];
  /** Every table in use is exactly the IJG table at one quality. */
  standardTables: boolean;
  standardQuality: number | null;
  progressive: boolean;
  codingProcess: string | null;
  subsampling: JpegSubsampling | null;
  samplingFactors: string | null;
  sof: {
    marker: string;
    precision: number;
    width: number;
    height: number;
    components: { id: number; h: number; v: number; tq: number }[];
    offset: number;
  } | null;
  segments: JpegSegment[];
  segmentCount: number;
  appSegments: JpegSegment[];
  scans: number;
  restartInterval: number;
  jfifVersion: string | null;
  adobeTransform: number | null;
  comments: string[];
  trailingBytes: number;
  trailing: JpegTrailing;
  embeddedJpegs: { inAppSegments: Record<string, number>; mpfDeclared: number; afterEoi: number };
  doubleCompression: DoubleCompressionData;
  malformed: JpegProblem[];
};

export const jpegContract = defineContract<JpegData>()({
  id: 'jpeg',
  title: 'JPEG structure: markers, quantisation tables and quality, trailing data, double compression',
  artifacts: [],
  params: {},
});
