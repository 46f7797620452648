import { okData, type AnalyzerDataMap, type AnalyzerId, type AnalyzerResults } from '../src/contract/analyzers/index.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** `../shared` beside the project: present in CI and on the team's machines, not in a user's clone. */
export const SHARED = resolve(ROOT, '..', 'shared');
export const CORPUS = join(SHARED, 'corpus');
export const HAVE_CORPUS = existsSync(CORPUS);
/** Pass as `{ skip }` to tests that sweep the shared corpus; the reason shows in the test output. */
export const needCorpus: string | false = HAVE_CORPUS ? false : `shared corpus not found at ${CORPUS} (it is beside the project in CI)`;

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function corpus(...parts: string[]): string {
  return join(CORPUS, ...parts);
}

/** Path of the built CLI entry (npm test builds it first). */
export const CLI = join(ROOT, 'bin', 'verilens.mjs');

/** Every file below `dir`, recursively, in sorted order (for corpus sweeps). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
}

/** The data of analyzer `id`'s result, failing the test when it did not run `ok`. */
export function dataOf<K extends AnalyzerId>(results: AnalyzerResults, id: K): AnalyzerDataMap[K] {
  const d = okData(results, id);
  if (d === undefined) throw new Error(`${id} did not run ok: ${JSON.stringify(results[id]?.error ?? results[id]?.status ?? 'no result')}`);
  return d;
}
