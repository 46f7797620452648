import type { EvidenceInfo } from '../../contract/results.js';
import { defineAnalyzer } from '../../engine/analyzer.js';
import type { Evidence } from '../../evidence/intake.js';
import { extractMetadata } from './extract.js';
import { interpretMetadata, type MetadataFacts } from './interpret.js';
import { readPngText } from './png-text.js';
import { compareThumbnail } from './thumbnail.js';

export { extractMetadata, type RawMetadata } from './extract.js';
export { interpretMetadata, DATE_REPRESENTATION, type MetadataFacts, type Interpretation } from './interpret.js';
export { compareThumbnail, THUMBNAIL_THRESHOLDS, type ThumbnailComparison } from './thumbnail.js';
export { toJsonSafe } from './json-safe.js';

/** Run extraction and interpretation on bytes already in memory (used by the analyzer and the benchmark). */
export async function analyzeMetadata(bytes: Buffer, info: EvidenceInfo, opts: { thumbnail?: boolean; now?: number } = {}): Promise<ReturnType<typeof interpretMetadata>> {
  const raw = await extractMetadata(bytes, info.format);
  const pngText = info.format === 'png' ? readPngText(bytes) : { text: {}, errors: [] };
  raw.errors.push(...pngText.errors);
  let thumbnail: MetadataFacts['thumbnail'] = null;
  if (raw.thumbnail && opts.thumbnail !== false) {
    try {
      thumbnail = await compareThumbnail(raw.thumbnail, bytes, info.orientation);
    } catch (e) {
      thumbnail = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  return interpretMetadata({ raw, info, pngText: pngText.text, thumbnail, now: opts.now ?? Date.now() });
}

export const metadataAnalyzer = defineAnalyzer({
  id: 'metadata',
  version: '1.0.0',
  timeoutMs: 30_000,
  accepts: (info) => info.kind === 'image',
  async run(ev: Evidence, ctx) {
    if (!ev.bytes) return { status: 'not-applicable', reason: 'metadata reads images held in memory; this evidence has no bytes' };
    ctx.progress(0.1, 'reading metadata');
    const r = await analyzeMetadata(ev.bytes, ev.info, { thumbnail: ctx.params.compareThumbnail });
    ctx.progress(1);
    return { status: 'ok', verdict: r.verdict, findings: r.findings, data: r.data };
  },
});
