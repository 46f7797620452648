import type { AnalyzerId, AnalyzerResults } from '../../../src/contract/analyzers/index.js';
import type { JsonValue } from '../../../src/contract/json.js';
import type { ArtifactRef } from '../../../src/contract/results.js';
import { DataTable } from '../components/data-table.js';
import { collectFaces, faceScores, scoreLabel } from '../lib/faces.js';
import { usePicture } from '../hooks/use-blob-url.js';
import { formatScore } from '../lib/format.js';

/** Per-face rows for faces / liveness / face-swap: box, detector confidence and each check's score. */
function Crop({ caseId, sha, label }: { caseId: string; sha: string; label: string }) {
  const { picture } = usePicture(caseId, 'artifact', sha);
  return picture ? <img src={picture.url} alt={label} title={label} /> : null;
}

/** The faces, liveness and face-swap panels share this table: every face with every check's score. */
export function FacesTable({
  id,
  caseId,
  data,
  crops,
  all,
}: {
  id: AnalyzerId;
  caseId: string;
  data: JsonValue;
  /** Face-crop artifacts to show above the table (the faces panel's own). */
  crops: readonly ArtifactRef[];
  all: AnalyzerResults;
}) {
  const faces = collectFaces(all);
  return (
    <div>
      {crops.length > 0 && (
        <div className="face-crops">
          {crops.map((a, i) => (
            <Crop key={a.sha256} caseId={caseId} sha={a.sha256} label={`face ${i + 1}`} />
          ))}
        </div>
      )}
      {faces.length > 0 ? (
        <table className="grid-table" data-testid={`faces-table-${id}`}>
          <thead>
            <tr>
              <th>Face</th>
              <th>Box (x, y, w×h)</th>
              <th>Detector</th>
              {faceScores(faces[0]!).map(([k]) => (
                <th
                  key={k}
                  title={`${k} score: higher means stronger evidence of ${k === 'liveness' ? 'a presentation attack (photo of a screen or print)' : 'manipulation'}`}
                >
                  {scoreLabel(k)}
                </th>
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
                {faceScores(f).map(([k, s]) => (
                  <td key={k}>{formatScore(s)}</td>
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
        <DataTable data={data} />
      </details>
    </div>
  );
}
