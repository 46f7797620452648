import { defineContract } from './define.js';

export type LivenessFace = {
  /** Index in the `faces` result. */
  index: number;
  /** Mean of the models' live probabilities. */
  live: number;
  /** 1 - live: higher means stronger evidence of a presentation attack. */
  spoof: number;
  /** Live probability per model id. */
  perModel: Record<string, number>;
};

export type LivenessData = {
  faces: LivenessFace[];
  mainFace: number;
  threshold: number;
};

export const livenessContract = defineContract<LivenessData>()({
  id: 'liveness',
  title: 'Presentation-attack check (MiniFASNet pair): photo of a print or a screen',
  artifacts: [],
  params: {},
  modelRoles: ['liveness'],
});
