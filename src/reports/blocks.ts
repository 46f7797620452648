import type { AnalyzerDataMap, AnalyzerId, AnalyzerResults, ArtifactKindOf } from '../contract/analyzers/index.js';
import type { AnalyzerOk, Region } from '../contract/results.js';

/**
 * What an analyzer adds to its part of the PDF, beyond what every analyzer gets (the result line,
 * override, error, findings with marks, score note, model table). Declarative: the PDF renders
 * blocks, so pdf.ts never branches on analyzer ids, and each analyzer's section lives in its folder.
 */
export type ReportBlock =
  /** A short paragraph. */
  | { kind: 'para'; text: string; bold?: boolean; size?: number }
  /** Label / value rows, e.g. the C2PA summary. */
  | { kind: 'facts'; rows: [string, string][]; labelWidth?: number }
  /** One artifact image across the page, with a caption; `label` names it when it cannot be shown; `regions` (display pixels of an image `sourceWidth` wide) are outlined on it. */
  | { kind: 'figure'; artifact: string; label: string; caption: string; regions?: Region[]; sourceWidth?: number }
  /** A row of small artifact images (face crops), each with its lines of caption. */
  | { kind: 'gallery'; items: { artifact: string; lines: string[] }[] };

/** How an artifact must be prepared for the PDF: crops stay lossless, figures are reduced JPEGs. */
export type ReportImageUse = 'figure' | 'gallery';

/** An analyzer's PDF section: its `ok` result and the file's other results in, blocks out. Pure. */
export type ReportSection<K extends AnalyzerId> = (result: AnalyzerOk<AnalyzerDataMap[K], ArtifactKindOf<K>>, all: Readonly<AnalyzerResults>) => ReportBlock[];

/** The artifacts the blocks show, with how each is used (to prepare them before drawing). */
export function imagesOf(blocks: readonly ReportBlock[]): Map<string, ReportImageUse> {
  const out = new Map<string, ReportImageUse>();
  for (const b of blocks) {
    if (b.kind === 'figure') out.set(b.artifact, 'figure');
    else if (b.kind === 'gallery') for (const i of b.items) if (!out.has(i.artifact)) out.set(i.artifact, 'gallery');
  }
  return out;
}
