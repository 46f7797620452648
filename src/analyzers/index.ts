import type { Analyzer } from '../engine/analyzer.js';
import { provenanceAnalyzer } from './provenance/index.js';
import { metadataAnalyzer } from './metadata/index.js';
import { elaAnalyzer } from './ela/index.js';
import { jpegAnalyzer } from './jpeg/index.js';
import { facesAnalyzer } from './faces/index.js';
import { livenessAnalyzer } from './liveness/index.js';
import { faceSwapAnalyzer } from './face-swap/index.js';
import { classifiersAnalyzer } from './face-swap/classifiers.js';
import { containerAnalyzer } from './container/index.js';
import { videoFacesAnalyzer } from './video-faces/index.js';
import { syntheticAnalyzer } from './synthetic/index.js';

/**
 * Every analyzer the engine ships, in display order. The runner orders them by `requires`.
 * Add one line per analyzer folder.
 */
export const ANALYZERS: readonly Analyzer[] = [
  metadataAnalyzer,
  provenanceAnalyzer,
  elaAnalyzer,
  jpegAnalyzer,
  facesAnalyzer,
  livenessAnalyzer,
  faceSwapAnalyzer,
  classifiersAnalyzer,
  containerAnalyzer,
  videoFacesAnalyzer,
  syntheticAnalyzer,
];

export function analyzerById(id: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.id === id);
}
