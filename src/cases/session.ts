import { constants as fsc } from 'node:fs';
import { chmod, copyFile, mkdir, open, readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { resultById, type AnalyzerResults } from '../contract/analyzers/index.js';
import type { Region } from '../contract/results.js';
import { DirectoryArtifactStore } from '../engine/artifacts.js';
import { analyzeEvidence, type RunOptions } from '../engine/runner.js';
import { openEvidence } from '../evidence/intake.js';
import type { Limits } from '../evidence/limits.js';
import { canonicalJson } from '../util/canonical-json.js';
import { appendDurable, fsyncDir, writeFileDurable } from '../util/durable.js';
import { VerilensError } from '../util/errors.js';
import { sha256File, sha256Hex } from '../util/hash.js';
import { encodeEntry, GENESIS, type Actor, type CustodyEntry, type CustodyEvent, type ParsedLine, type ReportExportedData } from './custody.js';
import { findingSha256, listSharedFindings } from './finding-marks.js';
import { ARTIFACTS_DIR, CASE_FILE, CUSTODY_FILE, EVIDENCE_DIR, newCaseId, resultsName, storedEvidenceName } from './layout.js';
import { acquireCaseLock } from './lock.js';
import { applyEntry, emptyState, findEvidence, hashStoredFile, loadCase, readLog } from './replay.js';
import type { Annotation, CaseEvidence, CaseState } from './types.js';

/** Writing a case: one session holds the lock; every change is committed by one fsynced custody line. */

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

/**
 * A case analysis: the engine's own run options (the same type `analyzeFile` takes, passed through
 * unchanged) without the artifact store, which is the case's, plus the evidence to analyse.
 */
export type CaseAnalyzeOptions = Omit<RunOptions, 'artifacts'> & {
  /** Evidence to analyse (SHA-256, prefix or name); all evidence when absent. */
  evidence?: readonly string[];
};

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
    const id = init.id ?? newCaseId(new Date(now));
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
  private async commit(event: CustodyEvent, time?: string, results?: AnalyzerResults): Promise<CustodyEntry> {
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
    const stored = storedEvidenceName(sha, ev.info.format);
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
  async analyze(opts: CaseAnalyzeOptions): Promise<CaseEvidence[]> {
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
      const { evidence: _picked, ...run } = opts;
      const { analyzers, integrity } = await analyzeEvidence(ev, { ...run, artifacts: store });
      // A run cancelled part-way is not an analysis of the file: keep the last complete one.
      if (opts.signal?.aborted) break;
      // Artifact paths relative to the case, so the case can move.
      for (const r of Object.values(analyzers)) {
        for (const a of r.artifacts) if (a.path) a.path = `${ARTIFACTS_DIR}/${basename(a.path)}`;
      }
      const unchanged = integrity?.unchanged ?? false;
      const doc = canonicalJson({ evidence: t.sha256, analyzers, integrity: integrity ?? null });
      const docSha = sha256Hex(doc);
      const rel = resultsName(docSha);
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
        (JSON.parse(doc) as { analyzers: AnalyzerResults }).analyzers,
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
        const r = ev.analysis ? resultById(ev.analysis.analyzers, a.analyzer) : undefined;
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
      if (a.kind === 'verdict-override' && a.analyzer && !(ev.analysis && resultById(ev.analysis.analyzers, a.analyzer))) {
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
