import { ANALYZER_MAP } from '../analyzers/index.js';
import type { AnalyzerId, AnalyzerResults, ResultOf } from '../contract/analyzers/index.js';
import type { Analyzer } from '../engine/analyzer.js';
import type { ReportBlock } from './blocks.js';

function blocksOf<K extends AnalyzerId>(id: K, result: ResultOf<K>, all: AnalyzerResults): ReportBlock[] {
  const a: Analyzer<K> = ANALYZER_MAP[id];
  return result.status === 'ok' && a.report ? a.report(result, all) : [];
}

/** Each analyzer's own PDF blocks for one file's results (empty for analyzers without a section). */
export function analyzerBlocks(entries: readonly { id: AnalyzerId; result: ResultOf<AnalyzerId> }[], all: AnalyzerResults): Map<AnalyzerId, ReportBlock[]> {
  const out = new Map<AnalyzerId, ReportBlock[]>();
  for (const e of entries) out.set(e.id, blocksOf(e.id, e.result, all));
  return out;
}
