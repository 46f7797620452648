import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, sep } from 'node:path';
import sharp from 'sharp';
import { ANALYZERS } from './analyzers/index.js';
import {
  ARTIFACTS_DIR,
  CASE_REF_RE,
  CaseSession,
  caseFolder,
  CUSTODY_FILE,
  defaultCasesDir,
  entryOf,
  IMAGE_ARTIFACT_MIME,
  listRecentCases,
  loadCase,
  newCaseId,
  viewOf,
  withCase,
  type Annotation,
  type CaseEvidence,
  type CaseState,
  type LoadedCase,
} from './cases/index.js';
import {
  validateCall,
  type AddEvidenceOutcome,
  type ApiArgs,
  type ApiEvent,
  type ApiMethod,
  type ApiResult,
  type ApiValue,
  type AppInfo,
  type CaseView,
  type EvidenceEntry,
  type ModelStatus,
  type ReportExport,
  type ReportVerification as ReportVerificationView,
  type SignerInfo,
} from './contract/api.js';
import { analyzersUsingRole, contractOf } from './contract/analyzers/index.js';
import type { ErrorInfo } from './contract/results.js';
import { planAnalyzers } from './engine/runner.js';
import { createEngineServices, type EngineServices } from './engine/services.js';
import { loadOrCreateAnalystKey, readAnalystPublicKey } from './keys/index.js';
import { b64, displayImage, readVerified, thumbnail, videoFrame } from './media/display.js';
import { cardSection, modelCard } from './models/cards.js';
import { exportReport, verifyReport } from './reports/index.js';
import { toErrorInfo, VerilensError } from './util/errors.js';
import { dataHome } from './util/paths.js';
import { VERSION } from './version.js';

/**
 * The API handler table over the real engine. One table serves Electron's engine host (behind
 * main's IPC validation) and the browser test bridge (Playwright's exposeBinding): the transport
 * changes, the handlers do not. Everything that needs a window (dialogs) or a channel to the UI
 * (events) comes from the host.
 */
export interface ApiHost {
  /** Main's open-file dialog for evidence: absolute paths, [] when cancelled. */
  pickEvidenceFiles(): Promise<string[]>;
  /** Main's save dialog for a report: absolute path, null when cancelled. */
  pickReportDestination(defaultName: string): Promise<string | null>;
  /** Main's open dialog for a report to verify: absolute path, null when cancelled. */
  pickReportFile(): Promise<string | null>;
  /** Push an event to the UI (progress, case changes). */
  emit(e: ApiEvent): void;
}

export interface ApiOptions {
  /** Verilens data folder (cases, keys, trust store); defaults to dataHome(). */
  home?: string;
  /** Folder holding one sub-folder per case; defaults to `<home>/cases`. */
  casesDir?: string;
  /** Shared engine services (verified models); created with createEngineServices() when absent. */
  services?: EngineServices;
  /** Per-analyzer timeout in ms. */
  timeoutMs?: number;
}

export type ApiHandlers = { [M in ApiMethod]: (...a: ApiArgs<M>) => Promise<ApiValue<M>> };

export interface Api {
  handlers: ApiHandlers;
  /** Validate and run one call; never throws. This is what IPC and the test bridge call. */
  call<M extends ApiMethod>(method: M, args: unknown): Promise<ApiResult<ApiValue<M>>>;
  call(method: unknown, args: unknown): Promise<ApiResult<unknown>>;
  /** Abort running jobs (window closed, app quitting). */
  dispose(): void;
}

export function createApi(host: ApiHost, opts: ApiOptions = {}): Api {
  const home = opts.home ?? dataHome();
  const casesDir = opts.casesDir ?? (opts.home ? join(opts.home, 'cases') : defaultCasesDir());
  const jobs = new Map<string, AbortController>();
  let services: EngineServices | undefined = opts.services;
  const engineServices = (): EngineServices => (services ??= createEngineServices({ home }));

  const caseDir = (id: string): string => caseFolder(casesDir, id);
  const load = async (id: string): Promise<LoadedCase> => {
    try {
      return await loadCase(caseDir(id));
    } catch (err) {
      const info = toErrorInfo(err);
      if (info.code === 'not-a-case') throw new VerilensError('unknown-case', `no case '${id}' in ${casesDir}`);
      throw err;
    }
  };
  const evidenceIn = (c: { state: CaseState }, sha: string): CaseEvidence => {
    const e = c.state.evidence.find((x) => x.sha256 === sha);
    if (!e) throw new VerilensError('unknown-evidence', `no evidence ${sha.slice(0, 12)}… in case ${c.state.id}`);
    return e;
  };
  // Custody entries name the person at this machine: the owner of the signing key when there is one,
  // else the analyst named when the case was created in the app.
  const session = async <T>(id: string, fn: (s: CaseSession) => Promise<T>): Promise<T> => {
    const owner = (await readAnalystPublicKey(home).catch(() => null))?.analyst;
    const analyst = owner ?? (await load(id)).state.analyst;
    return withCase(caseDir(id), { purpose: 'the Verilens app', ...(analyst ? { analyst } : {}) }, fn);
  };

  const addPaths = async (caseId: string, paths: readonly string[]): Promise<AddEvidenceOutcome> => {
    const out: AddEvidenceOutcome = { added: [], duplicates: [], refused: [] };
    if (paths.length === 0) return out;
    await session(caseId, async (s) => {
      for (const p of paths) {
        const before = new Set(s.state.evidence.map((e) => e.sha256));
        try {
          const e = await s.addEvidence(p);
          if (before.has(e.sha256)) out.duplicates.push(basename(p));
          else out.added.push(entryOf(s.state, e));
        } catch (err) {
          // The UI gets file names, never the paths it could hand back.
          const e = toErrorInfo(err, 'intake-failed');
          out.refused.push({ name: basename(p), error: { code: e.code, message: e.message.split(p).join(basename(p)) } });
        }
      }
    });
    if (out.added.length) host.emit({ type: 'case-changed', caseId });
    return out;
  };

  const annotateWith = async (caseId: string, sha: string, a: Annotation): Promise<EvidenceEntry> =>
    session(caseId, async (s) => {
      await s.annotate(a);
      return entryOf(s.state, evidenceIn(s, sha));
    });

  const appInfo = (): AppInfo => ({
    version: VERSION,
    analyzers: ANALYZERS.map((a) => ({ id: a.id, title: contractOf(a.id).title, version: a.version, requires: [...(a.requires ?? [])] })),
    features: { cases: true, reports: true, models: true },
  });

  const handlers: ApiHandlers = {
    async getAppInfo() {
      return appInfo();
    },
    async listRecentCases() {
      return listRecentCases(casesDir);
    },
    async createCase(input) {
      const id = newCaseId(new Date());
      const s = await CaseSession.create(caseDir(id), {
        id,
        title: input.title,
        analyst: input.analyst,
        ...(input.notes ? { notes: input.notes } : {}),
      });
      try {
        return viewOf(s.state);
      } finally {
        await s.close();
      }
    },
    async openCase(caseId) {
      return viewOf((await load(caseId)).state);
    },
    async addEvidenceFromDialog(caseId) {
      await load(caseId);
      return addPaths(caseId, await host.pickEvidenceFiles());
    },
    async addEvidenceDropped(caseId, paths) {
      return addPaths(caseId, paths);
    },
    async analyze(caseId, evidence, jobId, options): Promise<CaseView> {
      if (jobs.has(jobId)) throw new VerilensError('job-exists', `a job with id '${jobId}' is already running`);
      const plan = planAnalyzers(ANALYZERS, options.only);
      const c = await load(caseId);
      const targets = evidence.length ? evidence.map((sha) => evidenceIn(c, sha)) : c.state.evidence;
      const ac = new AbortController();
      jobs.set(jobId, ac);
      const n = Math.max(1, targets.length);
      const emit = (i: number, within: number, label: string, extra: { evidence?: string; analyzer?: string } = {}): void =>
        host.emit({ type: 'progress', jobId, fraction: Math.min(1, (i + within) / n), label, ...extra });
      try {
        await session(caseId, async (s) => {
          for (const [i, t] of targets.entries()) {
            if (ac.signal.aborted) break;
            const name = t.names[0] ?? t.sha256.slice(0, 12);
            emit(i, 0, `${name}: starting`, { evidence: t.sha256 });
            await s.analyze({
              analyzers: ANALYZERS,
              evidence: [t.sha256],
              services: engineServices(),
              signal: ac.signal,
              ...(options.only ? { only: options.only } : {}),
              ...(options.params ? { params: options.params } : {}),
              ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
              onProgress: (p) => {
                const k = Math.max(
                  0,
                  plan.findIndex((a) => a.id === p.analyzer),
                );
                emit(i, (k + p.fraction) / plan.length, `${name}: ${p.analyzer}${p.note ? ` — ${p.note}` : ''}`, {
                  evidence: t.sha256,
                  analyzer: p.analyzer,
                });
              },
            });
            emit(i, 1, `${name}: done`, { evidence: t.sha256 });
          }
          return null;
        });
      } finally {
        jobs.delete(jobId);
        host.emit({ type: 'job-finished', jobId, ok: !ac.signal.aborted, cancelled: ac.signal.aborted });
      }
      if (ac.signal.aborted)
        throw new VerilensError('cancelled', 'Analysis was cancelled; files finished before the cancel keep their new results.');
      return viewOf((await load(caseId)).state);
    },
    async cancelJob(jobId) {
      const ac = jobs.get(jobId);
      if (!ac) return false;
      ac.abort(new VerilensError('cancelled', 'cancelled by the analyst'));
      return true;
    },
    async getEvidenceImage(caseId, sha) {
      const c = await load(caseId);
      const e = evidenceIn(c, sha);
      if (e.info.kind !== 'image')
        throw new VerilensError('not-an-image', `${e.names[0]} is a ${e.info.kind}; it has no still image to show`);
      return displayImage(await readVerified(join(c.dir, e.stored), sha), e.info.type);
    },
    async getThumbnail(caseId, sha) {
      const c = await load(caseId);
      const e = evidenceIn(c, sha);
      if (e.info.kind === 'video') return thumbnail(await videoFrame(join(c.dir, e.stored), 0, e.names[0] ?? sha));
      return thumbnail(await readVerified(join(c.dir, e.stored), sha));
    },
    async getArtifact(caseId, sha) {
      const dir = join(caseDir(caseId), ARTIFACTS_DIR);
      const names = await readdir(dir).catch(() => {
        throw new VerilensError('unknown-case', `no case '${caseId}' in ${casesDir}`);
      });
      const name = names.find((f) => f.startsWith(`${sha}.`) && IMAGE_ARTIFACT_MIME[f.slice(65)]);
      const mime = name ? IMAGE_ARTIFACT_MIME[name.slice(65)] : undefined;
      if (!name || !mime) throw new VerilensError('unknown-artifact', `no image artifact ${sha.slice(0, 12)}… in case ${caseId}`);
      return b64(mime, await readVerified(join(dir, name), sha));
    },
    async getVideoFrame(caseId, sha, timeSec) {
      const c = await load(caseId);
      const e = evidenceIn(c, sha);
      if (e.info.kind !== 'video') throw new VerilensError('not-a-video', `${e.names[0]} is not a video`);
      const frame = await videoFrame(join(c.dir, e.stored), timeSec, e.names[0] ?? sha);
      const meta = await sharp(frame).metadata();
      return b64('image/jpeg', frame, {
        ...(meta.width ? { width: meta.width } : {}),
        ...(meta.height ? { height: meta.height } : {}),
        note: `frame at ${timeSec.toFixed(2)} s, decoded for display`,
      });
    },
    async setVerdictOverride(caseId, sha, analyzer, verdict, reason) {
      return annotateWith(caseId, sha, { kind: 'verdict-override', evidence: sha, ...(analyzer ? { analyzer } : {}), verdict, reason });
    },
    async markFinding(caseId, sha, analyzer, code, index, mark, comment) {
      return annotateWith(caseId, sha, {
        kind: 'finding-mark',
        evidence: sha,
        analyzer,
        finding: code,
        ...(index === null ? {} : { index }),
        mark,
        ...(comment ? { comment } : {}),
      });
    },
    async addBookmark(caseId, sha, bm) {
      return annotateWith(caseId, sha, {
        kind: 'bookmark',
        evidence: sha,
        comment: bm.comment,
        ...(bm.region ? { region: bm.region } : {}),
      });
    },
    async listModels(): Promise<ModelStatus[]> {
      const registry = engineServices().models;
      if (!registry) return [];
      const out: ModelStatus[] = [];
      for (const folder of await registry.verify()) {
        const m = folder.manifest;
        // Folder-relative names in what the UI shows.
        const rel = (t: string): string => t.split(`${m.dir}${sep}`).join(`${basename(m.dir)}/`);
        const cards = await readFile(join(m.dir, 'MODEL_CARDS.md'), 'utf8').catch(() => '');
        if (!m.ok || !m.manifest) {
          out.push({
            id: basename(m.dir),
            version: '—',
            sha256: m.sha256,
            status: 'refused',
            reason: rel(`manifest ${m.path} refused: ${m.problem ?? 'unknown problem'}`),
          });
          continue;
        }
        for (const s of folder.models) {
          const entry = m.manifest.models.find((x) => x.id === s.id);
          out.push({
            id: s.id,
            version: s.version,
            sha256: s.sha256,
            status: s.ok ? 'verified' : 'refused',
            ...(s.problem ? { reason: rel(s.problem) } : {}),
            ...(m.trust ? { trust: m.trust } : {}),
            ...(entry
              ? { card: modelCard(entry, cardSection(cards, entry.id)), licence: entry.licence, used_by: analyzersUsingRole(entry.role) }
              : {}),
          });
        }
      }
      return out;
    },
    async getSigner(): Promise<SignerInfo | null> {
      const k = await readAnalystPublicKey(home).catch(() => null);
      return k ? { analyst: k.analyst, fingerprint: k.fingerprint, short: k.shortFingerprint } : null;
    },
    async exportReport(caseId, jobId, passphrase): Promise<ReportExport | null> {
      if (jobs.has(jobId)) throw new VerilensError('job-exists', `a job with id '${jobId}' is already running`);
      const c = await load(caseId);
      const chosen = await host.pickReportDestination(`${caseId}-report.pdf`);
      if (!chosen) return null;
      const dest = extname(chosen).toLowerCase() === '.pdf' ? chosen : `${chosen}.pdf`;
      const ac = new AbortController();
      jobs.set(jobId, ac);
      try {
        host.emit({ type: 'progress', jobId, fraction: 0.05, label: 'Unlocking your signing key' });
        // Created on first use, like the CLI; the passphrase never leaves this process.
        const key = await loadOrCreateAnalystKey(home, c.state.analyst, passphrase);
        if (ac.signal.aborted) throw new VerilensError('cancelled', 'Report export was cancelled; nothing was written.');
        host.emit({ type: 'progress', jobId, fraction: 0.3, label: 'Building, rendering and signing the report' });
        const out = await exportReport(c.dir, dest, key);
        host.emit({ type: 'progress', jobId, fraction: 1, label: 'Report written and recorded in the custody log' });
        host.emit({ type: 'case-changed', caseId });
        return {
          fileName: basename(out.paths.pdf),
          sha256: out.signature.signed.pdfSha256,
          signer: { analyst: key.analyst, fingerprint: key.fingerprint, short: key.shortFingerprint },
          files: [basename(out.paths.json), basename(out.paths.sig)],
        };
      } finally {
        jobs.delete(jobId);
        host.emit({ type: 'job-finished', jobId, ok: !ac.signal.aborted, cancelled: ac.signal.aborted });
      }
    },
    async verifyReportFromDialog(): Promise<ReportVerificationView | null> {
      const file = await host.pickReportFile();
      if (!file) return null;
      let v = await verifyReport(file, { home });
      // When the report's case is on this machine, also check its custody log covers the report.
      if (v.caseId && CASE_REF_RE.test(v.caseId)) {
        const dir = caseDir(v.caseId);
        if (
          await stat(join(dir, CUSTODY_FILE)).then(
            () => true,
            () => false,
          )
        )
          v = await verifyReport(file, { home, caseDir: dir });
      }
      const folder = dirname(v.paths.pdf);
      // Plain names in what goes back to the UI: no folder paths.
      const strip = (t: string): string => t.split(`${casesDir}${sep}`).join('').split(`${folder}${sep}`).join('').split(folder).join('.');
      return {
        valid: v.valid,
        fileName: basename(v.paths.pdf),
        ...(v.signer
          ? {
              signer: {
                analyst: v.signer.name,
                fingerprint: v.signer.fingerprint,
                short: v.signer.shortFingerprint,
                trusted: v.signer.trusted,
              },
            }
          : {}),
        checks: v.checks.map((ch) => ({ name: ch.name, ok: ch.ok, detail: strip(ch.detail) })),
        reasons: v.reasons.map(strip),
      };
    },
  };

  async function call(method: unknown, a: unknown): Promise<ApiResult<never>> {
    const bad: ErrorInfo | null = validateCall(method, a);
    if (bad) return { ok: false, error: bad };
    const fn = handlers[method as ApiMethod] as (...x: unknown[]) => Promise<unknown>;
    try {
      return { ok: true, value: (await fn(...(a as unknown[]))) as never };
    } catch (err) {
      // Errors from the file system name absolute paths; the UI gets them relative to the data folder.
      const e = toErrorInfo(err, 'internal');
      return { ok: false, error: { code: e.code, message: e.message.split(`${casesDir}${sep}`).join('').split(home).join('<data>') } };
    }
  }

  return {
    handlers,
    call,
    dispose() {
      for (const ac of jobs.values()) ac.abort(new VerilensError('cancelled', 'the window was closed'));
      jobs.clear();
    },
  };
}
