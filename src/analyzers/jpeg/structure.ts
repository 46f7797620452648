/** Pure interpretation of a parsed JPEG: subsampling, quality, trailing data, embedded images. */
import type { JpegQuantTable, JpegSubsampling, JpegTrailing, JpegTrailingKind } from '../../contract/analyzers/jpeg.js';
import type { ParsedJpeg, QuantTableDef, Sof } from './parse.js';
import { estimateIjgQuality } from './quant.js';

export type Subsampling = JpegSubsampling;

export function subsamplingOf(sof: Sof | null): { subsampling: Subsampling | null; factors: string | null } {
  if (sof === null || sof.components.length === 0) return { subsampling: null, factors: null };
  const factors = sof.components.map((c) => `${c.h}x${c.v}`).join(',');
  if (sof.components.length === 1) return { subsampling: 'grey', factors };
  const [y, cb, cr] = sof.components;
  if (sof.components.length !== 3 || !y || !cb || !cr || cb.h !== cr.h || cb.v !== cr.v || cb.h === 0 || cb.v === 0)
    return { subsampling: 'other', factors };
  const rh = y.h / cb.h;
  const rv = y.v / cb.v;
  const key = `${rh}x${rv}`;
  const map: Record<string, Subsampling> = { '1x1': '4:4:4', '2x1': '4:2:2', '2x2': '4:2:0', '4x1': '4:1:1', '1x2': '4:4:0' };
  return { subsampling: map[key] ?? 'other', factors };
}

export type TableReport = JpegQuantTable;

export type QualityReport = {
  tables: TableReport[];
  /** Luminance quality estimate (IJG scale), null when there is no luminance table. */
  luma: number | null;
  lumaError: number | null;
  chroma: number | null;
  /** Every table in use is exactly the IJG table at one and the same quality. */
  standardTables: boolean;
  standardQuality: number | null;
};

export function qualityReport(j: ParsedJpeg): QualityReport {
  const comps = j.sof?.components ?? [];
  const lumaTq = comps[0]?.tq ?? 0;
  const chromaTqs = new Set(comps.slice(1).map((c) => c.tq));
  // Tables in force at the first scan are what the image used; fall back to all definitions.
  const inForce = j.quantAtFirstScan.filter((t): t is QuantTableDef => t !== null);
  const defs = inForce.length > 0 ? inForce : j.quantTables.slice(0, 4);
  const tables: TableReport[] = defs.map((t) => {
    const role: TableReport['role'] = t.id === lumaTq ? 'luminance' : chromaTqs.has(t.id) || comps.length === 0 ? 'chrominance' : 'unused';
    const est = estimateIjgQuality(t.values, role === 'luminance' ? 'luminance' : 'chrominance');
    const values: number[][] = [];
    for (let r = 0; r < 8; r++) values.push(t.values.slice(r * 8, r * 8 + 8));
    return {
      id: t.id,
      bits: t.bits,
      offset: t.offset,
      values,
      role,
      quality: est.quality,
      meanAbsError: est.meanAbsError,
      exactIjg: est.exact,
    };
  });
  const luma = tables.find((t) => t.role === 'luminance') ?? null;
  const chroma = tables.find((t) => t.role === 'chrominance') ?? null;
  const used = tables.filter((t) => t.role !== 'unused');
  const standard = used.length > 0 && used.every((t) => t.exactIjg && t.quality === used[0]!.quality);
  return {
    tables,
    luma: luma?.quality ?? null,
    lumaError: luma?.meanAbsError ?? null,
    chroma: chroma?.quality ?? null,
    standardTables: standard,
    standardQuality: standard ? used[0]!.quality : null,
  };
}

export type TrailingKind = JpegTrailingKind;
export type TrailingReport = JpegTrailing;

function countSoi(b: Buffer, from: number, to: number, cap = 1000): number {
  let n = 0;
  let i = from;
  while (n < cap) {
    const at = b.indexOf(0xff, i);
    if (at < 0 || at + 2 >= to) break;
    if (b[at + 1] === 0xd8 && b[at + 2] === 0xff) n++;
    i = at + 1;
  }
  return n;
}

/** Metadata trailers that asset-management tools append after EOI (signatures as ExifTool documents them). */
export function metadataTrailer(tail: Buffer): string | null {
  const end = tail.subarray(Math.max(0, tail.length - 16)).toString('latin1');
  if (end.includes('AXS!') || tail.subarray(0, 4).toString('latin1') === 'AXS!') return 'AFCP';
  if (end.endsWith('cbipcbbl')) return 'Photo Mechanic';
  if (tail.length >= 4 && tail.readUInt32BE(tail.length - 4) === 0xa1b2c3d4) return 'FotoStation';
  return null;
}

export function trailingReport(b: Buffer, j: ParsedJpeg): TrailingReport {
  const offset = j.eoiEnd;
  if (offset === null || offset >= b.length) return { offset, bytes: 0, kind: 'none', jpegSignatures: 0 };
  const bytes = b.length - offset;
  const tail = b.subarray(offset);
  const sigs = countSoi(b, offset, b.length);
  let kind: TrailingKind = 'other';
  // NUL/0xFF fill and stray line ends or spaces carry no data.
  if (tail.every((x) => x === 0 || x === 0xff || x === 0x0a || x === 0x0d || x === 0x20 || x === 0x09)) kind = 'padding';
  else {
    const mpf = j.app.mpfImages ?? [];
    const start = tail.findIndex((x) => x !== 0); // some writers pad before the next image
    const s = offset + Math.max(0, start);
    if (b[s] === 0xff && b[s + 1] === 0xd8) kind = mpf.some((m) => m.offset >= offset && m.offset < b.length) ? 'mpf-images' : 'jpeg';
    else if (tail.subarray(Math.max(0, start), Math.max(0, start) + 4).toString('latin1') === 'PK\u0003\u0004') kind = 'zip';
    else if (tail.subarray(Math.max(0, start), Math.max(0, start) + 5).toString('latin1') === '%PDF-') kind = 'pdf';
    else if (tail.subarray(Math.max(0, start) + 4, Math.max(0, start) + 8).toString('latin1') === 'ftyp') kind = 'mp4';
    else if (tail.subarray(Math.max(0, tail.length - 4)).toString('latin1') === 'SEFT') kind = 'samsung-trailer';
    else if (metadataTrailer(tail) !== null) kind = 'metadata-trailer';
  }
  return { offset, bytes, kind, jpegSignatures: sigs };
}

/** JPEG signatures inside APPn payloads (EXIF thumbnails, Photoshop previews, FlashPix ...), by identifier. */
export function embeddedInApp(b: Buffer, j: ParsedJpeg): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of j.segments) {
    if (s.code < 0xe0 || s.code > 0xef || s.length <= 2) continue;
    const end = Math.min(b.length, s.offset + 2 + s.length);
    const n = countSoi(b, s.offset + 4, end);
    if (n > 0) {
      const key = s.id ?? s.marker;
      out[key] = (out[key] ?? 0) + n;
    }
  }
  return out;
}
