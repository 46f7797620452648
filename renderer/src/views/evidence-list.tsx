import { useState } from 'react';
import type { CaseView, DroppedFile, EvidenceEntry } from '../../../src/contract/api.js';
import { VerdictBadge } from '../components/badges.js';
import { usePicture } from '../hooks/use-blob-url.js';
import { formatBytes, sizeOf } from '../lib/format.js';
import { alertCount, overallState } from '../lib/verdict.js';

function Thumb({ caseId, e }: { caseId: string; e: EvidenceEntry }) {
  const { picture } = usePicture(caseId, 'thumb', e.sha256);
  return (
    <div className="thumb">{picture ? <img src={picture.url} alt="" /> : <span className="muted">{e.info.format.toUpperCase()}</span>}</div>
  );
}

/** Evidence of the open case: thumbnails, type, short hash, verdict; drop files here to add them. */
export function EvidenceList({
  c,
  selected,
  onSelect,
  onAdd,
  onDrop,
  onAnalyzeAll,
  busy,
}: {
  c: CaseView;
  selected?: string;
  onSelect(sha: string): void;
  onAdd(): void;
  onDrop(files: readonly DroppedFile[]): void;
  onAnalyzeAll(): void;
  busy: boolean;
}) {
  const [over, setOver] = useState(false);
  return (
    <aside
      className={`evidence-list ${over ? 'drop-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onDrop([...e.dataTransfer.files]);
      }}
      data-testid="evidence-list"
    >
      <div className="list-head">
        <span className="case-title" title={c.notes}>
          {c.title}
        </span>
        <span className="muted small">
          {c.evidence.length} file{c.evidence.length === 1 ? '' : 's'} · {c.analyst}
        </span>
        <div className="row">
          <button className="btn small" onClick={onAdd} disabled={busy} title="Add evidence (Ctrl+O)">
            + Add files
          </button>
          <button className="btn small" onClick={onAnalyzeAll} disabled={c.evidence.length === 0} title="Analyse all (Shift+A)">
            Analyse all
          </button>
        </div>
      </div>
      <ul>
        {c.evidence.map((e) => {
          const st = overallState(e);
          return (
            <li key={e.sha256} className={e.sha256 === selected ? 'selected' : ''} onClick={() => onSelect(e.sha256)} data-sha={e.sha256}>
              <Thumb caseId={c.id} e={e} />
              <div className="ev-meta">
                <span className="ev-name" title={e.name}>
                  {e.name}
                </span>
                <span className="muted small">
                  {[e.info.format.toUpperCase(), sizeOf(e.info), formatBytes(e.info.bytes)].filter(Boolean).join(' · ')}
                </span>
                <code className="sha small" title={`SHA-256 ${e.sha256}`}>
                  {e.sha256.slice(0, 16)}
                </code>
                <span className="row">
                  <VerdictBadge state={st} overridden={e.overall.overridden} />
                  {alertCount(e) > 0 && (
                    <span className="sev sev-alert" title="Alert findings: open the file to read them">
                      {alertCount(e)} alert{alertCount(e) === 1 ? '' : 's'}
                    </span>
                  )}
                </span>
              </div>
            </li>
          );
        })}
      </ul>
      <div className="drop-hint muted small">Drop image or video files here to add them. The originals are never modified.</div>
    </aside>
  );
}
