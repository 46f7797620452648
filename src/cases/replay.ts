import { lstat, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AnalyzerResults } from '../contract/analyzers/index.js';
import { VerilensError } from '../util/errors.js';
import { sha256File, sha256Hex } from '../util/hash.js';
import { GENESIS, walkChain, type ChainBreak, type CustodyEntry, type ParsedLine } from './custody.js';
import { ARTIFACTS_DIR, CUSTODY_FILE, isResultsName, isStoredEvidenceName } from './layout.js';
import type { CaseEvidence, CaseState } from './types.js';

/**
 * Reading a case: case.json is rebuilt from custody.log, so the log is the one record that
 * matters. Pure replay of entries plus the bounded reads it needs; no locks, no writes.
 */

/** Something wrong in a case, with where it is. */
export interface CaseProblem {
  where: string;
  message: string;
  expected?: string;
  actual?: string;
}

/** Results in the order the analyzers ran (stored results are canonical JSON, sorted by id). */
function orderResults(results: AnalyzerResults, ranOrder: readonly string[]): AnalyzerResults {
  const out: AnalyzerResults = {};
  const byId: Partial<Record<string, AnalyzerResults[keyof AnalyzerResults]>> = results;
  const into: Partial<Record<string, AnalyzerResults[keyof AnalyzerResults]>> = out;
  for (const id of [...ranOrder, ...Object.keys(results)]) if (byId[id] && !into[id]) into[id] = byId[id];
  return out;
}

/** A partial run updates its analyzers; the others keep the result they had (earlier order first). */
function mergeResults(prev: AnalyzerResults, next: AnalyzerResults): AnalyzerResults {
  const out: AnalyzerResults = {};
  const into: Partial<Record<string, AnalyzerResults[keyof AnalyzerResults]>> = out;
  const a: Partial<Record<string, AnalyzerResults[keyof AnalyzerResults]>> = prev;
  const b: Partial<Record<string, AnalyzerResults[keyof AnalyzerResults]>> = next;
  for (const id of [...Object.keys(prev), ...Object.keys(next)]) into[id] = b[id] ?? a[id];
  return out;
}
export type ResultsLoader = (path: string, sha256: string) => Promise<AnalyzerResults | string>;

export function emptyState(): CaseState {
  return {
    format: 'verilens-case',
    version: 1,
    id: '',
    title: '',
    analyst: '',
    created: '',
    notes: '',
    evidence: [],
    annotations: [],
    reports: [],
    custody: { entries: 0, head: GENESIS, updated: '' },
  };
}

/** Apply one custody entry to the state (mutates `s`). `results` is the loaded analysis for analysis-run entries. */
export function applyEntry(s: CaseState, e: CustodyEntry, lineSha: string, results?: AnalyzerResults): void {
  switch (e.type) {
    case 'case-created':
      s.id = e.data.id;
      s.title = e.data.title;
      s.analyst = e.data.analyst;
      s.notes = e.data.notes;
      s.created = e.time;
      break;
    case 'evidence-added': {
      const d = e.data;
      // Paths from the log are only ever inside the case, whatever the log says.
      if (!isStoredEvidenceName(d.stored, d.sha256, d.info?.format)) {
        throw new VerilensError('bad-entry', `evidence entry does not name a content-addressed copy (stored: ${String(d.stored)})`);
      }
      if (typeof d.name !== 'string' || typeof d.source !== 'string' || d.info.sha256 !== d.sha256) throw new VerilensError('bad-entry', 'evidence entry is missing its name, source or file facts');
      const ex = s.evidence.find((x) => x.sha256 === d.sha256);
      if (ex) {
        if (!ex.names.includes(d.name)) ex.names.push(d.name);
        ex.sources.push({ path: d.source, addedAt: e.time, seq: e.seq });
      } else {
        s.evidence.push({ sha256: d.sha256, names: [d.name], sources: [{ path: d.source, addedAt: e.time, seq: e.seq }], stored: d.stored, info: d.info, addedAt: e.time });
      }
      break;
    }
    case 'analysis-run': {
      const ev = s.evidence.find((x) => x.sha256 === e.data.evidence);
      if (ev && results) {
        // Keep the order the analyzers ran in (the stored results are canonical JSON, sorted by id).
        const ordered = orderResults(results, e.data.analyzers.map((a) => a.id));
        const run = { seq: e.seq, time: e.time, resultsSha256: e.data.results.sha256, unchanged: e.data.unchanged };
        const prev = ev.analysis;
        if (Array.isArray(e.data.only) && prev) {
          // A partial run updates its analyzers; the others keep the result (and run) they had.
          const prevRun = { seq: prev.seq, time: prev.time, resultsSha256: prev.resultsSha256, unchanged: prev.unchanged };
          const merged = mergeResults(prev.analyzers, ordered);
          const runs: Record<string, { seq: number; time: string; resultsSha256: string; unchanged: boolean }> = {};
          for (const id of Object.keys(merged)) runs[id] = Object.hasOwn(ordered, id) ? run : (prev.runs?.[id] ?? prevRun);
          const multi = Object.values(runs).some((x) => x.seq !== e.seq);
          ev.analysis = { ...run, unchanged: Object.values(runs).every((x) => x.unchanged), analyzers: merged, ...(multi ? { runs } : {}) };
        } else {
          ev.analysis = { ...run, analyzers: ordered };
        }
      }
      break;
    }
    case 'annotation':
      s.annotations.push({ seq: e.seq, time: e.time, analyst: e.actor.analyst, annotation: e.data.annotation });
      if (e.data.annotation.kind === 'note') s.notes = s.notes ? `${s.notes}\n${e.data.annotation.text}` : e.data.annotation.text;
      break;
    case 'report-exported':
      s.reports.push({ seq: e.seq, time: e.time, pdf: e.data.pdf, json: e.data.json, signer: e.data.signer, asOfSeq: e.data.asOfSeq });
      break;
    case 'log-recovered':
      break;
  }
  s.custody = { entries: e.seq, head: lineSha, updated: e.time };
}

/** Rebuild the case state from parsed custody lines, up to `uptoSeq` (inclusive) when given. */
export async function replay(lines: readonly ParsedLine[], load: ResultsLoader, uptoSeq?: number): Promise<{ state: CaseState; problems: CaseProblem[] }> {
  const s = emptyState();
  const problems: CaseProblem[] = [];
  for (const l of lines) {
    if (uptoSeq !== undefined && l.line > uptoSeq) break;
    if (!l.entry) {
      s.custody = { entries: l.line, head: l.sha256, updated: s.custody.updated };
      continue;
    }
    // A line can be valid, chained JSON and still not hold what its type promises (hand-written):
    // report it where it is instead of failing the whole case.
    try {
      let results: AnalyzerResults | undefined;
      if (l.entry.type === 'analysis-run') {
        const r = await load(String(l.entry.data.results.path), String(l.entry.data.results.sha256));
        if (typeof r === 'string') problems.push({ where: `${CUSTODY_FILE} line ${l.line}`, message: r });
        else results = r;
      }
      applyEntry(s, l.entry, l.sha256, results);
    } catch (err) {
      problems.push({ where: `${CUSTODY_FILE} line ${l.line}`, message: `the ${l.entry.type} entry on line ${l.line} is malformed (${(err as Error).message})` });
      s.custody = { entries: l.line, head: l.sha256, updated: s.custody.updated };
    }
    s.custody.entries = l.line;
  }
  return { state: s, problems };
}

export function resultsLoader(dir: string): ResultsLoader {
  return async (rel, sha) => {
    if (!isResultsName(rel, sha)) return `analysis results path ${rel} is not a content-addressed file in ${ARTIFACTS_DIR}/`;
    const path = join(dir, rel);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return `analysis results ${rel} are missing`;
    }
    const actual = sha256Hex(text);
    if (actual !== sha) return `analysis results ${rel} were altered: SHA-256 is ${actual}, custody.log recorded ${sha}`;
    try {
      // Stored results were written by the engine and are bound to the log by their hash.
      const doc = JSON.parse(text) as { analyzers: AnalyzerResults };
      return doc.analyzers;
    } catch {
      return `analysis results ${rel} are not valid JSON`;
    }
  };
}

/**
 * SHA-256 of a file stored in the case, null when it is missing, 'not-a-file' for anything but a
 * plain file: a named pipe would block the read forever, and a symlink points out of the case.
 */
export async function hashStoredFile(path: string): Promise<string | null | 'not-a-file'> {
  const st = await lstat(path).catch(() => null);
  if (!st) return null;
  if (!st.isFile()) return 'not-a-file';
  return sha256File(path).catch(() => null);
}


export interface LoadedCase {
  dir: string;
  state: CaseState;
  lines: ParsedLine[];
  breaks: ChainBreak[];
  tornTail: string | null;
  problems: CaseProblem[];
}

export async function readLog(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, CUSTODY_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
      throw new VerilensError('not-a-case', isDir ? `${dir}: not a Verilens case (no ${CUSTODY_FILE})` : `${dir}: no such case folder`);
    }
    throw new VerilensError('unreadable', `${join(dir, CUSTODY_FILE)}: cannot read (${code ?? String(err)})`);
  }
}

/** Open a case read-only (no lock): the state as custody.log records it, up to `uptoSeq` when given. */
export async function loadCase(dirIn: string, uptoSeq?: number): Promise<LoadedCase> {
  const dir = resolve(dirIn);
  const chain = walkChain(await readLog(dir));
  const { state, problems } = await replay(chain.lines, resultsLoader(dir), uptoSeq);
  if (chain.lines.length === 0 || chain.lines[0]?.entry?.type !== 'case-created') {
    problems.unshift({ where: `${CUSTODY_FILE} line 1`, message: 'the log does not start with a case-created entry' });
  }
  return { dir, state, lines: chain.lines, breaks: chain.breaks, tornTail: chain.tornTail, problems };
}

/** Find evidence by SHA-256, unique SHA-256 prefix (6+ hex digits) or original file name. */
export function findEvidence(state: CaseState, ref: string): CaseEvidence {
  const lower = ref.toLowerCase();
  const bySha = state.evidence.filter((e) => /^[0-9a-f]{6,64}$/.test(lower) && e.sha256.startsWith(lower));
  const byName = state.evidence.filter((e) => e.names.includes(ref) || e.names.includes(basename(ref)));
  const hits = bySha.length ? bySha : byName;
  if (hits.length === 1 && hits[0]) return hits[0];
  if (hits.length > 1) throw new VerilensError('ambiguous-evidence', `'${ref}' matches ${hits.length} evidence files in case ${state.id}; give more of the SHA-256`);
  const known = state.evidence.map((e) => `${e.names.join(', ')} (${e.sha256.slice(0, 12)})`);
  throw new VerilensError(
    'unknown-evidence',
    `no evidence '${ref}' in case ${state.id} (give a file name or the start of its SHA-256); ${known.length ? `the case holds: ${known.join('; ')}` : 'the case holds no evidence yet'}`,
  );
}
