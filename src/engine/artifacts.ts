import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../contract/results.js';
import { writeFileAtomic } from '../util/durable.js';
import { sha256Hex } from '../util/hash.js';

export interface ArtifactInput<K extends string = string> {
  /** One of the analyzer's declared artifact kinds. */
  kind: K;
  mime: string;
  data: Uint8Array;
  width?: number;
  height?: number;
  note?: string;
}

/** Where analyzers put heatmaps, crops, charts. Content-addressed: the same bytes give the same ref. */
export interface ArtifactSink<K extends string = string> {
  put(a: ArtifactInput<K>): Promise<ArtifactRef<K>>;
}

/** A store any analyzer can write to (the CLI's --out folder, a case's artifacts/, memory). */
export interface ArtifactStore {
  put<K extends string>(a: ArtifactInput<K>): Promise<ArtifactRef<K>>;
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

function refOf<K extends string>(a: ArtifactInput<K>, sha256: string, path?: string): ArtifactRef<K> {
  const ref: ArtifactRef<K> = { kind: a.kind, sha256, mime: a.mime };
  if (path) ref.path = path;
  if (a.width !== undefined) ref.width = a.width;
  if (a.height !== undefined) ref.height = a.height;
  if (a.note) ref.note = a.note;
  return ref;
}

/** Names artifacts by their hash but keeps nothing (the CLI without --out). */
export class HashOnlyArtifactStore implements ArtifactStore {
  async put<K extends string>(a: ArtifactInput<K>): Promise<ArtifactRef<K>> {
    return refOf(a, sha256Hex(a.data));
  }
}

/** Keeps artifacts in memory (UI bridge, tests). */
export class MemoryArtifactStore implements ArtifactStore {
  private readonly items = new Map<string, { mime: string; data: Uint8Array }>();

  async put<K extends string>(a: ArtifactInput<K>): Promise<ArtifactRef<K>> {
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
export class DirectoryArtifactStore implements ArtifactStore {
  constructor(readonly dir: string) {}

  async put<K extends string>(a: ArtifactInput<K>): Promise<ArtifactRef<K>> {
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

