import type { AnalyzerResult } from '../../../src/contract/results.js';
import { DataTable } from '../components/data-table.js';
import { findQuantTables } from '../lib/jpeg.js';

/** Quantisation tables as 8x8 grids (darker = coarser quantisation), then the rest of the data. */
export function JpegPanel({ result }: { result: AnalyzerResult }) {
  const tables = findQuantTables(result.data);
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
      <DataTable data={result.data} skip={tableRoots(result)} />
    </div>
  );
}

function tableRoots(result: AnalyzerResult): string[] {
  return Object.entries(result.data)
    .filter(
      ([, v]) =>
        Array.isArray(v) && v.some((x) => Array.isArray(x) || (typeof x === 'object' && x !== null && JSON.stringify(x).length > 400)),
    )
    .map(([k]) => k);
}
