import type { AnalyzerId, ArtifactKindOf } from '../../../src/contract/analyzers/index.js';
import type { EvidenceEntry } from '../../../src/contract/api.js';

/** The first artifact of one kind from one analyzer (kinds are the analyzer's declared ones). */
export function artifactOf<K extends AnalyzerId>(e: EvidenceEntry, analyzer: K, kind: ArtifactKindOf<K>): string | undefined {
  // `analyzer` is a typed id (K), so the result's artifact kinds follow it.
  // eslint-disable-next-line no-restricted-syntax
  return e.analysis?.analyzers[analyzer]?.artifacts.find((a) => a.kind === kind)?.sha256;
}
