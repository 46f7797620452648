import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../contract/results.js';
import { sha256Hex } from '../util/hash.js';

export interface ArtifactInput {
  kind: string;
  mime: string;
  data: Uint8Array;
  width?: number;
  height?: number;
  note?: string;
}

/** Where analyzers put heatmaps, crops, charts. Content-addressed: the same bytes give the same ref. */
export interface ArtifactSink {
  put(a: ArtifactInput): Promise<ArtifactRef>;
}

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'application/json': 'json',
};

export function extensionFor(mime: string): string {
  return EXT[mime] ?? 'bin';
}

function refOf(a: ArtifactInput, sha256: string, path?: string): ArtifactRef {
  const ref: ArtifactRef = { kind: a.kind, sha256, mime: a.mime };
  if (path) ref.path = path;
  if (a.width !== undefined) ref.width = a.width;
  if (a.height !== undefined) ref.height = a.height;
  if (a.note) ref.note = a.note;
  return ref;
}

/** Names artifacts by their hash but keeps nothing (the CLI without --out). */
export class HashOnlyArtifactStore implements ArtifactSink {
  async put(a: ArtifactInput): Promise<ArtifactRef> {
    return refOf(a, sha256Hex(a.data));
  }
}

/** Keeps artifacts in memory (UI bridge, tests). */
export class MemoryArtifactStore implements ArtifactSink {
  private readonly items = new Map<string, { mime: string; data: Uint8Array }>();

  async put(a: ArtifactInput): Promise<ArtifactRef> {
    const sha = sha256Hex(a.data);
    if (!this.items.has(sha)) this.items.set(sha, { mime: a.mime, data: a.data });
    return refOf(a, sha);
  }

  get(sha256: string): { mime: string; data: Uint8Array } | undefined {
    return this.items.get(sha256);
  }

  get size(): number {
    return this.items.size;
  }
}

/** Writes `<dir>/<sha256>.<ext>` atomically (temp file, fsync, rename); existing files are reused. */
export class DirectoryArtifactStore implements ArtifactSink {
  constructor(readonly dir: string) {}

  async put(a: ArtifactInput): Promise<ArtifactRef> {
    const sha = sha256Hex(a.data);
    const path = join(this.dir, `${sha}.${extensionFor(a.mime)}`);
    await mkdir(this.dir, { recursive: true });
    const exists = await stat(path).then(
      (s) => s.size === a.data.length,
      () => false,
    );
    if (!exists) await writeFileAtomic(path, a.data);
    return refOf(a, sha, path);
  }
}

/** Atomic write: temp file in the same folder, fsync, rename over the target. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
