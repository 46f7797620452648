import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AnalyzerResult } from '../../src/contract/results.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { provenanceAnalyzer } from '../../src/analyzers/provenance/index.js';
import { c2paHost } from '../../src/analyzers/provenance/c2pa-reader.js';
import { bundledTrust } from '../../src/analyzers/provenance/trust.js';
import { corpus, filesUnder, needCorpus } from '../helpers.js';

after(() => c2paHost(bundledTrust().settingsJson).close());


async function run(path: string): Promise<{ a: AnalyzerResult | undefined; error?: string; ms: number }> {
  const t0 = performance.now();
  const r = await analyzeFile(path, { analyzers: [provenanceAnalyzer], artifacts: new MemoryArtifactStore() });
  return { a: r.analyzers['provenance'], ...(r.error ? { error: r.error.code } : {}), ms: performance.now() - t0 };
}
const alerts = (a: { findings: { severity: string; code: string }[] }): string[] => a.findings.filter((f) => f.severity === 'alert').map((f) => f.code);

describe('provenance: malformed corpus sweep', { skip: needCorpus }, () => {
  it('malformed files: a result for each, no C2PA alert without C2PA data, bounded time', async () => {
    let worst = 0;
    for (const f of filesUnder(corpus('malformed'))) {
      const { a, error, ms } = await run(f);
      worst = Math.max(worst, ms);
      if (!a) {
        assert.ok(error, f);
        continue;
      }
      assert.equal(a.status, 'ok', `${f}: ${a.error?.message ?? ''}`);
      assert.deepEqual(alerts(a), [], f);
    }
    assert.ok(worst < 10_000, `slowest file took ${worst} ms`);
  });
});
