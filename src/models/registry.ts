import { join, resolve } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ModelUse } from '../contract/results.js';
import { VerilensError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { dataHome } from '../util/paths.js';
import { resourcesRoot } from '../util/package-root.js';
import type { ModelEntry, ModelRole } from './manifest.js';
import { checkManifest, verifyFolder, verifyModelFile, type FolderReport, type ManifestCheck, type VerifiedFile } from './verify.js';

export interface ModelRegistryOptions {
  /** An extra models folder (organisation models, or a copy of the shipped set); it takes precedence by id. */
  modelsDir?: string;
  /** The shipped folder; default `<resourcesRoot>/models`. */
  shippedDir?: string;
  /** Data folder with the trust store; default dataHome(). */
  home?: string;
  /** Override the compiled-in pin (tests only). */
  pin?: string;
  /** ONNX Runtime intra-op threads per session (default 1: the CPU target is one core). */
  threads?: number;
}

/** A session created from verified bytes, with the exact model identity to record in results. */
export interface VerifiedModel {
  entry: ModelEntry;
  use: ModelUse;
  session: InferenceSession;
  /** Folder the model came from. */
  dir: string;
}

export function shippedModelsDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(resourcesRoot(env), 'models');
}

type Ort = typeof OrtModule;
let ortPromise: Promise<Ort> | undefined;
/** Loaded on first use so commands that never run a model do not pay for the native module. */
export function loadOrt(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node');
  return ortPromise;
}

/** Process-wide session cache keyed by the verified bytes' digest: the same bytes share one session. */
const sessionCache = new Map<string, Promise<InferenceSession>>();

/**
 * A session from verified bytes only: the model and its external data are handed to ONNX Runtime in
 * memory, so nothing swapped on disk after the check can reach the session.
 */
export async function createVerifiedSession(file: VerifiedFile, threads: number): Promise<InferenceSession> {
  const key = [sha256Hex(file.bytes), threads, ...file.externalData.map((x) => `${x.path}=${sha256Hex(x.data)}`)].join(':');
  let p = sessionCache.get(key);
  if (!p) {
    const opts: InferenceSession.SessionOptions = sessionOptions(threads);
    if (file.externalData.length) opts.externalData = file.externalData.map((x) => ({ path: x.path, data: x.data }));
    p = loadOrt().then((ort) => ort.InferenceSession.create(file.bytes, opts));
    sessionCache.set(key, p);
    p.catch(() => sessionCache.delete(key));
  }
  return p;
}

function sessionOptions(threads: number): InferenceSession.SessionOptions {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 };
}

/**
 * Verified model sessions. Every session is created only after the folder's manifest is trusted
 * (pinned digest or trusted signature) and the model file's digest matches the manifest; a
 * refused folder makes every model request fail with `model-integrity`, never a silent fallback.
 */
export class ModelRegistry {
  readonly dirs: readonly string[];
  readonly shippedDir: string;
  private readonly home: string;
  private readonly pin: string | undefined;
  private readonly threads: number;
  private checks: Promise<ManifestCheck[]> | undefined;
  private readonly verified = new Map<string, Promise<VerifiedModel>>();

  constructor(opts: ModelRegistryOptions = {}) {
    this.shippedDir = resolve(opts.shippedDir ?? shippedModelsDir());
    const extra = opts.modelsDir ? resolve(opts.modelsDir) : undefined;
    this.dirs = extra && extra !== this.shippedDir ? [extra, this.shippedDir] : [this.shippedDir];
    this.home = opts.home ?? dataHome();
    this.pin = opts.pin;
    this.threads = Math.max(1, Math.floor(opts.threads ?? 1));
  }

  private manifestOpts(dir: string) {
    return { home: this.home, shipped: dir === this.shippedDir, ...(this.pin ? { pin: this.pin } : {}) };
  }

  /** Manifest checks per folder (memoised; never throws). */
  manifests(): Promise<ManifestCheck[]> {
    this.checks ??= Promise.all(this.dirs.map((d) => checkManifest(d, this.manifestOpts(d))));
    return this.checks;
  }

  /** Every usable model entry, first folder winning by id; throws model-integrity when any folder is refused. */
  async entries(role?: ModelRole): Promise<{ entry: ModelEntry; check: ManifestCheck }[]> {
    const checks = await this.manifests();
    const problems = checks.filter((c) => !c.ok);
    if (problems.length) throw new VerilensError('model-integrity', problems.map((p) => p.problem).join('; '));
    const seen = new Set<string>();
    const out: { entry: ModelEntry; check: ManifestCheck }[] = [];
    for (const c of checks) {
      for (const entry of c.manifest?.models ?? []) {
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
        if (!role || entry.role === role) out.push({ entry, check: c });
      }
    }
    return out;
  }

  /** A verified session for model `id`; throws VerilensError('model-integrity') naming the file and digests. */
  session(id: string): Promise<VerifiedModel> {
    let p = this.verified.get(id);
    if (!p) {
      p = this.load(id);
      this.verified.set(id, p);
      // A refusal is not cached: the analyst may fix the folder and retry in the same app session.
      p.catch(() => this.verified.delete(id));
    }
    return p;
  }

  private async load(id: string): Promise<VerifiedModel> {
    const all = await this.entries();
    const found = all.find((x) => x.entry.id === id);
    if (!found) {
      throw new VerilensError('model-integrity', `model '${id}' is not listed in ${this.dirs.map((d) => join(d, 'manifest.json')).join(' or ')} (expected SHA-256: unknown, actual: none); the models folder is incomplete`);
    }
    const { entry, check } = found;
    const file = await verifyModelFile(check, entry);
    // Created from the bytes just verified, external data included (no time-of-check/time-of-use gap).
    const session = await createVerifiedSession(file, this.threads).catch((err: Error) => {
      throw new VerilensError('model-load', `${file.path}: ONNX Runtime could not load model '${id}' (${err.message})`);
    });
    const use: ModelUse = { id: entry.id, version: entry.version, sha256: entry.sha256, trust: check.trust ?? 'pinned' };
    return { entry, use, session, dir: check.dir };
  }

  /** Full verification of every folder (for `verilens models verify`). */
  async verify(): Promise<FolderReport[]> {
    const out: FolderReport[] = [];
    for (const d of this.dirs) out.push(await verifyFolder(d, this.manifestOpts(d)));
    return out;
  }
}

/** Run a verified model on one input tensor; returns outputs by name. */
export async function runModel(vm: VerifiedModel, data: Float32Array, dims: readonly number[]): Promise<Record<string, Tensor>> {
  const ort = await loadOrt();
  const feeds: Record<string, Tensor> = { [vm.entry.input.name]: new ort.Tensor('float32', data, dims) };
  return vm.session.run(feeds);
}
