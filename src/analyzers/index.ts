import type { AnalyzerId } from '../contract/analyzers/index.js';
import type { Analyzer } from '../engine/analyzer.js';
import { classifiersAnalyzer } from './classifiers/index.js';
import { containerAnalyzer } from './container/index.js';
import { elaAnalyzer } from './ela/index.js';
import { faceSwapAnalyzer } from './face-swap/index.js';
import { facesAnalyzer } from './faces/index.js';
import { jpegAnalyzer } from './jpeg/index.js';
import { livenessAnalyzer } from './liveness/index.js';
import { metadataAnalyzer } from './metadata/index.js';
import { provenanceAnalyzer } from './provenance/index.js';
import { syntheticAnalyzer } from './synthetic/index.js';
import { videoFacesAnalyzer } from './video-faces/index.js';

/**
 * Every analyzer the engine ships, by id: one line per analyzer folder. The type makes the
 * registry complete (an analyzer for every contract in src/contract/analyzers, and only those).
 */
export const ANALYZER_MAP: { readonly [K in AnalyzerId]: Analyzer<K> } = {
  metadata: metadataAnalyzer,
  provenance: provenanceAnalyzer,
  ela: elaAnalyzer,
  jpeg: jpegAnalyzer,
  faces: facesAnalyzer,
  liveness: livenessAnalyzer,
  'face-swap': faceSwapAnalyzer,
  classifiers: classifiersAnalyzer,
  container: containerAnalyzer,
  'video-faces': videoFacesAnalyzer,
  synthetic: syntheticAnalyzer,
};

/** The analyzers in display order (the runner orders them by `requires`). */
export const ANALYZERS: readonly Analyzer[] = Object.values(ANALYZER_MAP);

export function analyzerById(id: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.id === id);
}
