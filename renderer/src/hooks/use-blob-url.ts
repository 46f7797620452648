import { useEffect, useState } from 'react';
import type { Blob64 } from '../../../src/contract/api.js';
import { api } from '../bridge.js';

export interface Picture {
  url: string;
  width?: number;
  height?: number;
  note?: string;
}

// Blob URLs are cached per content key (evidence or artifact hash): the bytes never change.
const cache = new Map<string, Promise<Picture>>();
const MAX_CACHE = 300;

function toPicture(b: Blob64): Picture {
  const bin = atob(b.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: b.mime }));
  const p: Picture = { url };
  if (b.width) p.width = b.width;
  if (b.height) p.height = b.height;
  if (b.note) p.note = b.note;
  return p;
}

function load(key: string, fetcher: () => Promise<Blob64>): Promise<Picture> {
  let p = cache.get(key);
  if (!p) {
    p = fetcher().then(toPicture);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
    if (cache.size > MAX_CACHE) {
      const first = cache.keys().next().value;
      if (first !== undefined) {
        void cache
          .get(first)
          ?.then((x) => URL.revokeObjectURL(x.url))
          .catch(() => undefined);
        cache.delete(first);
      }
    }
  }
  return p;
}

export type PictureKind = 'evidence' | 'thumb' | 'artifact';

/** A blob: URL for an evidence image, a thumbnail or an artifact, fetched through the API. */
export function usePicture(
  caseId: string | undefined,
  kind: PictureKind,
  sha256: string | undefined,
): { picture?: Picture; error?: string } {
  const [state, setState] = useState<{ key: string; picture?: Picture; error?: string }>({ key: '' });
  const key = caseId && sha256 ? `${kind}:${caseId}:${sha256}` : '';
  useEffect(() => {
    if (!key || !caseId || !sha256) return;
    let live = true;
    const fetcher = (): Promise<Blob64> =>
      kind === 'evidence'
        ? api('getEvidenceImage', caseId, sha256)
        : kind === 'thumb'
          ? api('getThumbnail', caseId, sha256)
          : api('getArtifact', caseId, sha256);
    load(key, fetcher).then(
      (picture) => live && setState({ key, picture }),
      (err: unknown) => live && setState({ key, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [key, caseId, kind, sha256]);
  if (state.key !== key) return {};
  const out: { picture?: Picture; error?: string } = {};
  if (state.picture) out.picture = state.picture;
  if (state.error) out.error = state.error;
  return out;
}
