import type { EvidenceKind } from '../contract/results.js';

export interface Sniffed {
  supported: boolean;
  /** Short format id (`jpeg`, `mp4`, ...) or, when unsupported, the detected signature name. */
  format: string;
  mime: string;
  kind?: EvidenceKind;
  /** Human description of what was seen, e.g. "ISO BMFF brand 'crx '". */
  signature: string;
}

const ascii = (b: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));

const startsWith = (b: Uint8Array, sig: number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'mif2']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const MP4_BRANDS = new Set([
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso8', 'iso9', 'mp41', 'mp42', 'mp71', 'avc1', 'M4V ', 'M4VH', 'M4VP',
  'dash', 'msnv', 'ndas', 'f4v ', 'mmp4', '3gp4', '3gp5', '3gp6', '3g2a', 'XAVC', 'MSNV', 'NDSC', 'NDSH', 'NDSM', 'NDSP', 'NDSS', 'NDXC', 'NDXH', 'NDXM', 'NDXP', 'NDXS', 'cmfc', 'cmf2', 'av01', 'hvc1', 'hev1', 'CAEP',
]);

function sniffIsoBmff(b: Uint8Array): Sniffed | null {
  if (b.length < 12 || ascii(b, 4, 8) !== 'ftyp') {
    // Old QuickTime files have no ftyp and start with a top-level atom.
    const atom = ascii(b, 4, 8);
    if (b.length >= 8 && ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(atom)) {
      return { supported: true, format: 'mov', mime: 'video/quicktime', kind: 'video', signature: `QuickTime atom '${atom}'` };
    }
    return null;
  }
  const size = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
  const major = ascii(b, 8, 12);
  const compat: string[] = [];
  const end = Math.min(b.length, size >= 16 && size <= 4096 ? size : 64);
  for (let i = 16; i + 4 <= end; i += 4) compat.push(ascii(b, i, i + 4));
  const brands = [major, ...compat];
  const signature = `ISO BMFF brand '${major}'${compat.length ? ` (compatible: ${compat.join(', ')})` : ''}`;
  if (AVIF_BRANDS.has(major) || (major === 'mif1' && compat.some((c) => AVIF_BRANDS.has(c)))) {
    return { supported: true, format: 'avif', mime: 'image/avif', kind: 'image', signature };
  }
  if (HEIC_BRANDS.has(major)) return { supported: true, format: 'heic', mime: 'image/heic', kind: 'image', signature };
  if (major === 'qt  ') return { supported: true, format: 'mov', mime: 'video/quicktime', kind: 'video', signature };
  if (major === 'crx ') return { supported: false, format: 'cr3', mime: 'image/x-canon-cr3', signature };
  if (major.startsWith('jp2') || major === 'jpx ' || major === 'jpm ') {
    return { supported: false, format: 'jp2', mime: 'image/jp2', signature };
  }
  if (major.startsWith('M4A') || major === 'M4B ' || major === 'M4P ') {
    return { supported: false, format: 'm4a', mime: 'audio/mp4', signature };
  }
  if (MP4_BRANDS.has(major) || brands.some((x) => MP4_BRANDS.has(x))) {
    return { supported: true, format: 'mp4', mime: 'video/mp4', kind: 'video', signature };
  }
  if (brands.some((x) => HEIC_BRANDS.has(x))) {
    return { supported: true, format: 'heic', mime: 'image/heic', kind: 'image', signature };
  }
  return { supported: false, format: 'isobmff', mime: 'application/octet-stream', signature };
}

function sniffMatroska(b: Uint8Array): Sniffed | null {
  if (!startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return null;
  const head = ascii(b, 0, Math.min(b.length, 128));
  if (head.includes('webm')) return { supported: true, format: 'webm', mime: 'video/webm', kind: 'video', signature: "EBML DocType 'webm'" };
  return { supported: true, format: 'mkv', mime: 'video/x-matroska', kind: 'video', signature: 'EBML (Matroska)' };
}

/** Signatures we name (but do not analyse) so the user learns what the file really is. */
const NAMED_ONLY: Array<{ sig: number[]; at?: number; format: string; mime: string; what: string }> = [
  { sig: [0x25, 0x50, 0x44, 0x46], format: 'pdf', mime: 'application/pdf', what: 'PDF document' },
  { sig: [0x50, 0x4b, 0x03, 0x04], format: 'zip', mime: 'application/zip', what: 'ZIP archive (or DOCX/APK/...)' },
  { sig: [0x42, 0x4d], format: 'bmp', mime: 'image/bmp', what: 'BMP bitmap' },
  { sig: [0x00, 0x00, 0x01, 0x00], format: 'ico', mime: 'image/x-icon', what: 'Windows icon' },
  { sig: [0x38, 0x42, 0x50, 0x53], format: 'psd', mime: 'image/vnd.adobe.photoshop', what: 'Photoshop document' },
  { sig: [0xff, 0x0a], format: 'jxl', mime: 'image/jxl', what: 'JPEG XL codestream' },
  { sig: [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20], format: 'jxl', mime: 'image/jxl', what: 'JPEG XL container' },
  { sig: [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20], format: 'jp2', mime: 'image/jp2', what: 'JPEG 2000' },
  { sig: [0x1f, 0x8b], format: 'gzip', mime: 'application/gzip', what: 'gzip data' },
  { sig: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], format: '7z', mime: 'application/x-7z-compressed', what: '7-Zip archive' },
  { sig: [0x52, 0x61, 0x72, 0x21], format: 'rar', mime: 'application/vnd.rar', what: 'RAR archive' },
  { sig: [0x7f, 0x45, 0x4c, 0x46], format: 'elf', mime: 'application/x-executable', what: 'ELF executable' },
  { sig: [0x4d, 0x5a], format: 'exe', mime: 'application/vnd.microsoft.portable-executable', what: 'Windows executable' },
  { sig: [0x49, 0x44, 0x33], format: 'mp3', mime: 'audio/mpeg', what: 'MP3 audio (ID3)' },
  { sig: [0x4f, 0x67, 0x67, 0x53], format: 'ogg', mime: 'audio/ogg', what: 'Ogg container' },
  { sig: [0x46, 0x4c, 0x56], format: 'flv', mime: 'video/x-flv', what: 'Flash video' },
  { sig: [0x00, 0x00, 0x01, 0xba], format: 'mpeg-ps', mime: 'video/mpeg', what: 'MPEG program stream' },
  { sig: [0x47], format: 'mpeg-ts', mime: 'video/mp2t', what: 'MPEG transport stream' },
  { sig: [0x30, 0x26, 0xb2, 0x75], format: 'asf', mime: 'video/x-ms-asf', what: 'ASF/WMV' },
  { sig: [0x46, 0x55, 0x4a, 0x49, 0x46, 0x49, 0x4c, 0x4d], format: 'raf', mime: 'image/x-fuji-raf', what: 'Fujifilm RAW' },
];

/** One entry of the signature table: a name and a detector over the first bytes (null: not this format). */
export interface Signature {
  name: string;
  detect(b: Uint8Array): Sniffed | null;
}

const supported = (format: string, mime: string, kind: EvidenceKind, signature: string): Sniffed => ({ supported: true, format, mime, kind, signature });

/** A fixed byte sequence at a fixed offset. */
const magic = (name: string, sig: number[], result: Sniffed, at = 0): Signature => ({ name, detect: (b) => (startsWith(b, sig, at) ? result : null) });

function sniffGif(b: Uint8Array): Sniffed | null {
  const head = ascii(b, 0, 6);
  return head === 'GIF87a' || head === 'GIF89a' ? supported('gif', 'image/gif', 'image', head) : null;
}

function sniffRiff(b: Uint8Array): Sniffed | null {
  if (ascii(b, 0, 4) !== 'RIFF' || b.length < 12) return null;
  const form = ascii(b, 8, 12);
  if (form === 'WEBP') return supported('webp', 'image/webp', 'image', 'RIFF WEBP');
  if (form === 'AVI ' || form === 'AVIX') return supported('avi', 'video/x-msvideo', 'video', 'RIFF AVI');
  return { supported: false, format: 'riff', mime: 'application/octet-stream', signature: `RIFF form '${form}'` };
}

function sniffXml(b: Uint8Array): Sniffed | null {
  const text = ascii(b, 0, 256).trimStart().toLowerCase();
  if (!text.startsWith('<?xml') && !text.startsWith('<svg')) return null;
  const svg = text.includes('<svg');
  return { supported: false, format: svg ? 'svg' : 'xml', mime: svg ? 'image/svg+xml' : 'application/xml', signature: svg ? 'SVG document' : 'XML document' };
}

/**
 * Every format Verilens recognises, tried in order on the file's first bytes (as exifr chooses its
 * parsers by magic bytes). Supported evidence first, then formats that are only named. Add a format
 * with one entry.
 */
export const SIGNATURES: readonly Signature[] = [
  magic('jpeg', [0xff, 0xd8, 0xff], supported('jpeg', 'image/jpeg', 'image', 'JPEG SOI')),
  magic('png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], supported('png', 'image/png', 'image', 'PNG signature')),
  { name: 'gif', detect: sniffGif },
  { name: 'riff', detect: sniffRiff },
  magic('tiff-le', [0x49, 0x49, 0x2a, 0x00], supported('tiff', 'image/tiff', 'image', 'TIFF header')),
  magic('tiff-be', [0x4d, 0x4d, 0x00, 0x2a], supported('tiff', 'image/tiff', 'image', 'TIFF header')),
  magic('bigtiff-le', [0x49, 0x49, 0x2b, 0x00], supported('tiff', 'image/tiff', 'image', 'BigTIFF header')),
  magic('bigtiff-be', [0x4d, 0x4d, 0x00, 0x2b], supported('tiff', 'image/tiff', 'image', 'BigTIFF header')),
  { name: 'iso-bmff', detect: sniffIsoBmff },
  { name: 'matroska', detect: sniffMatroska },
  ...NAMED_ONLY.map(
    (o): Signature => ({
      name: o.format,
      detect: (b) => {
        if (!startsWith(b, o.sig, o.at ?? 0)) return null;
        // A lone 0x47 is a weak signature; MPEG-TS repeats it every 188 bytes.
        if (o.format === 'mpeg-ts' && !(b.length > 188 && b[188] === 0x47)) return null;
        return { supported: false, format: o.format, mime: o.mime, signature: o.what };
      },
    }),
  ),
  { name: 'xml', detect: sniffXml },
];

export function describeBytes(b: Uint8Array): string {
  if (b.length === 0) return 'empty file';
  const head = b.subarray(0, 8);
  const hex = Array.from(head, (x) => x.toString(16).padStart(2, '0')).join(' ');
  // Mostly printable text (a script, a CSV, a log) is easier to recognise by its words.
  const sample = b.subarray(0, 64);
  const printable = sample.every((x) => x === 9 || x === 10 || x === 13 || (x >= 32 && x < 127));
  if (printable) {
    const text = String.fromCharCode(...sample).replace(/\s+/g, ' ').trim().slice(0, 40);
    return `text starting "${text}" (first bytes ${hex})`;
  }
  return `first bytes ${hex}`;
}

/** Detect the file type from its first bytes (4 KiB is plenty). Never looks at the file name. */
export function sniff(b: Uint8Array): Sniffed {
  for (const s of SIGNATURES) {
    const r = s.detect(b);
    if (r) return r;
  }
  return { supported: false, format: 'unknown', mime: 'application/octet-stream', signature: describeBytes(b) };
}
