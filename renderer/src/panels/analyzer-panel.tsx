import { useState } from 'react';
import type { EvidenceEntry, FindingMarkKind } from '../../../src/contract/api.js';
import type { AnalyzerDataMap, AnalyzerId, AnalyzerResults, AnyAnalyzerResult, ArtifactKindOf } from '../../../src/contract/analyzers/index.js';
import type { AnalyzerOk, Finding, Region, Verdict } from '../../../src/contract/results.js';
import { SeverityTag, StatusChip, VerdictBadge } from '../components/badges.js';
import { DataTable } from '../components/data-table.js';
import { ScoreBar } from '../components/score.js';
import { formatDate, humanize } from '../lib/format.js';
import { overrideFor } from '../lib/verdict.js';
import { panelFor } from './registry.js';

export interface AnalyzerActions {
  override(analyzer: string, verdict: Verdict, reason: string): Promise<void>;
  /** `index`: the finding's position in the analyzer's `findings` (several findings can share a code). */
  mark(analyzer: string, code: string, index: number, mark: FindingMarkKind, comment: string): Promise<void>;
  /** Show a finding's region in the viewer. */
  focus?(region: Region): void;
}

/** The analyzer's own panel (panels/analyzers/<id>.tsx), or the generic table of its data. */
function DataView<K extends AnalyzerId>({
  id,
  caseId,
  result,
  all,
}: {
  id: K;
  caseId: string;
  result: AnalyzerOk<AnalyzerDataMap[K], ArtifactKindOf<K>>;
  all: AnalyzerResults;
}) {
  const panel = panelFor(id);
  return panel ? <panel.Component result={result} all={all} caseId={caseId} /> : <DataTable data={result.data} />;
}

function FindingRow({ f, index, analyzer, entry, actions }: { f: Finding; index: number; analyzer: string; entry: EvidenceEntry; actions: AnalyzerActions }) {
  // A mark without an index predates per-finding marks and covers every finding with its code.
  const marks = entry.marks.filter((m) => m.analyzer === analyzer && m.code === f.code && !m.stale && (m.index === undefined || m.index === index));
  const last = marks[marks.length - 1];
  const [note, setNote] = useState('');
  const [open, setOpen] = useState(false);
  return (
    <li className={`finding sev-row-${f.severity} ${last ? `marked-${last.mark}` : ''}`} data-code={f.code} data-index={index}>
      <div className="finding-head">
        <SeverityTag severity={f.severity} />
        <span className="finding-msg">{f.message}</span>
        {f.region && actions.focus && (
          <button className="btn link small" onClick={() => f.region && actions.focus?.(f.region)} title="Zoom the image to this region">
            Show
          </button>
        )}
        <button className="btn link small" onClick={() => setOpen((o) => !o)} title="Mark this finding">
          {last ? humanize(last.mark) : 'Mark'}
        </button>
      </div>
      <div className="finding-meta muted small">
        <code>{f.code}</code>
        {f.region && ` · region ${f.region.x},${f.region.y} ${f.region.width}×${f.region.height}`}
        {last?.comment && ` · “${last.comment}”`}
      </div>
      {open && (
        <div className="mark-form">
          <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="Comment (optional)" aria-label="Comment on finding" />
          {(['confirmed', 'dismissed', 'noted'] as const).map((m) => (
            <button
              key={m}
              className="btn small"
              onClick={() => {
                void actions.mark(analyzer, f.code, index, m, note.trim());
                setOpen(false);
              }}
            >
              {humanize(m)}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

function OverrideForm({ analyzer, actions, onDone }: { analyzer: string; actions: AnalyzerActions; onDone(): void }) {
  const [verdict, setVerdict] = useState<Verdict>('inconclusive');
  const [reason, setReason] = useState('');
  return (
    <form
      className="override-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) return;
        void actions.override(analyzer, verdict, reason.trim()).then(onDone);
      }}
    >
      <label>
        New verdict
        <select value={verdict} onChange={(e) => setVerdict(e.target.value as Verdict)} aria-label="Override verdict">
          <option value="consistent">Consistent</option>
          <option value="inconclusive">Inconclusive</option>
          <option value="suspicious">Suspicious</option>
        </select>
      </label>
      <label className="grow">
        Reason (required, goes into the custody log and the report)
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="e.g. the editor tag comes from the bank's own scanner"
          aria-label="Override reason"
        />
      </label>
      <button className="btn primary" type="submit" disabled={!reason.trim()}>
        Record override
      </button>
      <button className="btn" type="button" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

export function AnalyzerPanel({
  id,
  caseId,
  title,
  result,
  entry,
  actions,
  open,
  onToggle,
}: {
  id: AnalyzerId;
  caseId: string;
  title: string;
  result: AnyAnalyzerResult;
  entry: EvidenceEntry;
  actions: AnalyzerActions;
  open: boolean;
  onToggle(): void;
}) {
  const [overriding, setOverriding] = useState(false);
  const ov = overrideFor(entry, id);
  const verdict = ov?.verdict ?? result.verdict;
  const all = entry.analysis?.analyzers ?? {};
  const counts = { alert: 0, warn: 0, info: 0 };
  for (const f of result.findings) counts[f.severity] += 1;
  // Sorted for display; each keeps its position in result.findings, which is what a mark addresses.
  const findings = result.findings.map((f, i) => ({ f, i })).sort((a, b) => rank(b.f.severity) - rank(a.f.severity));
  return (
    <section className={`analyzer ${open ? 'open' : ''}`} data-analyzer={id}>
      <header
        onClick={onToggle}
        role="button"
        aria-expanded={open}
        tabIndex={0}
        onKeyDown={(e) => (e.key === 'Enter' ? onToggle() : undefined)}
      >
        <span className="caret">{open ? '▾' : '▸'}</span>
        <span className="analyzer-title" title={title}>
          {shortTitle(title)}
        </span>
        <StatusChip status={result.status} />
        {verdict && <VerdictBadge state={verdict} overridden={Boolean(ov)} />}
        {result.score !== undefined && <span className="mini-score">{result.score.toFixed(2)}</span>}
        <span className="counts">
          {counts.alert > 0 && <span className="sev sev-alert">{counts.alert}</span>}
          {counts.warn > 0 && <span className="sev sev-warn">{counts.warn}</span>}
        </span>
      </header>
      {open && (
        <div className="analyzer-body">
          {result.error && (
            <p className={`error-box ${result.status}`}>
              <strong>{result.status === 'unavailable' ? 'Not run: ' : 'Failed: '}</strong>
              {result.error.message} <code>({result.error.code})</code>
            </p>
          )}
          {result.status === 'not-applicable' && (
            <p className="muted">
              {result.data.reason ?? 'This check does not apply to this file.'}
            </p>
          )}
          {result.score !== undefined && <ScoreBar score={result.score} {...(result.scoreInfo ? { info: result.scoreInfo } : {})} />}
          {ov && (
            <p className="override-note">
              Analyst override: <strong>{ov.verdict}</strong> (engine said {result.verdict ?? 'nothing'}) — “{ov.reason}”{' '}
              {ov.by ? `by ${ov.by}` : ''}, {formatDate(ov.at)}
            </p>
          )}
          {findings.length > 0 && (
            <ul className="findings">
              {findings.map(({ f, i }) => (
                <FindingRow key={`${f.code}-${i}`} f={f} index={i} analyzer={id} entry={entry} actions={actions} />
              ))}
            </ul>
          )}
          {result.status === 'ok' && (
            <div className="panel-actions">
              {overriding ? (
                <OverrideForm analyzer={id} actions={actions} onDone={() => setOverriding(false)} />
              ) : (
                <button className="btn small" onClick={() => setOverriding(true)} data-testid={`override-${id}`}>
                  Override verdict…
                </button>
              )}
            </div>
          )}
          {result.status === 'ok' && <DataView id={id} caseId={caseId} result={result} all={all} />}
          <p className="provenance muted small">
            {id} v{result.provenance.version} · {result.provenance.durationMs} ms
            {result.provenance.models.map((m) => ` · model ${m.id} ${m.version} (${m.trust}) ${m.sha256.slice(0, 12)}…`).join('')}
          </p>
        </div>
      )}
    </section>
  );
}

const rank = (s: Finding['severity']): number => (s === 'alert' ? 2 : s === 'warn' ? 1 : 0);

/** "Error Level Analysis: recompression…" -> "Error Level Analysis"; the full title stays in the tooltip. */
export function shortTitle(title: string): string {
  const t = title.split(/[:(]/)[0]?.trim();
  return t || title;
}
