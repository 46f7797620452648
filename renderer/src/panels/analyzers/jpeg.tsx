import { DataTable } from '../../components/data-table.js';
import { quantTables } from '../../lib/jpeg.js';
import { definePanel, type PanelProps } from '../registry.js';

/** Quantisation tables as 8x8 grids (darker = coarser quantisation), then the rest of the data. */
function JpegPanel({ result }: PanelProps<'jpeg'>) {
  const tables = quantTables(result.data);
  return (
    <div>
      {tables.length > 0 && (
        <div className="qtables">
          {tables.map((t) => {
            const max = Math.max(...t.values, 1);
            return (
              <figure key={t.label} className="qtable">
                <figcaption>{t.label}</figcaption>
                <div className="qgrid">
                  {t.values.map((v, i) => (
                    <span key={i} style={{ ['--q' as string]: String(v / max) }}>
                      {v}
                    </span>
                  ))}
                </div>
              </figure>
            );
          })}
        </div>
      )}
      <p className="muted small">
        Larger numbers mean coarser compression of that frequency. Tables that match no known camera or library often come from editing
        software.
      </p>
      <DataTable data={result.data} skip={['quantTables']} />
    </div>
  );
}

export const panel = definePanel('jpeg', JpegPanel);
