import type { ReportSection } from '../../reports/blocks.js';

/** ELA's part of the PDF: each heatmap as a figure, with how to read it. */
export const elaReport: ReportSection<'ela'> = (r) =>
  r.artifacts
    .filter((a) => a.kind === 'ela-heatmap')
    .map((a) => ({
      kind: 'figure' as const,
      artifact: a.sha256,
      label: 'ELA heatmap',
      caption: `Figure: ${a.kind}${a.width && a.height ? `, ${a.width}x${a.height}` : ''}${a.note ? `: ${a.note}` : ''} (sha256 ${a.sha256.slice(0, 16)}...). Brighter areas recompress with more error; compare similar textures and edges, not bright against dark regions. Shown as a reduced copy; the full artifact is in the case folder under its SHA-256.`,
    }));
