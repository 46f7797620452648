import { defineContract } from './define.js';

export type FaceSwapFace = {
  /** Index in the `faces` result. */
  index: number;
  /** Probability of manipulation (models averaged). */
  score: number;
  perModel: Record<string, number>;
};

export type FaceSwapData = {
  faces: FaceSwapFace[];
  mainFace: number;
  threshold: number;
  /** AUC measured on DFDC face crops, from the manifest; null when not recorded. */
  measuredAuc: number | null;
};

export const faceSwapContract = defineContract<FaceSwapData>()({
  id: 'face-swap',
  title: 'Face-swap / reenactment check (MesoNet): a weak signal',
  artifacts: [],
  params: {},
  modelRoles: ['face-swap'],
});
