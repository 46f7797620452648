import { okData } from '../../contract/analyzers/index.js';
import type { ReportSection } from '../../reports/blocks.js';

/** The faces' part of the PDF: each crop with the per-face scores the later checks gave it. */
export const facesReport: ReportSection<'faces'> = (r, all) => {
  const liveness = okData(all, 'liveness');
  const swap = okData(all, 'face-swap');
  const items = r.artifacts
    .filter((a) => a.kind === 'face-crop')
    .map((a) => {
      const face = r.data.faces.find((f) => f.crop === a.sha256);
      const scores: string[] = [];
      if (face) {
        const l = liveness?.faces.find((f) => f.index === face.index);
        if (l) scores.push(`liveness spoof ${l.spoof.toFixed(3)}`);
        const s = swap?.faces.find((f) => f.index === face.index);
        if (s) scores.push(`face-swap ${s.score.toFixed(3)}`);
      }
      return { artifact: a.sha256, lines: [a.note ?? 'face crop', ...scores] };
    });
  return items.length ? [{ kind: 'gallery', items }] : [];
};
