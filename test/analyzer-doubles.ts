import type { AnalyzerId } from '../src/contract/analyzers/index.js';
import type { AnalysisContext, Analyzer } from '../src/engine/analyzer.js';
import type { Evidence } from '../src/evidence/intake.js';

/**
 * A stand-in for one of the real analyzers (same id, so the typed seam holds), with behaviour a
 * test needs and a real analyzer cannot be made to show on demand: throwing, hanging, returning
 * what the runner must refuse (a bare score, non-JSON data). Its `run` may return anything: the
 * runner's own checks are what such tests exercise.
 */
export function standIn<K extends AnalyzerId>(
  id: K,
  run: (ev: Evidence, ctx: AnalysisContext<K>) => Promise<unknown>,
  more: Partial<Pick<Analyzer<K>, 'accepts' | 'requires' | 'timeoutMs' | 'version'>> = {},
): Analyzer<K> {
  return { id, version: 'test', accepts: (i) => i.kind === 'image', ...more, run: run as Analyzer<K>['run'] };
}
