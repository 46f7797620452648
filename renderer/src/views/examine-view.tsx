import { useEffect, useMemo, useRef, useState } from 'react';
import type { AppInfo, CaseView, EvidenceEntry } from '../../../src/contract/api.js';
import { resultEntries, type AnalyzerId, type AnyAnalyzerResult } from '../../../src/contract/analyzers/index.js';
import { artifactOf } from '../lib/artifacts.js';
import type { ModelUse, Region } from '../../../src/contract/results.js';
import { Sha, VerdictBadge } from '../components/badges.js';
import { Viewer, type Overlays, type ViewerControl } from '../components/viewer.js';
import { usePicture } from '../hooks/use-blob-url.js';
import { collectFaces } from '../lib/faces.js';
import { formatBytes, formatDate, sizeOf } from '../lib/format.js';
import { overallState, overrideFor, VERDICT_HELP } from '../lib/verdict.js';
import { VideoView } from './video-view.js';
import { AnalyzerPanel, shortTitle, type AnalyzerActions } from '../panels/analyzer-panel.js';

export interface ExamineActions extends AnalyzerActions {
  bookmark(comment: string, region?: { x: number; y: number; width: number; height: number }): Promise<void>;
  analyze(): void;
}

function Toolbar({
  o,
  set,
  has,
  ctl,
}: {
  o: Overlays;
  set(p: Partial<Overlays>): void;
  has: { heat: boolean; block: boolean; faces: boolean };
  ctl: ViewerControl | null;
}) {
  const t = (k: keyof Overlays, label: string, key: string, enabled: boolean) => (
    <button
      className={`tool ${o[k] ? 'on' : ''}`}
      disabled={!enabled}
      onClick={() => set({ [k]: !o[k] })}
      title={`${label} (${key})`}
      aria-pressed={Boolean(o[k])}
      data-tool={k}
    >
      {label}
    </button>
  );
  return (
    <div className="toolbar">
      {t('heatmap', 'ELA heatmap', 'H', has.heat)}
      <label className={`opacity ${has.heat ? '' : 'disabled'}`} title="Heatmap opacity">
        <span>Opacity</span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={o.opacity}
          onChange={(e) => set({ opacity: Number(e.target.value) })}
          disabled={!has.heat}
          aria-label="Heatmap opacity"
        />
      </label>
      {t('sideBySide', 'Side by side', 'S', has.heat)}
      {t('blockmap', 'Block map', 'B', has.block)}
      {t('faces', 'Faces', 'F', has.faces)}
      <span className="sep" />
      {t('magnifier', 'Magnifier', 'M', true)}
      <button className="tool" onClick={() => ctl?.zoom(1 / 1.25)} title="Zoom out (-)">
        −
      </button>
      <button className="tool" onClick={() => ctl?.zoom(1.25)} title="Zoom in (+)">
        +
      </button>
      <button className="tool" onClick={() => ctl?.fit()} title="Fit to window (0)">
        Fit
      </button>
    </div>
  );
}

function ModelsUsed({ e }: { e: EvidenceEntry }) {
  const models = new Map<string, ModelUse & { by: string[] }>();
  for (const { id, result: r } of resultEntries(e.analysis?.analyzers ?? {})) {
    for (const m of r.provenance.models) {
      const k = `${m.id}@${m.sha256}`;
      const cur = models.get(k) ?? { ...m, by: [] };
      cur.by.push(id);
      models.set(k, cur);
    }
  }
  if (models.size === 0) return null;
  return (
    <section className="side-block">
      <h3>Models that produced these scores</h3>
      <ul className="models-used">
        {[...models.values()].map((m) => (
          <li key={`${m.id}${m.sha256}`}>
            <strong>{m.id}</strong> <span className="muted">{m.version}</span> · {m.trust} · <Sha value={m.sha256} />{' '}
            <span className="muted">for {m.by.join(', ')}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ExamineView({
  info,
  c,
  entry,
  actions,
  overlays,
  setOverlays,
  controlRef,
}: {
  info?: AppInfo;
  c: CaseView;
  entry?: EvidenceEntry;
  actions: ExamineActions;
  overlays: Overlays;
  setOverlays(p: Partial<Overlays>): void;
  controlRef: { current: ViewerControl | null };
}) {
  const { picture, error } = usePicture(c.id, 'evidence', entry?.info.kind === 'image' ? entry.sha256 : undefined);
  const heatSha = entry ? artifactOf(entry, 'ela', 'ela-heatmap') : undefined;
  const blockSha = entry ? artifactOf(entry, 'ela', 'ela-blockmap') : undefined;
  const heat = usePicture(c.id, 'artifact', heatSha).picture;
  const block = usePicture(c.id, 'artifact', blockSha).picture;
  const faces = useMemo(() => collectFaces(entry?.analysis?.analyzers ?? {}), [entry]);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [bm, setBm] = useState('');
  const [ovReason, setOvReason] = useState('');
  const titles = Object.fromEntries((info?.analyzers ?? []).map((a) => [a.id, a.title]));
  const [highlight, setHighlight] = useState<Region | null>(null);
  const [undecodable, setUndecodable] = useState<string | null>(null);
  const lastSha = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (entry?.sha256 !== lastSha.current) {
      lastSha.current = entry?.sha256;
      setSize(null);
      setHighlight(null);
    }
  }, [entry?.sha256]);
  const panelActions: AnalyzerActions = {
    ...actions,
    focus: (r) => {
      setHighlight(r);
      controlRef.current?.focus(r);
    },
  };

  if (!entry)
    return <div className="empty-state">Select a file on the left, or add evidence with “+ Add files” (Ctrl+O) or by dropping files.</div>;
  const width = size?.w ?? entry.info.displayWidth ?? entry.info.width ?? 0;
  const height = size?.h ?? entry.info.displayHeight ?? entry.info.height ?? 0;
  const results = resultEntries(entry.analysis?.analyzers ?? {}).map((x): [AnalyzerId, AnyAnalyzerResult] => [x.id, x.result]);
  // Results that say something first (alerts, suspicious, failures), then the rest; not-applicable ones go in one line.
  const weight = (r: AnyAnalyzerResult): number =>
    r.verdict === 'suspicious' || r.findings.some((f) => f.severity === 'alert')
      ? 0
      : r.status !== 'ok'
        ? 1
        : r.findings.some((f) => f.severity === 'warn')
          ? 2
          : 3;
  const ran = results.filter(([, r]) => r.status !== 'not-applicable').sort((a, b) => weight(a[1]) - weight(b[1]));
  const notApplicable = results.filter(([, r]) => r.status === 'not-applicable');
  const st = overallState(entry);
  const overall = overrideFor(entry, '');

  return (
    <div className="examine">
      <div className="center">
        <Toolbar
          o={overlays}
          set={setOverlays}
          has={{ heat: Boolean(heat), block: Boolean(block), faces: faces.length > 0 }}
          ctl={controlRef.current}
        />
        {entry.info.kind === 'video' ? (
          <VideoView c={c} entry={entry} overlays={overlays} controlRef={controlRef} />
        ) : picture && width > 0 ? (
          <Viewer
            src={picture.url}
            width={width}
            height={height}
            {...(heat ? { heatmapUrl: heat.url } : {})}
            {...(block ? { blockmapUrl: block.url } : {})}
            faces={faces}
            bookmarks={entry.bookmarks}
            overlays={overlays}
            onImageSize={(w, h) => (w !== size?.w || h !== size?.h ? setSize({ w, h }) : undefined)}
            controlRef={controlRef}
            highlight={highlight}
            onImageError={() => setUndecodable(entry.sha256)}
          />
        ) : (
          <div className="viewport empty-state">{error ? `Cannot show this file: ${error}` : 'Loading…'}</div>
        )}
        {overlays.heatmap && heat && (
          <div className="legend" title="Lightness rises with the error level">
            <span>low error</span>
            <span className="ramp" />
            <span>high error</span>
          </div>
        )}
        {picture?.note && <p className="muted small pad">{picture.note}</p>}
        {undecodable === entry.sha256 && (
          <p className="error-box">
            The viewer cannot draw this file (it may be truncated or use an unusual encoding). The checks read the file themselves: their
            findings on the right still apply.
          </p>
        )}
      </div>
      <aside className="findings-side">
        <section className="side-block summary">
          <div className="row spread">
            <h2 className="ev-title" title={entry.name}>
              {entry.name}
            </h2>
            <VerdictBadge state={st} overridden={entry.overall.overridden} />
          </div>
          <p className="muted small" data-testid="overall-reason">
            {entry.overall.reason && !entry.overall.overridden && st !== 'changed'
              ? `${entry.overall.reason.charAt(0).toUpperCase()}${entry.overall.reason.slice(1)}.`
              : VERDICT_HELP[st]}
          </p>
          <dl className="facts">
            <dt>SHA-256</dt>
            <dd>
              <Sha value={entry.sha256} full />
            </dd>
            <dt>Type</dt>
            <dd>
              {[entry.info.type, formatBytes(entry.info.bytes), sizeOf(entry.info)].filter(Boolean).join(' · ')}
              {entry.info.orientation && entry.info.orientation !== 1 ? ` · EXIF orientation ${entry.info.orientation}` : ''}
            </dd>
            <dt>Added</dt>
            <dd>{formatDate(entry.addedAt)}</dd>
            {entry.analysis && (
              <>
                <dt>Analysed</dt>
                <dd>
                  {formatDate(entry.analysis.ranAt)}
                  {entry.analysis.integrity &&
                    (entry.analysis.integrity.unchanged ? ' · re-hashed, unchanged' : ' · FILE CHANGED DURING ANALYSIS')}
                </dd>
              </>
            )}
          </dl>
          <div className="row">
            <button className="btn primary" onClick={actions.analyze} data-testid="analyze" title="Analyse this file (A)">
              {entry.analysis ? 'Re-run analysis' : 'Run analysis'}
            </button>
          </div>
          {overall && (
            <p className="override-note">
              Overall verdict set by analyst: <strong>{overall.verdict}</strong> — “{overall.reason}”
            </p>
          )}
          {entry.analysis && (
            <form
              className="row inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                const v = (e.currentTarget.elements.namedItem('overall') as HTMLSelectElement).value as
                  'consistent' | 'inconclusive' | 'suspicious';
                if (ovReason.trim()) void actions.override('', v, ovReason.trim()).then(() => setOvReason(''));
              }}
            >
              <select name="overall" aria-label="Overall verdict" defaultValue="inconclusive">
                <option value="consistent">Consistent</option>
                <option value="inconclusive">Inconclusive</option>
                <option value="suspicious">Suspicious</option>
              </select>
              <input
                value={ovReason}
                onChange={(e) => setOvReason(e.target.value)}
                placeholder="Reason for the overall verdict"
                aria-label="Overall verdict reason"
              />
              <button className="btn small" type="submit" disabled={!ovReason.trim()}>
                Set overall
              </button>
            </form>
          )}
        </section>
        {results.length === 0 && <p className="muted pad">Not analysed yet. Press “Run analysis” (A).</p>}
        {ran.map(([id, r]) => (
          <AnalyzerPanel
            key={id}
            id={id}
            caseId={c.id}
            title={titles[id] ?? id}
            result={r}
            entry={entry}
            actions={panelActions}
            open={open[id] ?? (r.verdict === 'suspicious' || r.findings.some((f) => f.severity !== 'info'))}
            onToggle={() =>
              setOpen((o) => ({ ...o, [id]: !(o[id] ?? (r.verdict === 'suspicious' || r.findings.some((f) => f.severity !== 'info'))) }))
            }
          />
        ))}
        {notApplicable.length > 0 && (
          <p
            className="side-block muted small"
            title={notApplicable
              .map(([id, r]) => `${id}: ${(r.status !== 'ok' && r.data.reason) || 'not applicable'}`)
              .join('\n')}
          >
            Not applicable to this file: {notApplicable.map(([id]) => shortTitle(titles[id] ?? id)).join(', ')}.
          </p>
        )}
        <ModelsUsed e={entry} />
        <section className="side-block">
          <h3>Bookmarks</h3>
          {entry.bookmarks.length === 0 && (
            <p className="muted small">None. A bookmark keeps the current view of the image with your comment.</p>
          )}
          <ul className="bookmarks">
            {entry.bookmarks.map((b) => (
              <li key={b.seq}>
                <span>{b.comment}</span>
                <span className="muted small">
                  {b.region ? ` ${b.region.width}×${b.region.height} at ${b.region.x},${b.region.y}` : ''} · {formatDate(b.at)}
                </span>
              </li>
            ))}
          </ul>
          <form
            className="row inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!bm.trim()) return;
              const region = controlRef.current?.visibleRegion();
              void actions.bookmark(bm.trim(), region).then(() => setBm(''));
            }}
          >
            <input
              value={bm}
              onChange={(e) => setBm(e.target.value)}
              placeholder="Comment on the current view"
              aria-label="Bookmark comment"
            />
            <button className="btn small" type="submit" disabled={!bm.trim()}>
              Bookmark view
            </button>
          </form>
        </section>
      </aside>
    </div>
  );
}
