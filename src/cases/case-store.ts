import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, open, readdir, readFile, rename, stat, truncate, unlink } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { JsonObject } from '../contract/json.js';
import type { AnalyzerResult, Region } from '../contract/results.js';
import type { Analyzer } from '../engine/analyzer.js';
import { DirectoryArtifactStore } from '../engine/artifacts.js';
import { analyzeEvidence, type ProgressEvent } from '../engine/runner.js';
import type { EngineServices } from '../engine/services.js';
import { openEvidence } from '../evidence/intake.js';
import type { Limits } from '../evidence/limits.js';
import { VerilensError } from '../util/errors.js';
import { sha256File, sha256Hex } from '../util/hash.js';
import { dataHome } from '../util/paths.js';
import { canonicalJson } from './canonical-json.js';
import { findingSha256, listSharedFindings } from './finding-marks.js';
import {
  encodeEntry,
  GENESIS,
  walkChain,
  type Actor,
  type ChainBreak,
  type CustodyEntry,
  type CustodyEvent,
  type ParsedLine,
  type ReportExportedData,
} from './custody.js';
import { fsyncDir, appendDurable, writeFileDurable } from './durable.js';
import { acquireCaseLock } from './lock.js';
import type { Annotation, CaseEvidence, CaseState } from './types.js';

export const CASE_FILE = 'case.json';
export const CUSTODY_FILE = 'custody.log';
export const EVIDENCE_DIR = 'evidence';
export const ARTIFACTS_DIR = 'artifacts';

/** Default folder for new cases: `<data home>/cases`. */
export function defaultCasesDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(dataHome(env), 'cases');
}

export interface CaseOptions {
  /** Who is acting (recorded in every custody entry); defaults to defaultAnalyst(). */
  analyst?: string;
  now?: () => Date;
}

/** The actor when none is named: VERILENS_ANALYST if set, else the OS user name. */
export function defaultAnalyst(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['VERILENS_ANALYST']?.trim() || userInfo().username;
}

function actorOf(opts: CaseOptions): Actor {
  return { analyst: opts.analyst ?? defaultAnalyst(), host: hostname() };
}

function iso(opts: CaseOptions): string {
  return (opts.now ?? (() => new Date()))().toISOString();
}

/** Something wrong in a case, with where it is. */
export interface CaseProblem {
  where: string;
  message: string;
  expected?: string;
  actual?: string;
}

// ---------------------------------------------------------------------------------------------
// Replay: case.json is rebuilt from custody.log, so the log is the one record that matters.

export type ResultsLoader = (path: string, sha256: string) => Promise<Record<string, AnalyzerResult> | string>;

function emptyState(): CaseState {
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
export function applyEntry(s: CaseState, e: CustodyEntry, lineSha: string, results?: Record<string, AnalyzerResult>): void {
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
      if (!/^[0-9a-f]{64}$/.test(d.sha256) || d.stored !== `${EVIDENCE_DIR}/${d.sha256}.${d.info?.format}` || !/^[a-z0-9]{1,8}$/.test(d.info.format)) {
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
        const ordered: Record<string, AnalyzerResult> = {};
        for (const a of e.data.analyzers) if (results[a.id]) ordered[a.id] = results[a.id]!;
        for (const [id, r] of Object.entries(results)) if (!ordered[id]) ordered[id] = r;
        const run = { seq: e.seq, time: e.time, resultsSha256: e.data.results.sha256, unchanged: e.data.unchanged };
        const prev = ev.analysis;
        if (Array.isArray(e.data.only) && prev) {
          // A partial run updates its analyzers; the others keep the result (and run) they had.
          const prevRun = { seq: prev.seq, time: prev.time, resultsSha256: prev.resultsSha256, unchanged: prev.unchanged };
          const merged: Record<string, AnalyzerResult> = {};
          const runs: Record<string, { seq: number; time: string; resultsSha256: string; unchanged: boolean }> = {};
          for (const [id, r] of Object.entries(prev.analyzers)) {
            merged[id] = ordered[id] ?? r;
            runs[id] = ordered[id] ? run : (prev.runs?.[id] ?? prevRun);
          }
          for (const [id, r] of Object.entries(ordered)) {
            merged[id] = r;
            runs[id] = run;
          }
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
      let results: Record<string, AnalyzerResult> | undefined;
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

function resultsLoader(dir: string): ResultsLoader {
  return async (rel, sha) => {
    if (rel !== `${ARTIFACTS_DIR}/${sha}.json` || !/^[0-9a-f]{64}$/.test(sha)) return `analysis results path ${rel} is not a content-addressed file in ${ARTIFACTS_DIR}/`;
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
      const doc = JSON.parse(text) as { analyzers: Record<string, AnalyzerResult> };
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

// ---------------------------------------------------------------------------------------------
// Reading

export interface LoadedCase {
  dir: string;
  state: CaseState;
  lines: ParsedLine[];
  breaks: ChainBreak[];
  tornTail: string | null;
  problems: CaseProblem[];
}

async function readLog(dir: string): Promise<string> {
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

// ---------------------------------------------------------------------------------------------
// Writing: one session holds the lock; every change is committed by one fsynced custody line.

export interface AnalyzeOptions {
  analyzers: readonly Analyzer[];
  only?: readonly string[];
  params?: Readonly<Record<string, JsonObject>>;
  services?: EngineServices;
  limits?: Partial<Limits>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Evidence to analyse (SHA-256, prefix or name); all evidence when absent. */
  evidence?: readonly string[];
}

/** A bookmark region must lie inside the image as displayed (EXIF orientation applied). */
function checkRegion(r: Region, ev: CaseEvidence): void {
  const w = ev.info.displayWidth ?? ev.info.width;
  const h = ev.info.displayHeight ?? ev.info.height;
  const nums = [r.x, r.y, r.width, r.height];
  if (!nums.every((v) => Number.isSafeInteger(v) && v >= 0) || r.width < 1 || r.height < 1) {
    throw new VerilensError('bad-region', `a bookmark region needs whole pixel numbers with a width and height of at least 1 (got ${r.x},${r.y},${r.width},${r.height})`);
  }
  if (w === undefined || h === undefined) return;
  if (r.x + r.width > w || r.y + r.height > h) {
    throw new VerilensError('bad-region', `the region ${r.x},${r.y},${r.width},${r.height} (x,y,width,height) reaches outside ${ev.names[0]}, which is ${w} x ${h} pixels as displayed`);
  }
}

export class CaseSession {
  private closed = false;

  private constructor(
    readonly dir: string,
    private lines: ParsedLine[],
    private current: CaseState,
    private readonly opts: CaseOptions,
    private readonly release: () => Promise<void>,
  ) {}

  /** Take the case lock and open it for changes. Repairs an interrupted last write (recorded in the log). */
  static async open(dirIn: string, opts: CaseOptions & { purpose?: string } = {}): Promise<CaseSession> {
    const dir = resolve(dirIn);
    await readLog(dir); // a clear "not a case" before taking a lock
    const release = await acquireCaseLock(dir, opts.purpose ?? 'writing');
    try {
      const loaded = await loadCase(dir);
      if (loaded.breaks.length > 0) {
        const b = loaded.breaks[0];
        throw new VerilensError('custody-broken', `${dir}: custody.log is broken (${b?.message}); refusing to add to it. Run 'verilens case verify --case ${dir}'.`);
      }
      const session = new CaseSession(dir, loaded.lines, loaded.state, opts, release);
      if (loaded.tornTail !== null) await session.repairTail(loaded.tornTail);
      return session;
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** Create a new case in `dir` (which must not exist or be empty) and keep it open. */
  static async create(dirIn: string, init: { title: string; notes?: string; id?: string } & CaseOptions): Promise<CaseSession> {
    const dir = resolve(dirIn);
    const existing = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw new VerilensError('unreadable', `${dir}: cannot read (${e.code ?? e.message})`);
    });
    if (existing && existing.length > 0) throw new VerilensError('case-exists', `${dir} already exists and is not empty; choose a new folder for the case`);
    await mkdir(join(dir, EVIDENCE_DIR), { recursive: true });
    await mkdir(join(dir, ARTIFACTS_DIR), { recursive: true });
    await fsyncDir(dir);
    const release = await acquireCaseLock(dir, 'creating');
    const session = new CaseSession(dir, [], emptyState(), init, release);
    const analyst = actorOf(init).analyst;
    const now = iso(init);
    const id = init.id ?? `VL-${now.slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
    try {
      await session.commit({ type: 'case-created', data: { id, title: init.title, analyst, notes: init.notes ?? '' } }, now);
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  get state(): CaseState {
    return this.current;
  }

  /** Who this session records as the actor of its custody entries. */
  get analyst(): string {
    return actorOf(this.opts).analyst;
  }

  get entries(): readonly ParsedLine[] {
    return this.lines;
  }

  private assertOpen(): void {
    if (this.closed) throw new VerilensError('case-closed', `${this.dir}: the case session is closed`);
  }

  private async repairTail(tail: string): Promise<void> {
    const logPath = join(this.dir, CUSTODY_FILE);
    const size = (await stat(logPath)).size;
    const tailBytes = Buffer.byteLength(tail, 'utf8');
    await truncate(logPath, size - tailBytes);
    const fh = await open(logPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.commit({ type: 'log-recovered', data: { discardedBytes: tailBytes, discardedSha256: sha256Hex(tail) } });
  }

  /** Append one entry (the commit point), then refresh case.json. */
  private async commit(event: CustodyEvent, time?: string, results?: Record<string, AnalyzerResult>): Promise<CustodyEntry> {
    this.assertOpen();
    const prev = this.lines.at(-1)?.sha256 ?? GENESIS;
    const seq = this.lines.length + 1;
    const entry = { ...event, seq, time: time ?? iso(this.opts), actor: actorOf(this.opts), prev } as CustodyEntry;
    const text = encodeEntry(entry);
    const logPath = join(this.dir, CUSTODY_FILE);
    const isNew = seq === 1;
    await appendDurable(logPath, `${text}\n`);
    if (isNew) await fsyncDir(this.dir);
    const sha256 = sha256Hex(text);
    this.lines.push({ line: seq, text, sha256, entry });
    applyEntry(this.current, entry, sha256, results);
    await writeFileDurable(join(this.dir, CASE_FILE), `${JSON.stringify(this.current, null, 2)}\n`);
    return entry;
  }

  /** Copy a file into the case as read-only, content-addressed evidence. */
  async addEvidence(source: string, limits?: Partial<Limits>): Promise<CaseEvidence> {
    this.assertOpen();
    const ev = await openEvidence(source, limits);
    const sha = ev.info.sha256;
    const stored = `${EVIDENCE_DIR}/${sha}.${ev.info.format}`;
    const target = join(this.dir, stored);
    const have = await hashStoredFile(target);
    if (have !== sha) {
      if (have !== null) {
        // A damaged copy from before: keep it aside for examination instead of overwriting silently.
        await rename(target, `${target}.damaged-${Date.now()}`);
      }
      const tmp = `${target}.${process.pid}.tmp`;
      await unlink(tmp).catch(() => undefined);
      await copyFile(ev.path, tmp, fsc.COPYFILE_EXCL);
      const copied = await sha256File(tmp);
      if (copied !== sha) {
        await unlink(tmp).catch(() => undefined);
        throw new VerilensError('changed-while-reading', `${source}: the file changed while it was being copied into the case (SHA-256 ${copied}, expected ${sha})`);
      }
      await chmod(tmp, 0o444);
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
      await fsyncDir(join(this.dir, EVIDENCE_DIR));
    }
    await this.commit({
      type: 'evidence-added',
      data: { sha256: sha, bytes: ev.info.bytes, name: basename(ev.path), source: ev.path, stored, info: ev.info },
    });
    return findEvidence(this.current, sha);
  }

  /** Analyse evidence in the case; artifacts and full results go to artifacts/, a summary to the log. */
  async analyze(opts: AnalyzeOptions): Promise<CaseEvidence[]> {
    this.assertOpen();
    const targets = opts.evidence?.length ? opts.evidence.map((r) => findEvidence(this.current, r)) : [...this.current.evidence];
    const artifactsDir = join(this.dir, ARTIFACTS_DIR);
    const store = new DirectoryArtifactStore(artifactsDir);
    const out: CaseEvidence[] = [];
    for (const t of targets) {
      if (opts.signal?.aborted) break;
      const path = join(this.dir, t.stored);
      const ev = await openEvidence(path, opts.limits);
      if (ev.info.sha256 !== t.sha256) {
        throw new VerilensError('evidence-altered', `${t.stored} (${t.names[0]}) no longer matches its recorded SHA-256 (now ${ev.info.sha256}, recorded ${t.sha256}); run 'verilens case verify'`);
      }
      const { analyzers, integrity } = await analyzeEvidence(ev, {
        analyzers: opts.analyzers,
        artifacts: store,
        ...(opts.only ? { only: opts.only } : {}),
        ...(opts.params ? { params: opts.params } : {}),
        ...(opts.services ? { services: opts.services } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      // A run cancelled part-way is not an analysis of the file: keep the last complete one.
      if (opts.signal?.aborted) break;
      // Artifact paths relative to the case, so the case can move.
      for (const r of Object.values(analyzers)) {
        for (const a of r.artifacts) if (a.path) a.path = `${ARTIFACTS_DIR}/${basename(a.path)}`;
      }
      const unchanged = integrity?.unchanged ?? false;
      const doc = canonicalJson({ evidence: t.sha256, analyzers, integrity: integrity ?? null });
      const docSha = sha256Hex(doc);
      const rel = `${ARTIFACTS_DIR}/${docSha}.json`;
      await writeFileDurable(join(this.dir, rel), doc);
      await fsyncDir(artifactsDir);
      await this.commit(
        {
          type: 'analysis-run',
          data: {
            evidence: t.sha256,
            analyzers: Object.values(analyzers).map((r) => ({ id: r.provenance.analyzer, version: r.provenance.version, status: r.status, models: r.provenance.models })),
            results: { sha256: docSha, path: rel },
            unchanged,
            ...(opts.only ? { only: [...opts.only] } : {}),
          },
        },
        undefined,
        JSON.parse(doc).analyzers as Record<string, AnalyzerResult>,
      );
      out.push(findEvidence(this.current, t.sha256));
    }
    return out;
  }

  async annotate(a: Annotation): Promise<CustodyEntry> {
    this.assertOpen();
    if (a.kind !== 'note') {
      const ev = findEvidence(this.current, a.evidence);
      a = { ...a, evidence: ev.sha256 };
      const text = a.kind === 'verdict-override' ? a.reason : a.kind === 'bookmark' ? a.comment : 'ok';
      if (!text.trim()) throw new VerilensError('empty-annotation', a.kind === 'verdict-override' ? 'a verdict override needs a reason' : 'a bookmark needs a comment');
      if (a.kind === 'finding-mark') {
        const r = ev.analysis?.analyzers[a.analyzer];
        if (!r) throw new VerilensError('unknown-analyzer', `evidence ${ev.names[0]} has no result from analyzer '${a.analyzer}'`);
        const code = a.finding;
        if (!r.findings.some((f) => f.code === code)) {
          throw new VerilensError('unknown-finding', `analyzer '${a.analyzer}' reported no finding '${code}' on ${ev.names[0]} (it reported: ${r.findings.map((f) => f.code).join(', ') || 'none'})`);
        }
        // A new mark always addresses one finding: several findings may share a code (one per region).
        let index = a.index;
        if (index === undefined) {
          const same = r.findings.flatMap((f, i) => (f.code === code ? [i] : []));
          if (same.length > 1) throw new VerilensError('ambiguous-finding', listSharedFindings(a.analyzer, code, r.findings, `give the index (${same.join(', ')}) of the one to mark`));
          index = same[0] ?? 0;
        }
        const f = Number.isSafeInteger(index) ? r.findings[index] : undefined;
        if (f?.code !== code) {
          throw new VerilensError('unknown-finding', `analyzer '${a.analyzer}' has no finding '${code}' at index ${index} on ${ev.names[0]}; ${listSharedFindings(a.analyzer, code, r.findings)}`);
        }
        a = { ...a, index, findingSha256: findingSha256(f) };
      }
      if (a.kind === 'bookmark' && a.region) checkRegion(a.region, ev);
      if (a.kind === 'verdict-override' && a.analyzer && !ev.analysis?.analyzers[a.analyzer]) {
        throw new VerilensError('unknown-analyzer', `evidence ${ev.names[0]} has no result from analyzer '${a.analyzer}'`);
      }
    } else if (!a.text.trim()) {
      throw new VerilensError('empty-annotation', 'a note needs text');
    }
    return this.commit({ type: 'annotation', data: { annotation: a } });
  }

  async recordReport(data: ReportExportedData): Promise<CustodyEntry> {
    return this.commit({ type: 'report-exported', data });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}

/** Run `fn` with the case open for writing; the lock is always released. */
export async function withCase<T>(dir: string, opts: CaseOptions & { purpose?: string }, fn: (c: CaseSession) => Promise<T>): Promise<T> {
  const c = await CaseSession.open(dir, opts);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface EvidenceCheck {
  sha256: string;
  name: string;
  stored: string;
  status: 'ok' | 'missing' | 'altered';
  actual?: string;
}

export interface CaseVerification {
  ok: boolean;
  dir: string;
  id: string;
  entries: number;
  head: string;
  problems: CaseProblem[];
  /** Worth knowing but not a break (an interrupted write, a stale snapshot). */
  notes: string[];
  evidence: EvidenceCheck[];
}

/** Re-hash every evidence file, walk the custody chain, and check case.json and stored results against it. */
export async function verifyCase(dirIn: string): Promise<CaseVerification> {
  const loaded = await loadCase(dirIn);
  const { dir, state } = loaded;
  const problems: CaseProblem[] = loaded.breaks.map((b) => {
    const p: CaseProblem = { where: `${CUSTODY_FILE} line ${b.line}`, message: b.message };
    if (b.expected !== undefined) p.expected = b.expected;
    if (b.actual !== undefined) p.actual = b.actual;
    return p;
  });
  problems.push(...loaded.problems);
  const notes: string[] = [];
  if (loaded.tornTail !== null) {
    notes.push(`${CUSTODY_FILE} ends with an incomplete write of ${Buffer.byteLength(loaded.tornTail)} bytes (a crash before it was committed); it is removed, and the removal logged, on the next change`);
  }

  const evidence: EvidenceCheck[] = [];
  for (const e of state.evidence) {
    const path = join(dir, e.stored);
    const name = e.names[0] ?? e.sha256;
    const actual = await hashStoredFile(path);
    if (actual === 'not-a-file') {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'altered' });
      problems.push({ where: e.stored, message: `evidence ${name} is not a regular file in the case (a symlink, pipe or device was put in its place); evidence copies are plain read-only files` });
    } else if (actual === null) {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'missing' });
      problems.push({ where: e.stored, message: `evidence ${name} is missing from the case` });
    } else if (actual !== e.sha256) {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'altered', actual });
      problems.push({ where: e.stored, message: `evidence ${name} was altered: its SHA-256 is now ${actual}, custody.log recorded ${e.sha256}`, expected: e.sha256, actual });
    } else {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'ok' });
      const mode = (await stat(path)).mode & 0o222;
      if (mode !== 0) notes.push(`${e.stored} is writable (mode ${((await stat(path)).mode & 0o777).toString(8)}); evidence copies are kept read-only (0444)`);
    }
  }
  const known = new Set(state.evidence.map((e) => basename(e.stored)));
  for (const f of (await readdir(join(dir, EVIDENCE_DIR)).catch(() => [] as string[])).sort()) {
    if (!known.has(f)) notes.push(`${EVIDENCE_DIR}/${f} is not recorded in custody.log (left by an interrupted add, or placed there by hand)`);
  }

  // case.json is a snapshot; it must agree with the log (it may lag by the entries of an interrupted write).
  const snapText = await readFile(join(dir, CASE_FILE), 'utf8').catch(() => null);
  if (snapText === null) {
    notes.push(`${CASE_FILE} is missing; it is rebuilt from custody.log on the next change`);
  } else {
    let snap: CaseState | null = null;
    try {
      snap = JSON.parse(snapText) as CaseState;
    } catch {
      problems.push({ where: CASE_FILE, message: `${CASE_FILE} is not valid JSON` });
    }
    if (snap) {
      const at = loaded.lines.findIndex((l) => l.sha256 === snap.custody?.head);
      if (at < 0) {
        problems.push({
          where: CASE_FILE,
          message: `${CASE_FILE} records custody head ${snap.custody?.head}, which is not the hash of any line of custody.log: the log's last line${loaded.lines.length ? ` (line ${loaded.lines.length})` : ''} or ${CASE_FILE} was altered`,
          expected: snap.custody?.head,
          actual: state.custody.head,
        });
      } else {
        const behind = loaded.lines.length - (at + 1);
        const ref = behind === 0 ? state : (await replay(loaded.lines, resultsLoader(dir), at + 1)).state;
        // A hand-edited case.json may hold what canonical JSON refuses (1e999 is Infinity): that is a difference too.
        const canon = (v: unknown): string | null => {
          try {
            return canonicalJson(v);
          } catch {
            return null;
          }
        };
        if (canon(ref) === null || canon(ref) !== canon(snap)) {
          const keys = Object.keys(ref).filter((k) => canon((ref as unknown as JsonObject)[k]) !== canon((snap as unknown as Record<string, unknown>)[k]));
          problems.push({ where: CASE_FILE, message: `${CASE_FILE} differs from what custody.log records (in: ${keys.join(', ') || 'layout'}): one of them was edited` });
        }
        if (behind > 0) notes.push(`${CASE_FILE} is ${behind} entr${behind === 1 ? 'y' : 'ies'} behind custody.log (a write was interrupted); it is refreshed on the next change`);
      }
    }
  }
  return { ok: problems.length === 0, dir, id: state.id, entries: loaded.lines.length, head: state.custody.head, problems, notes, evidence };
}
