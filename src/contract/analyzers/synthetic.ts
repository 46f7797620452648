import type { ScoreInfo } from '../results.js';
import type { Box, LegendStop } from './common.js';
import { defineContract } from './define.js';

/** A point as fractions of width and height. */
export type UnitPoint = { x: number; y: number };

export type Skipped = { status: 'skipped'; reason: string };

export type SpectrumSummary = {
  /** The native-resolution centre crop the spectrum was taken from (stored pixels). */
  crop: Box;
  n: number;
  note: string;
  /** Azimuthal mean of log10 power per radius over 0..Nyquist. */
  profile: number[];
  midSlope: number;
  legend: LegendStop[];
};

export type SpectralFalloff = Skipped | { status: 'measured'; highBandResidual: number; score: number; scoreInfo: ScoreInfo };

export type UpsamplingPeaks =
  | Skipped
  | {
      status: 'measured';
      upsamplingPeakZ: number;
      grid8PeakZ: number;
      strongest: { fx: number; fy: number; z: number }[];
      score: number;
      scoreInfo: ScoreInfo;
    };

/** How close one face is to the framing StyleGAN-family generators use (FFHQ alignment). */
export type FaceGeometryFace = {
  face: number;
  centre: UnitPoint;
  scaleX: number;
  scaleY: number;
  rollDeg: number;
  eyes: [UnitPoint, UnitPoint];
  eyeTemplateDistance: number;
  /** Largest deviation from an FFHQ output framing, as a fraction of the image side (0 = exact). */
  deviation: number;
  score: number;
};

export type FaceGeometry =
  | Skipped
  | {
      status: 'measured';
      mainFace: number;
      tolerance: number;
      expectedEyes: UnitPoint[];
      faces: FaceGeometryFace[];
      score: number;
      scoreInfo: ScoreInfo;
    };

export type SyntheticData = {
  spectrum: SpectrumSummary | null;
  spectralFalloff: SpectralFalloff;
  upsamplingPeaks: UpsamplingPeaks;
  faceGeometry: FaceGeometry;
  /** How the file score is made from the signals, and which signals could count. */
  combination: { rule: string; contributing: string[] };
};

export const syntheticContract = defineContract<SyntheticData>()({
  id: 'synthetic',
  title: 'AI-generation pixel signals: FFHQ face geometry and frequency spectrum',
  artifacts: ['spectrum'],
  params: {},
});
