import { VerilensError } from '../util/errors.js';

/**
 * The models manifest (`manifest.json`): what each model file is, its exact digest, where it came
 * from, how to feed it and how to read it. Parsed strictly: an unknown role or a malformed field
 * refuses the whole manifest, because a misread input spec silently changes every score.
 */

export type ModelRole = 'face-detector' | 'liveness' | 'face-swap' | 'classifier';
export const MODEL_ROLES: readonly ModelRole[] = ['face-detector', 'liveness', 'face-swap', 'classifier'];

export interface InputSpec {
  /** Name of the graph input. */
  name: string;
  layout: 'NCHW' | 'NHWC';
  /** Fixed input size; null for a dynamic detector input (any multiple of `stride`). */
  width: number | null;
  height: number | null;
  channels: 'RGB' | 'BGR';
  /** value = (pixel * scale - mean[c]) / std[c], pixel in 0..255. */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Dynamic inputs: width and height must be multiples of this. */
  stride?: number;
}

/** How the model's input is cut from the image. */
export type CropSpec =
  | { kind: 'image' }
  /** Face box scaled about its centre, clamped to the image by shifting (MiniFASNet's rule). */
  | { kind: 'box-scale'; scale: number }
  /** Square crop rotated so the eyes are level, side = margin x the face box's longer side. */
  | { kind: 'aligned-face'; margin: number };

export interface OutputSpec {
  /** Name of the graph output read. */
  name: string;
  /** Index in the output's last dimension. */
  index: number;
  /**
   * What the value at `index` means: `prob-authentic` (live / real), `prob-manipulated`
   * (spoof / fake). Verilens scores always point to manipulation: authentic p becomes 1 - p.
   */
  meaning: 'prob-authentic' | 'prob-manipulated';
  /** Applied to the raw output before reading it. */
  activation: 'none' | 'sigmoid' | 'softmax';
  /** Free text: the full output semantics (classes, ranges). */
  semantics: string;
}

export interface Upstream {
  repository: string;
  commit: string;
  path: string;
  /** SHA-256 of the upstream source weights (before any conversion). */
  sha256: string;
  conversion?: string;
}

export interface Performance {
  dataset: string;
  metric: string;
  value: number;
  n: number;
  note?: string;
}

export interface ExternalDataFile {
  file: string;
  sha256: string;
  bytes: number;
}

export interface ModelEntry {
  id: string;
  version: string;
  role: ModelRole;
  /** Human title, e.g. "YuNet face detector (n, dynamic input)". */
  title: string;
  file: string;
  sha256: string;
  bytes: number;
  licence: string;
  licenceFiles: string[];
  upstream: Upstream;
  input: InputSpec;
  crop: CropSpec;
  /** Absent for detectors (their outputs are decoded by the detector code). */
  output?: OutputSpec;
  /** Named decision thresholds, e.g. { score: 0.5 }. */
  thresholds: Record<string, number>;
  performance: Performance[];
  /** Files the ONNX graph loads as external data; each must be listed, inside the folder, with its digest. */
  externalData: ExternalDataFile[];
  /** Known weaknesses in plain words (shown in scoreInfo.limits). */
  limits: string;
  strength: 'weak' | 'moderate' | 'strong';
}

export interface Manifest {
  format: 'verilens-models';
  version: 1;
  models: ModelEntry[];
}

type Obj = Record<string, unknown>;

function bad(source: string, msg: string): never {
  throw new VerilensError('model-integrity', `${source}: ${msg}`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, k: string, where: string, source: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) bad(source, `${where}.${k} must be a non-empty string`);
  return v;
}

function num(o: Obj, k: string, where: string, source: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(source, `${where}.${k} must be a number`);
  return v;
}

function oneOf<T extends string>(o: Obj, k: string, allowed: readonly T[], where: string, source: string): T {
  const v = o[k];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) bad(source, `${where}.${k} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function triple(o: Obj, k: string, where: string, source: string): [number, number, number] {
  const v = o[k];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) bad(source, `${where}.${k} must be three numbers`);
  return [v[0] as number, v[1] as number, v[2] as number];
}

const SHA = /^[0-9a-f]{64}$/;
const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function sha(o: Obj, k: string, where: string, source: string): string {
  const v = str(o, k, where, source);
  if (!SHA.test(v)) bad(source, `${where}.${k} must be 64 lowercase hex digits`);
  return v;
}

/** A manifest path: relative, forward slashes, no `..`, no absolute or drive paths. */
export function checkRelativePath(p: string, where: string, source: string): string {
  if (p.startsWith('/') || p.startsWith('\\') || /^[a-zA-Z]:/.test(p) || p.includes('\\') || p.split('/').some((s) => s === '..' || s === '' || s === '.')) {
    bad(source, `${where} '${p}' must be a plain relative path inside the models folder`);
  }
  return p;
}

function parseInput(v: unknown, where: string, source: string): InputSpec {
  if (!isObj(v)) bad(source, `${where} must be an object`);
  const dim = (k: string): number | null => {
    const x = v[k];
    if (x === null) return null;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > 4096) bad(source, `${where}.${k} must be an integer 1..4096 or null`);
    return x;
  };
  const spec: InputSpec = {
    name: str(v, 'name', where, source),
    layout: oneOf(v, 'layout', ['NCHW', 'NHWC'] as const, where, source),
    width: dim('width'),
    height: dim('height'),
    channels: oneOf(v, 'channels', ['RGB', 'BGR'] as const, where, source),
    scale: num(v, 'scale', where, source),
    mean: triple(v, 'mean', where, source),
    std: triple(v, 'std', where, source),
  };
  if (spec.std.some((s) => s === 0)) bad(source, `${where}.std must not contain 0`);
  if (v['stride'] !== undefined) spec.stride = num(v, 'stride', where, source);
  if ((spec.width === null) !== (spec.height === null)) bad(source, `${where}: width and height must both be fixed or both null`);
  return spec;
}

function parseCrop(v: unknown, where: string, source: string): CropSpec {
  if (!isObj(v)) bad(source, `${where} must be an object`);
  const kind = oneOf(v, 'kind', ['image', 'box-scale', 'aligned-face'] as const, where, source);
  switch (kind) {
    case 'image':
      return { kind };
    case 'box-scale': {
      const scale = num(v, 'scale', where, source);
      if (scale <= 0 || scale > 20) bad(source, `${where}.scale must be in (0, 20]`);
      return { kind, scale };
    }
    case 'aligned-face': {
      const margin = num(v, 'margin', where, source);
      if (margin <= 0 || margin > 20) bad(source, `${where}.margin must be in (0, 20]`);
      return { kind, margin };
    }
  }
}

function parseOutput(v: unknown, where: string, source: string): OutputSpec {
  if (!isObj(v)) bad(source, `${where} must be an object`);
  const index = num(v, 'index', where, source);
  if (!Number.isInteger(index) || index < 0) bad(source, `${where}.index must be a non-negative integer`);
  return {
    name: str(v, 'name', where, source),
    index,
    meaning: oneOf(v, 'meaning', ['prob-authentic', 'prob-manipulated'] as const, where, source),
    activation: oneOf(v, 'activation', ['none', 'sigmoid', 'softmax'] as const, where, source),
    semantics: str(v, 'semantics', where, source),
  };
}

function parseEntry(v: unknown, i: number, source: string): ModelEntry {
  const where = `models[${i}]`;
  if (!isObj(v)) bad(source, `${where} must be an object`);
  const id = str(v, 'id', where, source);
  if (!ID.test(id)) bad(source, `${where}.id '${id}' must be lowercase letters, digits, '.', '_' or '-'`);
  const role = oneOf(v, 'role', MODEL_ROLES, where, source);
  const bytes = num(v, 'bytes', where, source);
  if (!Number.isInteger(bytes) || bytes < 1) bad(source, `${where}.bytes must be a positive integer`);
  const up = v['upstream'];
  if (!isObj(up)) bad(source, `${where}.upstream must be an object`);
  const upstream: Upstream = {
    repository: str(up, 'repository', `${where}.upstream`, source),
    commit: str(up, 'commit', `${where}.upstream`, source),
    path: str(up, 'path', `${where}.upstream`, source),
    sha256: sha(up, 'sha256', `${where}.upstream`, source),
  };
  if (typeof up['conversion'] === 'string') upstream.conversion = up['conversion'];
  const lf = v['licenceFiles'];
  if (!Array.isArray(lf) || !lf.every((x) => typeof x === 'string')) bad(source, `${where}.licenceFiles must be a list of paths`);
  const th = v['thresholds'];
  if (!isObj(th) || !Object.values(th).every((x) => typeof x === 'number' && Number.isFinite(x))) bad(source, `${where}.thresholds must map names to numbers`);
  const perf = v['performance'];
  if (!Array.isArray(perf)) bad(source, `${where}.performance must be a list`);
  const ext = v['externalData'] ?? [];
  if (!Array.isArray(ext)) bad(source, `${where}.externalData must be a list`);
  const entry: ModelEntry = {
    id,
    version: str(v, 'version', where, source),
    role,
    title: str(v, 'title', where, source),
    file: checkRelativePath(str(v, 'file', where, source), `${where}.file`, source),
    sha256: sha(v, 'sha256', where, source),
    bytes,
    licence: str(v, 'licence', where, source),
    licenceFiles: (lf as string[]).map((p, j) => checkRelativePath(p, `${where}.licenceFiles[${j}]`, source)),
    upstream,
    input: parseInput(v['input'], `${where}.input`, source),
    crop: parseCrop(v['crop'], `${where}.crop`, source),
    thresholds: th as Record<string, number>,
    performance: perf.map((p, j) => {
      const w = `${where}.performance[${j}]`;
      if (!isObj(p)) bad(source, `${w} must be an object`);
      const r: Performance = { dataset: str(p, 'dataset', w, source), metric: str(p, 'metric', w, source), value: num(p, 'value', w, source), n: num(p, 'n', w, source) };
      if (typeof p['note'] === 'string') r.note = p['note'];
      return r;
    }),
    externalData: ext.map((e, j) => {
      const w = `${where}.externalData[${j}]`;
      if (!isObj(e)) bad(source, `${w} must be an object`);
      return { file: checkRelativePath(str(e, 'file', w, source), `${w}.file`, source), sha256: sha(e, 'sha256', w, source), bytes: num(e, 'bytes', w, source) };
    }),
    limits: str(v, 'limits', where, source),
    strength: oneOf(v, 'strength', ['weak', 'moderate', 'strong'] as const, where, source),
  };
  if (v['output'] !== undefined) entry.output = parseOutput(v['output'], `${where}.output`, source);
  if (role !== 'face-detector' && !entry.output) bad(source, `${where}: a ${role} model needs an output spec`);
  if (role !== 'face-detector' && (entry.input.width === null || entry.input.height === null)) bad(source, `${where}: a ${role} model needs a fixed input size`);
  return entry;
}

/** Parse and validate manifest bytes. `source` names the file in every message. */
export function parseManifest(bytes: Uint8Array, source: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    bad(source, `not valid JSON (${(err as Error).message})`);
  }
  if (!isObj(doc)) bad(source, 'must be a JSON object');
  if (doc['format'] !== 'verilens-models' || doc['version'] !== 1) bad(source, "not a Verilens models manifest (format 'verilens-models', version 1)");
  const models = doc['models'];
  if (!Array.isArray(models)) bad(source, 'models must be a list');
  const entries = models.map((m, i) => parseEntry(m, i, source));
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.id)) bad(source, `model id '${e.id}' is listed twice`);
    seen.add(e.id);
  }
  return { format: 'verilens-models', version: 1, models: entries };
}
