import { inflateSync } from 'node:zlib';

/**
 * Bounded readers for the places image files keep text: PNG tEXt/zTXt/iTXt chunks, JPEG COM and
 * APP segments, WebP EXIF/XMP chunks. Pure functions over bytes; hostile sizes and counts are
 * capped and reported in `notes`, never followed.
 */

export type TextSource = 'png-tEXt' | 'png-zTXt' | 'png-iTXt' | 'jpeg-COM' | 'exif' | 'xmp';

export interface TextEntry {
  source: TextSource;
  key: string;
  value: string;
}

export interface ContainerScan {
  entries: TextEntry[];
  /** XMP packets found (decoded text), including ones inside compressed PNG iTXt chunks. */
  xmp: string[];
  /** Raw EXIF (TIFF) payloads in containers exifr cannot open itself (WebP, PNG eXIf). */
  exif: Buffer[];
  /** A C2PA/JUMBF manifest store appears to be embedded (PNG caBX, JPEG APP11 JUMBF, ISO BMFF/RIFF `c2pa`, or a `jumd` c2pa label). */
  c2paMarker: boolean;
  /** JPEG APP11 JUMBF segments (C2PA or other JUMBF users such as JPEG XT). */
  jumbf: boolean;
  /** Caps hit and damage seen; informational. */
  notes: string[];
}

export const LIMITS = {
  maxChunks: 20_000,
  /** Longest text value kept (characters); longer values are cut. */
  maxValueChars: 1 << 20,
  /** Largest inflated size of one compressed text chunk. */
  maxInflateBytes: 8 << 20,
  /** Total inflated bytes per file. */
  maxInflateTotal: 32 << 20,
  maxEntries: 500,
  maxXmpPackets: 8,
  maxXmpBytes: 4 << 20,
} as const;

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function cut(s: string): string {
  return s.length > LIMITS.maxValueChars ? s.slice(0, LIMITS.maxValueChars) : s;
}

class Collector {
  readonly scan: ContainerScan = { entries: [], xmp: [], exif: [], c2paMarker: false, jumbf: false, notes: [] };
  inflated = 0;
  note(msg: string): void {
    if (this.scan.notes.length < 20 && !this.scan.notes.includes(msg)) this.scan.notes.push(msg);
  }
  add(source: TextSource, key: string, value: string): void {
    if (this.scan.entries.length >= LIMITS.maxEntries) return this.note(`more than ${LIMITS.maxEntries} text entries; the rest were skipped`);
    this.scan.entries.push({ source, key: cut(key), value: cut(value) });
  }
  addXmp(text: string): void {
    if (this.scan.xmp.length >= LIMITS.maxXmpPackets) return this.note(`more than ${LIMITS.maxXmpPackets} XMP packets; the rest were skipped`);
    if (!this.scan.xmp.includes(text)) this.scan.xmp.push(text);
  }
  inflate(data: Buffer, what: string): Buffer | null {
    const room = Math.min(LIMITS.maxInflateBytes, LIMITS.maxInflateTotal - this.inflated);
    if (room <= 0) {
      this.note('compressed text budget exhausted; further compressed chunks were not expanded');
      return null;
    }
    try {
      const out = inflateSync(data, { maxOutputLength: room });
      this.inflated += out.length;
      return out;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.note(code === 'ERR_BUFFER_TOO_LARGE' ? `${what} expands beyond ${room} bytes (a decompression bomb guard); not expanded` : `${what} could not be decompressed`);
      return null;
    }
  }
}

function readPng(b: Buffer, c: Collector): void {
  let p = 8;
  let n = 0;
  while (p + 12 <= b.length) {
    if (++n > LIMITS.maxChunks) return c.note(`more than ${LIMITS.maxChunks} PNG chunks; stopped reading`);
    const len = b.readUInt32BE(p);
    const type = b.toString('latin1', p + 4, p + 8);
    const start = p + 8;
    const end = start + len;
    if (len > 0x7fffffff || end + 4 > b.length) {
      c.note(`PNG chunk '${type.replace(/[^\x20-\x7e]/g, '?')}' at byte ${p} declares ${len} bytes, past the end of the file`);
      return;
    }
    const data = b.subarray(start, end);
    switch (type) {
      case 'tEXt': {
        const z = data.indexOf(0);
        if (z > 0) c.add('png-tEXt', data.toString('latin1', 0, z), data.toString('latin1', z + 1));
        break;
      }
      case 'zTXt': {
        const z = data.indexOf(0);
        if (z > 0) {
          const key = data.toString('latin1', 0, z);
          const out = c.inflate(data.subarray(z + 2), `zTXt '${key}'`);
          if (out) c.add('png-zTXt', key, out.toString('latin1'));
        }
        break;
      }
      case 'iTXt': {
        const z = data.indexOf(0);
        if (z <= 0 || z + 3 > data.length) break;
        const key = data.toString('latin1', 0, z);
        const compressed = data[z + 1] === 1;
        const langEnd = data.indexOf(0, z + 3);
        const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
        if (transEnd < 0) break;
        const raw = data.subarray(transEnd + 1);
        const text = compressed ? c.inflate(raw, `iTXt '${key}'`) : raw;
        if (!text) break;
        const value = text.toString('utf8');
        if (key === 'XML:com.adobe.xmp') c.addXmp(value);
        else c.add('png-iTXt', key, value);
        break;
      }
      case 'eXIf':
        c.scan.exif.push(data);
        break;
      case 'caBX':
        c.scan.c2paMarker = true;
        break;
      case 'IEND':
        return;
      default:
        break;
    }
    p = end + 4;
  }
}

function readJpeg(b: Buffer, c: Collector): void {
  let p = 2;
  let n = 0;
  while (p + 4 <= b.length) {
    if (++n > LIMITS.maxChunks) return c.note(`more than ${LIMITS.maxChunks} JPEG segments; stopped reading`);
    if (b[p] !== 0xff) return c.note(`JPEG marker expected at byte ${p}; stopped reading segments`);
    const m = b[p + 1]!;
    if (m === 0xff) {
      p += 1; // fill byte
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      p += 2;
      continue;
    }
    if (m === 0xda || m === 0xd9) return; // image data follows: metadata segments are before it
    const len = b.readUInt16BE(p + 2);
    const start = p + 4;
    const end = p + 2 + len;
    if (len < 2 || end > b.length) return c.note(`JPEG segment 0x${m.toString(16)} at byte ${p} runs past the end of the file`);
    const data = b.subarray(start, end);
    if (m === 0xfe) c.add('jpeg-COM', 'Comment', data.toString('utf8').replace(/\0+$/, ''));
    else if (m === 0xeb && data[0] === 0x4a && data[1] === 0x50) c.scan.jumbf = true; // APP11 'JP'
    p = end;
  }
}

function readWebp(b: Buffer, c: Collector): void {
  let p = 12;
  let n = 0;
  const riffEnd = Math.min(b.length, 8 + b.readUInt32LE(4));
  while (p + 8 <= riffEnd) {
    if (++n > LIMITS.maxChunks) return c.note(`more than ${LIMITS.maxChunks} WebP chunks; stopped reading`);
    const type = b.toString('latin1', p, p + 4);
    const len = b.readUInt32LE(p + 4);
    const start = p + 8;
    const end = start + len;
    if (end > b.length) return c.note(`WebP chunk '${type.replace(/[^\x20-\x7e]/g, '?')}' at byte ${p} runs past the end of the file`);
    const data = b.subarray(start, end);
    if (type === 'EXIF') c.scan.exif.push(data.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? data.subarray(6) : data);
    else if (type === 'XMP ') c.addXmp(data.toString('utf8'));
    else if (type === 'C2PA') c.scan.c2paMarker = true;
    p = end + (len & 1);
  }
}

const XMP_OPEN = Buffer.from('<x:xmpmeta');
const XMP_CLOSE = Buffer.from('</x:xmpmeta>');
const JUMD_C2PA = Buffer.from('jumd');

/** Plain-text XMP packets anywhere in the file (JPEG APP1, TIFF, GIF, HEIC...), bounded in count and size. */
function scanXmp(b: Buffer, c: Collector): void {
  let from = 0;
  while (c.scan.xmp.length < LIMITS.maxXmpPackets) {
    const open = b.indexOf(XMP_OPEN, from);
    if (open < 0) return;
    const close = b.indexOf(XMP_CLOSE, open);
    if (close < 0) return c.note('an XMP packet is not closed (truncated file?)');
    const end = close + XMP_CLOSE.length;
    if (end - open > LIMITS.maxXmpBytes) c.note(`an XMP packet is larger than ${LIMITS.maxXmpBytes} bytes; it was cut`);
    c.addXmp(b.toString('utf8', open, Math.min(end, open + LIMITS.maxXmpBytes)));
    from = end;
  }
}

/** A JUMBF description box labelled `c2pa` (any container): the C2PA manifest store's signature. */
function scanJumbf(b: Buffer): boolean {
  let from = 0;
  for (let i = 0; i < 64; i++) {
    const at = b.indexOf(JUMD_C2PA, from);
    if (at < 0) return false;
    // jumd: type(4) UUID(16) toggles(1) label... ; the c2pa manifest store UUID starts with 'c2pa'
    if (b.toString('latin1', at + 4, at + 8) === 'c2pa') return true;
    from = at + 4;
  }
  return false;
}

/** Scan one file's bytes. `format` is the sniffed short id (png, jpeg, webp, ...). */
export function scanContainer(format: string, b: Buffer): ContainerScan {
  const c = new Collector();
  if (format === 'png' && b.subarray(0, 8).equals(PNG_SIG)) readPng(b, c);
  else if (format === 'jpeg' && b[0] === 0xff && b[1] === 0xd8) readJpeg(b, c);
  else if (format === 'webp' && b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF') readWebp(b, c);
  scanXmp(b, c);
  if (!c.scan.c2paMarker) c.scan.c2paMarker = scanJumbf(b);
  return c.scan;
}
