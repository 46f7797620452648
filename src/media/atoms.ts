import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { AtomSummary, EditEntry } from '../contract/analyzers/container.js';

/**
 * A bounded reader for the ISO-BMFF / QuickTime box tree (MP4, MOV, 3GP): only box headers and
 * a few small leaf boxes are read (ftyp, mvhd, tkhd, mdhd, hdlr, elst), never `mdat`, so memory
 * stays small whatever the file size. ffprobe applies edit lists but does not print them; this
 * does, because an editor's cut is exactly what an analyst wants to see.
 */

export type { AtomSummary, EditEntry, TrackAtoms } from '../contract/analyzers/container.js';

export const ATOM_LIMITS = Object.freeze({ maxBoxes: 20_000, maxDepth: 12, maxLeafBytes: 1 << 16, maxEdits: 64, maxTopLevel: 64 });

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'edts', 'minf']);

/** Seconds between 1904-01-01 (QuickTime epoch) and 1970-01-01. */
const QT_EPOCH_OFFSET = 2_082_844_800;

export function qtTimeToIso(v: number): string | null {
  if (!Number.isFinite(v) || v <= 0) return null;
  const ms = (v - QT_EPOCH_OFFSET) * 1000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const fourcc = (b: Buffer, off: number): string => {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = b[off + i] ?? 0;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return s;
};

function u64(b: Buffer, off: number): number {
  return Number(b.readBigUInt64BE(off));
}

function i64(b: Buffer, off: number): number {
  return Number(b.readBigInt64BE(off));
}

/** mvhd / mdhd / tkhd share a version-dependent layout for times and duration. Pure. */
export function parseTimes(b: Buffer, kind: 'mvhd' | 'mdhd' | 'tkhd'): { creation: number; modification: number; timescale: number | null; duration: number; trackId: number | null } | null {
  if (b.length < 4) return null;
  const v = b[0];
  const wide = v === 1;
  const need = wide ? 4 + 8 + 8 + 4 + 8 : 4 + 4 + 4 + 4 + 4;
  if (b.length < need + (kind === 'tkhd' ? 4 : 0)) return null;
  let o = 4;
  const creation = wide ? u64(b, o) : b.readUInt32BE(o);
  o += wide ? 8 : 4;
  const modification = wide ? u64(b, o) : b.readUInt32BE(o);
  o += wide ? 8 : 4;
  if (kind === 'tkhd') {
    const trackId = b.readUInt32BE(o);
    o += 8; // track id + reserved
    if (b.length < o + (wide ? 8 : 4)) return null;
    const duration = wide ? u64(b, o) : b.readUInt32BE(o);
    return { creation, modification, timescale: null, duration, trackId };
  }
  const timescale = b.readUInt32BE(o);
  o += 4;
  const duration = wide ? u64(b, o) : b.readUInt32BE(o);
  return { creation, modification, timescale, duration, trackId: null };
}

/** Edit list entries (elst payload). Pure. */
export function parseElst(b: Buffer, movieTimescale: number | null, mediaTimescale: number | null, maxEdits: number): { edits: EditEntry[]; truncated: boolean } {
  if (b.length < 8) return { edits: [], truncated: false };
  const wide = b[0] === 1;
  const count = b.readUInt32BE(4);
  const size = wide ? 20 : 12;
  const edits: EditEntry[] = [];
  let o = 8;
  for (let i = 0; i < count && i < maxEdits && o + size <= b.length; i++, o += size) {
    const seg = wide ? u64(b, o) : b.readUInt32BE(o);
    const mt = wide ? i64(b, o + 8) : b.readInt32BE(o + 4);
    const rateInt = b.readInt16BE(o + (wide ? 16 : 8));
    const rateFrac = b.readUInt16BE(o + (wide ? 18 : 10));
    edits.push({
      segmentSeconds: movieTimescale ? round6(seg / movieTimescale) : null,
      mediaTimeSeconds: mt === -1 ? -1 : mediaTimescale ? round6(mt / mediaTimescale) : null,
      mediaTime: mt,
      rate: rateInt + rateFrac / 65536,
    });
  }
  return { edits, truncated: count > edits.length };
}

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

function hdlrOf(b: Buffer): { type: string; name: string | null } | null {
  if (b.length < 12) return null;
  const type = fourcc(b, 8);
  let name: string | null = null;
  if (b.length > 24) {
    let s = b.subarray(24);
    // QuickTime stores a Pascal string (length byte first); MP4 a C string.
    if (s.length > 0 && (s[0] ?? 0) === s.length - 1) s = s.subarray(1);
    const z = s.indexOf(0);
    name = (z >= 0 ? s.subarray(0, z) : s).toString('utf8').replace(/[\u0000-\u001f]/g, '').trim() || null;
  }
  return { type, name };
}

interface RawTrack {
  tkhd?: Buffer;
  mdhd?: Buffer;
  hdlr?: Buffer;
  elst?: Buffer;
}

/** Walk the box tree of an open file, reading headers and small leaf boxes only. */
export async function readAtoms(fh: FileHandle, fileSize: number, limits = ATOM_LIMITS): Promise<AtomSummary> {
  const out: AtomSummary = { majorBrand: null, compatibleBrands: [], movieTimescale: null, movieDurationSeconds: null, creationTime: null, modificationTime: null, tracks: [], topLevel: [], boxesRead: 0, problem: null };
  const head = Buffer.alloc(16);
  const rawTracks: RawTrack[] = [];
  let mvhd: Buffer | undefined;
  let ftyp: Buffer | undefined;

  const readLeaf = async (off: number, len: number): Promise<Buffer> => {
    const b = Buffer.alloc(len);
    const { bytesRead } = await fh.read(b, 0, len, off);
    return b.subarray(0, bytesRead);
  };

  const walk = async (start: number, end: number, depth: number, path: string[], track: RawTrack | undefined): Promise<void> => {
    let off = start;
    while (off + 8 <= end) {
      if (out.boxesRead >= limits.maxBoxes) {
        out.problem ??= `stopped after ${limits.maxBoxes} boxes`;
        return;
      }
      const { bytesRead } = await fh.read(head, 0, 16, off);
      if (bytesRead < 8) {
        out.problem ??= `truncated box header at offset ${off}`;
        return;
      }
      let size = head.readUInt32BE(0);
      const type = fourcc(head, 4);
      let hdr = 8;
      if (size === 1) {
        if (bytesRead < 16) {
          out.problem ??= `truncated 64-bit box size at offset ${off}`;
          return;
        }
        size = u64(head, 8);
        hdr = 16;
      } else if (size === 0) {
        size = end - off; // extends to the end of its container
      }
      out.boxesRead++;
      if (size < hdr || off + size > end) {
        out.problem ??= `box '${type}' at offset ${off} declares ${size} bytes, beyond its container (ends at ${end})`;
        return;
      }
      if (depth === 0 && out.topLevel.length < limits.maxTopLevel) out.topLevel.push(type);
      const body = off + hdr;
      const bodyLen = size - hdr;
      const small = bodyLen <= limits.maxLeafBytes;
      if (type === 'ftyp' && depth === 0 && small) ftyp = await readLeaf(body, bodyLen);
      else if (type === 'mvhd' && path.at(-1) === 'moov' && small) mvhd = await readLeaf(body, bodyLen);
      else if (type === 'trak' && path.at(-1) === 'moov' && depth < limits.maxDepth) {
        const t: RawTrack = {};
        rawTracks.push(t);
        await walk(body, off + size, depth + 1, [...path, type], t);
      } else if (track && small && (type === 'tkhd' || type === 'mdhd' || type === 'hdlr' || type === 'elst')) {
        // The media handler (mdia/hdlr) wins over a data handler (minf/hdlr) in QuickTime files.
        if (type === 'hdlr' && path.at(-1) !== 'mdia') {
          /* data-reference handler: not the track's kind */
        } else track[type] = await readLeaf(body, bodyLen);
      } else if (CONTAINERS.has(type) && depth < limits.maxDepth && (type === 'moov' ? depth === 0 : true)) {
        await walk(body, off + size, depth + 1, [...path, type], track);
      }
      off += size;
    }
    if (off < end && end - off < 8 && depth === 0) out.problem ??= `${end - off} stray bytes at the end of the file`;
  };

  await walk(0, fileSize, 0, [], undefined);

  if (ftyp && ftyp.length >= 8) {
    out.majorBrand = fourcc(ftyp, 0);
    for (let o = 8; o + 4 <= ftyp.length && out.compatibleBrands.length < 32; o += 4) out.compatibleBrands.push(fourcc(ftyp, o));
  }
  const mv = mvhd ? parseTimes(mvhd, 'mvhd') : null;
  if (mv) {
    out.movieTimescale = mv.timescale || null;
    out.movieDurationSeconds = mv.timescale ? round6(mv.duration / mv.timescale) : null;
    out.creationTime = qtTimeToIso(mv.creation);
    out.modificationTime = qtTimeToIso(mv.modification);
  }
  for (const t of rawTracks) {
    const tk = t.tkhd ? parseTimes(t.tkhd, 'tkhd') : null;
    const md = t.mdhd ? parseTimes(t.mdhd, 'mdhd') : null;
    const hd = t.hdlr ? hdlrOf(t.hdlr) : null;
    const mediaTs = md?.timescale || null;
    const el = t.elst ? parseElst(t.elst, out.movieTimescale, mediaTs, limits.maxEdits) : { edits: [], truncated: false };
    out.tracks.push({
      trackId: tk?.trackId ?? null,
      handlerType: hd?.type ?? null,
      handlerName: hd?.name ?? null,
      mediaTimescale: mediaTs,
      mediaDurationSeconds: md && mediaTs ? round6(md.duration / mediaTs) : null,
      trackDurationSeconds: tk && out.movieTimescale ? round6(tk.duration / out.movieTimescale) : null,
      creationTime: md ? qtTimeToIso(md.creation) : null,
      edits: el.edits,
      editsTruncated: el.truncated,
    });
  }
  return out;
}

/** Open read-only and walk the boxes of an MP4/MOV file. */
export async function readAtomsFromFile(path: string, limits = ATOM_LIMITS): Promise<AtomSummary> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    return await readAtoms(fh, st.size, limits);
  } finally {
    await fh.close();
  }
}
