import { defineContract } from './define.js';

/** One organisation classifier's run. */
export type ClassifierRun = {
  id: string;
  version: string;
  title: string;
  /** Crop rule from the manifest (`image`, `face`...). */
  crop: string;
  threshold: number;
  strength: string;
  /** One entry per face (faces order) or one for the whole image (`face` null). */
  results: { face: number | null; score: number }[];
};

export type ClassifiersData = { models: ClassifierRun[] };

export const classifiersContract = defineContract<ClassifiersData>()({
  id: 'classifiers',
  title: 'Organisation classifiers declared in a signed models manifest',
  artifacts: [],
  params: {},
  modelRoles: ['classifier'],
});
