import { useCallback, useEffect, useRef, useState } from 'react';
import type { Overlays, ViewerControl } from './components/viewer.js';
import { JobBars } from './components/progress.js';
import { hasBridge } from './bridge.js';
import { useJobs } from './hooks/use-jobs.js';
import { useShortcuts, type Shortcut } from './hooks/use-shortcuts.js';
import { useTheme } from './hooks/use-theme.js';
import { useWorkspace } from './hooks/use-workspace.js';
import { CasesView } from './views/cases-view.js';
import { EvidenceList } from './views/evidence-list.js';
import { ExamineView } from './views/examine-view.js';
import { ModelsView } from './views/models-view.js';
import { ReportView } from './views/report-view.js';

type Tab = 'cases' | 'examine' | 'models' | 'report';
const TABS: { id: Tab; label: string; key: string }[] = [
  { id: 'cases', label: 'Cases', key: '1' },
  { id: 'examine', label: 'Examine', key: '2' },
  { id: 'models', label: 'Models', key: '3' },
  { id: 'report', label: 'Report', key: '4' },
];

export function App() {
  const ws = useWorkspace();
  const jobs = useJobs();
  const { theme, toggle } = useTheme();
  const [tab, setTab] = useState<Tab>('cases');
  const [help, setHelp] = useState(false);
  const [overlays, setOverlaysState] = useState<Overlays>({
    heatmap: false,
    blockmap: false,
    faces: true,
    sideBySide: false,
    magnifier: false,
    opacity: 0.6,
  });
  const setOverlays = useCallback((p: Partial<Overlays>) => setOverlaysState((o) => ({ ...o, ...p })), []);
  const controlRef = useRef<ViewerControl | null>(null);
  const { refreshRecent } = ws;
  useEffect(() => {
    if (tab === 'cases') refreshRecent();
  }, [tab, refreshRecent]);

  const openCase = async (id: string) => {
    await ws.openCase(id);
    setTab('examine');
  };
  const createCase = async (t: string, a: string, n: string) => {
    await ws.createCase(t, a, n);
    setTab('examine');
  };
  const analyzeSelected = () => ws.selected && void ws.analyze([ws.selected.sha256], jobs.begin, jobs.end);
  const analyzeAll = () => ws.current && void ws.analyze([], jobs.begin, jobs.end);
  const flip = (k: keyof Overlays) => () => setOverlaysState((o) => ({ ...o, [k]: !o[k] }));

  const shortcuts: Shortcut[] = [
    ...TABS.map((t) => ({ keys: t.key, label: `Go to ${t.label}`, run: () => setTab(t.id) })),
    { keys: 'mod+o', label: 'Add evidence files', run: () => void ws.addFromDialog() },
    { keys: 'a', label: 'Analyse the selected file', run: analyzeSelected },
    { keys: 'shift+a', label: 'Analyse every file in the case', run: analyzeAll },
    { keys: 'j', label: 'Next file', run: () => ws.selectRelative(1) },
    { keys: 'k', label: 'Previous file', run: () => ws.selectRelative(-1) },
    { keys: 'h', label: 'ELA heatmap overlay', run: flip('heatmap') },
    { keys: 's', label: 'Side by side', run: flip('sideBySide') },
    { keys: 'b', label: 'Block map overlay', run: flip('blockmap') },
    { keys: 'f', label: 'Face boxes', run: flip('faces') },
    { keys: 'm', label: 'Magnifier', run: flip('magnifier') },
    { keys: '0', label: 'Fit image to window', run: () => controlRef.current?.fit() },
    { keys: '+', label: 'Zoom in', run: () => controlRef.current?.zoom(1.25) },
    { keys: '=', label: 'Zoom in', run: () => controlRef.current?.zoom(1.25) },
    { keys: '-', label: 'Zoom out', run: () => controlRef.current?.zoom(0.8) },
    { keys: 't', label: 'Light / dark theme', run: toggle },
    { keys: 'escape', label: 'Cancel running work / close help', run: () => (help ? setHelp(false) : jobs.cancelAll()) },
    { keys: '?', label: 'Show these shortcuts', run: () => setHelp((h) => !h) },
  ];
  useShortcuts(shortcuts);

  return (
    <div className="app" data-theme={theme}>
      <header className="topbar">
        <span className="brand">Verilens</span>
        <nav>
          {TABS.map((t) => (
            <button
              key={t.id}
              className={`tab ${tab === t.id ? 'active' : ''}`}
              onClick={() => setTab(t.id)}
              title={`${t.label} (${t.key})`}
              data-tab={t.id}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <span className="case-name muted">{ws.current ? ws.current.title : 'No case open'}</span>
        <span className="spacer" />
        <span className="offline" title="Verilens never connects to the network">
          ● offline
        </span>
        <button className="btn small" onClick={toggle} title="Theme (T)">
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button className="btn small" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
          ?
        </button>
      </header>
      <JobBars jobs={jobs.jobs} onCancel={jobs.cancel} />
      {!hasBridge() && <div className="notice error">The engine is not connected. Start Verilens from its application icon.</div>}
      <main className={`main tab-${tab}`}>
        {tab === 'cases' && (
          <CasesView {...(ws.info ? { info: ws.info } : {})} recent={ws.recent} onCreate={createCase} onOpen={(id) => void openCase(id)} />
        )}
        {tab === 'examine' &&
          (ws.current ? (
            <div className="workbench">
              <EvidenceList
                c={ws.current}
                {...(ws.selected ? { selected: ws.selected.sha256 } : {})}
                onSelect={ws.select}
                onAdd={() => void ws.addFromDialog()}
                onDrop={(files) => void ws.addDropped(files)}
                onAnalyzeAll={analyzeAll}
                busy={ws.busy}
              />
              <ExamineView
                {...(ws.info ? { info: ws.info } : {})}
                c={ws.current}
                {...(ws.selected ? { entry: ws.selected } : {})}
                actions={{ override: ws.override, mark: ws.mark, bookmark: ws.bookmark, analyze: analyzeSelected }}
                overlays={overlays}
                setOverlays={setOverlays}
                controlRef={controlRef}
              />
            </div>
          ) : (
            <div className="empty-state">Open or create a case first (Cases, key 1).</div>
          ))}
        {tab === 'models' && <ModelsView />}
        {tab === 'report' && (
          <ReportView
            {...(ws.info ? { info: ws.info } : {})}
            {...(ws.current ? { c: ws.current } : {})}
            track={jobs.begin}
            done={jobs.end}
          />
        )}
      </main>
      <footer className="statusbar">
        <div className="status-notices">
          {ws.notices.length === 0 && <span className="muted">Ready.</span>}
          {ws.notices.slice(-2).map((n) => (
            <span key={n.id} className={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} title={n.text}>
              <span className="notice-text">{n.text}</span>
              <button className="btn link small" onClick={() => ws.dismiss(n.id)} aria-label="Dismiss">
                ✕
              </button>
            </span>
          ))}
        </div>
        <span className="muted small status-right">
          {ws.current ? `${ws.current.id} · ${ws.current.evidence.length} file${ws.current.evidence.length === 1 ? '' : 's'} · ` : ''}
          Verilens {ws.info?.version ?? ''} · evidence is never modified
        </span>
      </footer>
      {help && (
        <div className="modal-backdrop" onClick={() => setHelp(false)}>
          <div className="modal" onClick={(e) => e.stopPropagation()} role="dialog" aria-label="Keyboard shortcuts">
            <h2>Keyboard shortcuts</h2>
            <table className="kv">
              <tbody>
                {shortcuts
                  .filter((s) => s.keys !== '=')
                  .map((s) => (
                    <tr key={s.keys}>
                      <th>
                        <kbd>{s.keys.replace('mod', 'Ctrl').replace('escape', 'Esc')}</kbd>
                      </th>
                      <td>{s.label}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}
