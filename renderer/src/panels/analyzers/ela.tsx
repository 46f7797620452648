import { DataTable } from '../../components/data-table.js';
import { definePanel, type PanelProps } from '../registry.js';

/** ELA: what the heatmap shows and how to read it, then the statistics. */
function ElaPanel({ result }: PanelProps<'ela'>) {
  const kinds = result.artifacts.map((a) => a.kind);
  return (
    <div>
      <p className="explain">
        Error Level Analysis re-saves the JPEG and shows how much each area changed. Areas pasted or edited after the last save often stand
        out as brighter than their surroundings with the same texture. Edges and fine texture are bright in genuine photos too.
        {kinds.length > 0 &&
          ' Use the toolbar above the image to show the heatmap (H), the block map of outliers (B) and side by side (S).'}
      </p>
      {result.artifacts.map((a) => (
        <p key={a.sha256} className="muted small">
          {a.kind}
          {a.width && a.height ? ` ${a.width}×${a.height}` : ''}
          {a.note ? ` — ${a.note}` : ''}
        </p>
      ))}
      <DataTable data={result.data} />
    </div>
  );
}

export const panel = definePanel('ela', ElaPanel);
