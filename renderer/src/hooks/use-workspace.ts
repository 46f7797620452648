import { useCallback, useEffect, useState } from 'react';
import type {
  AddEvidenceOutcome,
  AppInfo,
  CaseSummary,
  CaseView,
  DroppedFile,
  EvidenceEntry,
  FindingMarkKind,
} from '../../../src/contract/api.js';
import type { Verdict } from '../../../src/contract/results.js';
import { api, newJobId, onApiEvent } from '../bridge.js';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface Workspace {
  info?: AppInfo;
  recent: CaseSummary[];
  current?: CaseView;
  selected?: EvidenceEntry;
  notices: Notice[];
  busy: boolean;
  dismiss(id: number): void;
  refreshRecent(): void;
  createCase(title: string, analyst: string, notes: string): Promise<void>;
  openCase(id: string): Promise<void>;
  select(sha: string): void;
  selectRelative(step: number): void;
  addFromDialog(): Promise<void>;
  addDropped(files: readonly DroppedFile[]): Promise<void>;
  analyze(evidence: string[], track: (jobId: string, title: string) => void, done: (jobId: string) => void): Promise<void>;
  override(analyzer: string, verdict: Verdict, reason: string): Promise<void>;
  mark(analyzer: string, code: string, index: number, mark: FindingMarkKind, comment: string): Promise<void>;
  bookmark(comment: string, region?: { x: number; y: number; width: number; height: number }): Promise<void>;
}

let noticeId = 0;

/** The analyst's working state: the open case, the selected evidence, and every case action. */
export function useWorkspace(): Workspace {
  const [info, setInfo] = useState<AppInfo>();
  const [recent, setRecent] = useState<CaseSummary[]>([]);
  const [current, setCurrent] = useState<CaseView>();
  const [selectedSha, setSelectedSha] = useState<string>();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [busy, setBusy] = useState(false);

  const notify = useCallback((kind: Notice['kind'], text: string) => {
    noticeId += 1;
    const id = noticeId;
    setNotices((n) => [...n.slice(-4), { id, kind, text }]);
    setTimeout(() => setNotices((n) => n.filter((x) => x.id !== id)), kind === 'info' ? 6000 : 30000);
  }, []);
  const fail = useCallback((err: unknown) => notify('error', err instanceof Error ? err.message : String(err)), [notify]);

  const refreshRecent = useCallback(() => {
    api('listRecentCases').then(setRecent, fail);
  }, [fail]);

  useEffect(() => {
    api('getAppInfo').then(setInfo, fail);
    refreshRecent();
  }, [fail, refreshRecent]);

  const replaceEntry = useCallback((e: EvidenceEntry) => {
    setCurrent((c) => (c ? { ...c, evidence: c.evidence.map((x) => (x.sha256 === e.sha256 ? e : x)) } : c));
  }, []);

  const openCase = useCallback(
    async (id: string) => {
      try {
        const c = await api('openCase', id);
        setCurrent(c);
        setSelectedSha(c.evidence[0]?.sha256);
      } catch (err) {
        fail(err);
      }
    },
    [fail],
  );

  useEffect(
    () =>
      onApiEvent((e) => {
        if (e.type === 'case-changed' && current?.id === e.caseId) void api('openCase', e.caseId).then(setCurrent, () => undefined);
      }),
    [current?.id],
  );

  const createCase = useCallback(
    async (title: string, analyst: string, notes: string) => {
      try {
        const c = await api('createCase', { title, analyst, ...(notes ? { notes } : {}) });
        setCurrent(c);
        setSelectedSha(undefined);
        refreshRecent();
        notify('info', `Case “${c.title}” created.`);
      } catch (err) {
        fail(err);
      }
    },
    [fail, notify, refreshRecent],
  );

  const afterAdd = useCallback(
    async (out: AddEvidenceOutcome, caseId: string) => {
      for (const r of out.refused) notify('error', `${r.name} was not added: ${r.error.message}`);
      if (out.duplicates.length) notify('info', `Already in the case: ${out.duplicates.join(', ')}`);
      if (out.added.length) {
        notify('info', `Added ${out.added.length} file${out.added.length === 1 ? '' : 's'} to the case (copied read-only, hashed).`);
        const c = await api('openCase', caseId);
        setCurrent(c);
        setSelectedSha(out.added[0]!.sha256);
      }
    },
    [notify],
  );

  const addFromDialog = useCallback(async () => {
    if (!current) return;
    setBusy(true);
    try {
      await afterAdd(await api('addEvidenceFromDialog', current.id), current.id);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  }, [current, afterAdd, fail]);

  const addDropped = useCallback(
    async (files: readonly DroppedFile[]) => {
      if (!current || files.length === 0) return;
      setBusy(true);
      try {
        await afterAdd(await api('addEvidenceDropped', current.id, files), current.id);
      } catch (err) {
        fail(err);
      } finally {
        setBusy(false);
      }
    },
    [current, afterAdd, fail],
  );

  const analyze = useCallback(
    async (evidence: string[], track: (jobId: string, title: string) => void, done: (jobId: string) => void) => {
      if (!current) return;
      const jobId = newJobId('analyze');
      track(jobId, evidence.length === 1 ? 'Analysing 1 file' : `Analysing ${evidence.length || current.evidence.length} files`);
      try {
        setCurrent(await api('analyze', current.id, evidence, jobId, {}));
      } catch (err) {
        fail(err);
      } finally {
        done(jobId);
      }
    },
    [current, fail],
  );

  const selected = current?.evidence.find((e) => e.sha256 === selectedSha);

  const annotate = useCallback(
    async (fn: (caseId: string, sha: string) => Promise<EvidenceEntry>, ok: string) => {
      if (!current || !selected) return;
      try {
        replaceEntry(await fn(current.id, selected.sha256));
        notify('info', ok);
      } catch (err) {
        fail(err);
      }
    },
    [current, selected, replaceEntry, notify, fail],
  );

  return {
    ...(info ? { info } : {}),
    recent,
    ...(current ? { current } : {}),
    ...(selected ? { selected } : {}),
    notices,
    busy,
    dismiss: (id) => setNotices((n) => n.filter((x) => x.id !== id)),
    refreshRecent,
    createCase,
    openCase,
    select: setSelectedSha,
    selectRelative: (step) => {
      if (!current || current.evidence.length === 0) return;
      const i = current.evidence.findIndex((e) => e.sha256 === selectedSha);
      const next = current.evidence[(Math.max(0, i) + step + current.evidence.length) % current.evidence.length];
      if (next) setSelectedSha(next.sha256);
    },
    addFromDialog,
    addDropped,
    analyze,
    override: (analyzer, verdict, reason) =>
      annotate((c, s) => api('setVerdictOverride', c, s, analyzer, verdict, reason), 'Verdict override recorded in the custody log.'),
    mark: (analyzer, code, index, m, comment) =>
      annotate((c, s) => api('markFinding', c, s, analyzer, code, index, m, comment), `Finding marked as ${m}.`),
    bookmark: (comment, region) =>
      annotate((c, s) => api('addBookmark', c, s, { comment, ...(region ? { region } : {}) }), 'Bookmark added.'),
  };
}
