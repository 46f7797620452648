import type { AnalyzerResult } from '../../../src/contract/results.js';
import { DataTable } from '../components/data-table.js';
import { collectFaces } from '../lib/faces.js';
import { formatScore } from '../lib/format.js';

/** Per-face rows for faces / liveness / face-swap: box, detector confidence and each check's score. */
export function FacesPanel({ id, result, all }: { id: string; result: AnalyzerResult; all: Record<string, AnalyzerResult> }) {
  const faces = collectFaces(all);
  return (
    <div>
      {faces.length > 0 ? (
        <table className="grid-table" data-testid={`faces-table-${id}`}>
          <thead>
            <tr>
              <th>Face</th>
              <th>Box (x, y, w×h)</th>
              <th>Detector</th>
              {Object.keys(faces[0]!.scores).map((k) => (
                <th key={k}>{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {faces.map((f) => (
              <tr key={f.index}>
                <td>#{f.index + 1}</td>
                <td className="mono">
                  {Math.round(f.box.x)}, {Math.round(f.box.y)}, {Math.round(f.box.width)}×{Math.round(f.box.height)}
                </td>
                <td>{f.confidence !== undefined ? formatScore(f.confidence) : '—'}</td>
                {Object.values(f.scores).map((s, i) => (
                  <td key={i}>{formatScore(s)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No faces listed.</p>
      )}
      <details className="raw">
        <summary>All values</summary>
        <DataTable data={result.data} />
      </details>
    </div>
  );
}
