import type { Analyzer } from '../engine/analyzer.js';

/**
 * Every analyzer the engine ships, in display order. The runner orders them by `requires`.
 * Add one line per analyzer folder.
 */
export const ANALYZERS: readonly Analyzer[] = [];

export function analyzerById(id: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.id === id);
}
