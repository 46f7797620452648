import { useEffect, useState } from 'react';
import type { ModelStatus } from '../../../src/contract/api.js';
import { Sha } from '../components/badges.js';
import { api } from '../bridge.js';
import { Markdown } from '../components/markdown.js';

const STATUS_TEXT: Record<ModelStatus['status'], string> = {
  verified: 'Verified',
  refused: 'Refused',
  missing: 'Missing',
};

/** Integrity of every model: verified against the pinned or signed manifest, or refused and why. */
export function ModelsView() {
  const [models, setModels] = useState<ModelStatus[] | null>(null);
  const [error, setError] = useState<string>();
  const [sel, setSel] = useState<string>();
  useEffect(() => {
    api('listModels').then(setModels, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  const current = models?.find((m) => m.id === sel) ?? models?.[0];
  return (
    <div className="split-view">
      <section className="card grow">
        <h2>Models</h2>
        <p className="muted small">
          Every model file is checked against its recorded SHA-256 before it is used. A model that fails the check is refused, and the
          checks that need it report “unavailable” instead of a weaker answer.
        </p>
        {error && <p className="error-box">{error}</p>}
        {models && models.length === 0 && <p className="muted">No models are installed in this build.</p>}
        {models && models.length > 0 && (
          <table className="grid-table" data-testid="models-table">
            <thead>
              <tr>
                <th>Model</th>
                <th>Version</th>
                <th>Integrity</th>
                <th>Trust</th>
                <th>SHA-256</th>
                <th>Used by</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.id} className={m.id === current?.id ? 'selected' : ''} onClick={() => setSel(m.id)}>
                  <td>{m.id}</td>
                  <td>{m.version}</td>
                  <td>
                    <span className={`badge model-${m.status}`} title={m.reason ?? ''}>
                      {STATUS_TEXT[m.status]}
                    </span>
                    {m.reason && <div className="muted small">{m.reason}</div>}
                  </td>
                  <td>{m.trust ?? '—'}</td>
                  <td>
                    <Sha value={m.sha256} />
                  </td>
                  <td className="muted">{m.used_by?.join(', ') ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {current && (
        <section className="card model-card">
          <h2>{current.id}</h2>
          {current.licence && <p className="muted small">Licence: {current.licence}</p>}
          {current.card ? <Markdown text={current.card} /> : <p className="muted">No model card was shipped with this model.</p>}
        </section>
      )}
    </div>
  );
}
