/**
 * A bounded, non-throwing JPEG marker parser (ITU-T T.81). Every loop advances the offset, so
 * the work is linear in the file size; problems are collected in `problems` with their offset.
 */
import { zigzagToNatural } from './quant.js';

export type Segment = {
  /** e.g. `APP1`, `DQT`, `SOF0`, `SOS`, `COM`. */
  marker: string;
  /** Marker code byte (0xC0..0xFE). */
  code: number;
  /** Identifier of APPn payloads (`JFIF`, `Exif`, `XMP`, `ICC_PROFILE`, `C2PA` ...), else null. */
  id: string | null;
  /** Offset of the 0xFF of the marker. */
  offset: number;
  /** Value of the length field (includes its own two bytes), 0 for standalone markers. */
  length: number;
};

export type SofComponent = {
  id: number;
  h: number;
  v: number;
  tq: number;
};

export type Sof = {
  marker: string;
  code: number;
  /** Human name of the coding process. */
  process: string;
  precision: number;
  width: number;
  height: number;
  components: SofComponent[];
  offset: number;
};

export type QuantTableDef = {
  id: number;
  /** 8 or 16 bits per entry. */
  bits: 8 | 16;
  /** 64 values in natural (row-major) order. */
  values: number[];
  offset: number;
};

export type HuffmanTableDef = {
  /** 0 = DC, 1 = AC. */
  tableClass: number;
  id: number;
  counts: number[];
  symbols: number[];
};

export type ScanInfo = {
  offset: number;
  components: { id: number; td: number; ta: number }[];
  ss: number;
  se: number;
  ah: number;
  al: number;
  /** Entropy-coded data range [start, end). */
  dataStart: number;
  dataEnd: number;
  restartMarkers: number;
  /** Huffman tables and restart interval in force when the scan started (DHT/DRI may change them between scans). */
  dc: (HuffmanTableDef | null)[];
  ac: (HuffmanTableDef | null)[];
  restartInterval: number;
};

export type Problem = {
  offset: number;
  code: string;
  message: string;
};

export type ParsedJpeg = {
  size: number;
  startsWithSoi: boolean;
  segments: Segment[];
  sof: Sof | null;
  /** Every DQT definition in file order (capped). */
  quantTables: QuantTableDef[];
  /** Tables in force when the first scan started (id -> table). */
  quantAtFirstScan: (QuantTableDef | null)[];
  scans: ScanInfo[];
  restartInterval: number;
  /** Offset just past the first EOI, null if none. */
  eoiEnd: number | null;
  comments: string[];
  app: AppDetails;
  problems: Problem[];
};

export type AppDetails = {
  jfifVersion?: string;
  adobeTransform?: number;
  /** MPF image entries (offsets already made absolute), when an MPF APP2 segment is present. */
  mpfImages?: { offset: number; size: number }[];
};

const MAX_SEGMENTS = 20_000;
const MAX_QUANT_TABLES = 64;
const MAX_COMMENTS = 16;
const COMMENT_CAP = 512;

const SOF_PROCESS: Record<number, string> = {
  0xc0: 'baseline DCT, Huffman',
  0xc1: 'extended sequential DCT, Huffman',
  0xc2: 'progressive DCT, Huffman',
  0xc3: 'lossless, Huffman',
  0xc5: 'differential sequential DCT, Huffman',
  0xc6: 'differential progressive DCT, Huffman',
  0xc7: 'differential lossless, Huffman',
  0xc9: 'extended sequential DCT, arithmetic',
  0xca: 'progressive DCT, arithmetic',
  0xcb: 'lossless, arithmetic',
  0xcd: 'differential sequential DCT, arithmetic',
  0xce: 'differential progressive DCT, arithmetic',
  0xcf: 'differential lossless, arithmetic',
};

export function isSof(code: number): boolean {
  return SOF_PROCESS[code] !== undefined;
}

export function markerName(code: number): string {
  if (isSof(code)) return `SOF${code - 0xc0}`;
  if (code >= 0xe0 && code <= 0xef) return `APP${code - 0xe0}`;
  if (code >= 0xd0 && code <= 0xd7) return `RST${code - 0xd0}`;
  if (code >= 0xf0 && code <= 0xfd) return `JPG${code - 0xf0}`;
  switch (code) {
    case 0xc4:
      return 'DHT';
    case 0xc8:
      return 'JPG';
    case 0xcc:
      return 'DAC';
    case 0xd8:
      return 'SOI';
    case 0xd9:
      return 'EOI';
    case 0xda:
      return 'SOS';
    case 0xdb:
      return 'DQT';
    case 0xdc:
      return 'DNL';
    case 0xdd:
      return 'DRI';
    case 0xde:
      return 'DHP';
    case 0xdf:
      return 'EXP';
    case 0xfe:
      return 'COM';
    case 0x01:
      return 'TEM';
    default:
      return `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
}

function startsWith(b: Buffer, at: number, end: number, ascii: string): boolean {
  if (at + ascii.length > end) return false;
  for (let i = 0; i < ascii.length; i++) if (b[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** Printable ASCII prefix up to NUL (max 40 chars), for APPn identifiers we do not know. */
function asciiPrefix(b: Buffer, at: number, end: number): string | null {
  let s = '';
  for (let i = at; i < end && i < at + 40; i++) {
    const c = b[i]!;
    if (c === 0) break;
    if (c < 0x20 || c > 0x7e) return s.length >= 3 ? s : null;
    s += String.fromCharCode(c);
  }
  return s.length > 0 ? s : null;
}

function appId(code: number, b: Buffer, p: number, end: number): string | null {
  const n = code - 0xe0;
  if (n === 0) {
    if (startsWith(b, p, end, 'JFIF\0')) return 'JFIF';
    if (startsWith(b, p, end, 'JFXX\0')) return 'JFXX';
    if (startsWith(b, p, end, 'AVI1')) return 'AVI1';
  }
  if (n === 1) {
    if (startsWith(b, p, end, 'Exif\0')) return 'Exif';
    if (startsWith(b, p, end, 'http://ns.adobe.com/xap/1.0/\0')) return 'XMP';
    if (startsWith(b, p, end, 'http://ns.adobe.com/xmp/extension/\0')) return 'XMP-extension';
  }
  if (n === 2) {
    if (startsWith(b, p, end, 'ICC_PROFILE\0')) return 'ICC_PROFILE';
    if (startsWith(b, p, end, 'MPF\0')) return 'MPF';
    if (startsWith(b, p, end, 'FPXR\0')) return 'FPXR';
  }
  if (n === 11 && startsWith(b, p, end, 'JP')) {
    // JUMBF in APP11 (ISO 19566-5): 'JP', box instance, sequence number, then the box; C2PA labels its superbox 'c2pa'.
    const win = b.subarray(p, Math.min(end, p + 96)).toString('latin1');
    return win.includes('c2pa') ? 'C2PA' : 'JUMBF';
  }
  if (n === 12 && startsWith(b, p, end, 'Ducky')) return 'Ducky';
  if (n === 13 && startsWith(b, p, end, 'Photoshop 3.0\0')) return 'Photoshop IRB';
  if (n === 14 && startsWith(b, p, end, 'Adobe')) return 'Adobe';
  return asciiPrefix(b, p, end);
}

/** MPF (CIPA DC-007): a TIFF-like header whose MP Entry tag lists the images; offsets are relative to that header. */
function parseMpf(b: Buffer, p: number, end: number): { offset: number; size: number }[] | undefined {
  const base = p + 4;
  if (base + 8 > end) return undefined;
  const le = b[base] === 0x49 && b[base + 1] === 0x49;
  if (!le && !(b[base] === 0x4d && b[base + 1] === 0x4d)) return undefined;
  const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd = base + u32(base + 4);
  if (ifd + 2 > end) return undefined;
  const n = Math.min(u16(ifd), 64);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return undefined;
    if (u16(e) !== 0xb002) continue;
    const count = u32(e + 4);
    const at = base + u32(e + 8);
    const images: { offset: number; size: number }[] = [];
    for (let k = 0; k < Math.min(count / 16, 32); k++) {
      const r = at + k * 16;
      if (r + 16 > end) break;
      const size = u32(r + 4);
      const off = u32(r + 8);
      // The first image's offset is 0 by definition (it is this file from its SOI).
      images.push({ offset: off === 0 ? 0 : base + off, size });
    }
    return images;
  }
  return undefined;
}

function readComment(b: Buffer, p: number, end: number): string {
  const raw = b.subarray(p, Math.min(end, p + COMMENT_CAP * 4)).toString('utf8');
  const clean = raw.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, '').trim();
  return clean.length > COMMENT_CAP ? `${clean.slice(0, COMMENT_CAP)}…` : clean;
}

/**
 * Skip entropy-coded data from `p`: FF00 is a stuffed byte, FFD0..FFD7 are restart markers,
 * FFFF is fill before a marker; any other FFxx ends the data. Uses indexOf so it stays linear.
 */
function skipEntropy(b: Buffer, p: number): { end: number; rst: number } {
  let rst = 0;
  let i = p;
  for (;;) {
    const ff = b.indexOf(0xff, i);
    if (ff < 0 || ff + 1 >= b.length) return { end: b.length, rst };
    const n = b[ff + 1]!;
    if (n === 0x00) i = ff + 2;
    else if (n >= 0xd0 && n <= 0xd7) {
      rst++;
      i = ff + 2;
    } else if (n === 0xff) i = ff + 1;
    else return { end: ff, rst };
  }
}

export function parseJpeg(b: Buffer): ParsedJpeg {
  const out: ParsedJpeg = {
    size: b.length,
    startsWithSoi: b.length >= 2 && b[0] === 0xff && b[1] === 0xd8,
    segments: [],
    sof: null,
    quantTables: [],
    quantAtFirstScan: [null, null, null, null],
    scans: [],
    restartInterval: 0,
    eoiEnd: null,
    comments: [],
    app: {},
    problems: [],
  };
  const problem = (offset: number, code: string, message: string): void => {
    if (out.problems.length < 50) out.problems.push({ offset, code, message });
  };
  if (!out.startsWithSoi) {
    problem(0, 'no-soi', 'the file does not start with the JPEG start-of-image marker (FFD8)');
    return out;
  }
  out.segments.push({ marker: 'SOI', code: 0xd8, id: null, offset: 0, length: 0 });
  const quant: (QuantTableDef | null)[] = [null, null, null, null];
  const dc: (HuffmanTableDef | null)[] = [null, null, null, null];
  const ac: (HuffmanTableDef | null)[] = [null, null, null, null];
  let p = 2;
  while (p < b.length) {
    if (out.segments.length >= MAX_SEGMENTS) {
      problem(p, 'too-many-segments', `more than ${MAX_SEGMENTS} segments; parsing stopped`);
      break;
    }
    if (b[p] !== 0xff) {
      // Garbage between markers: resynchronise on the next FFxx that can be a marker.
      let q = p;
      for (;;) {
        q = b.indexOf(0xff, q);
        if (q < 0 || q + 1 >= b.length) break;
        const n = b[q + 1]!;
        if (n !== 0x00 && n !== 0xff && !(n >= 0xd0 && n <= 0xd7)) break;
        q++;
      }
      if (q < 0 || q + 1 >= b.length) {
        problem(p, 'garbage', `${b.length - p} bytes that are not a marker at offset ${p}, up to the end of the file`);
        break;
      }
      problem(p, 'garbage', `${q - p} byte(s) that are not a marker at offset ${p}`);
      p = q;
      continue;
    }
    // 0xFF fill bytes may precede a marker.
    while (p + 1 < b.length && b[p + 1] === 0xff) p++;
    if (p + 1 >= b.length) {
      problem(p, 'truncated', `the file ends inside a marker at offset ${p}`);
      break;
    }
    const code = b[p + 1]!;
    const at = p;
    const name = markerName(code);
    if (code === 0xd9) {
      out.segments.push({ marker: 'EOI', code, id: null, offset: at, length: 0 });
      out.eoiEnd = at + 2;
      break;
    }
    if (code === 0xd8 || code === 0x01 || (code >= 0xd0 && code <= 0xd7) || code === 0x00) {
      if (code !== 0x01) problem(at, 'unexpected-marker', `unexpected ${name} marker at offset ${at}`);
      out.segments.push({ marker: name, code, id: null, offset: at, length: 0 });
      p += 2;
      continue;
    }
    if (p + 4 > b.length) {
      problem(at, 'truncated', `the file ends inside the ${name} segment header at offset ${at}`);
      break;
    }
    const length = b.readUInt16BE(p + 2);
    if (length < 2) {
      problem(at, 'bad-length', `${name} segment at offset ${at} has an impossible length ${length}`);
      break;
    }
    const start = p + 4;
    let end = p + 2 + length;
    if (end > b.length) {
      problem(at, 'truncated', `${name} segment at offset ${at} claims ${length} bytes but the file ends after ${b.length - p - 2}`);
      end = b.length;
    }
    const seg: Segment = { marker: name, code, id: null, offset: at, length };
    out.segments.push(seg);
    if (code >= 0xe0 && code <= 0xef) {
      seg.id = appId(code, b, start, end);
      if (seg.id === 'JFIF' && start + 7 <= end) out.app.jfifVersion = `${b[start + 5]}.${String(b[start + 6]).padStart(2, '0')}`;
      if (seg.id === 'Adobe' && start + 12 <= end) out.app.adobeTransform = b[start + 11]!;
      if (seg.id === 'MPF' && out.app.mpfImages === undefined) out.app.mpfImages = parseMpf(b, start, end);
    } else if (code === 0xfe) {
      if (out.comments.length < MAX_COMMENTS) out.comments.push(readComment(b, start, end));
    } else if (code === 0xdb) {
      let q = start;
      while (q < end) {
        const pq = b[q]! >> 4;
        const tq = b[q]! & 15;
        const n = pq === 0 ? 64 : 128;
        if (pq > 1 || tq > 3) {
          problem(q, 'bad-dqt', `DQT at offset ${q} has an invalid precision/id byte 0x${b[q]!.toString(16)}`);
          break;
        }
        if (q + 1 + n > end) {
          problem(q, 'bad-dqt', `DQT table at offset ${q} is cut short`);
          break;
        }
        const zz: number[] = [];
        for (let i = 0; i < 64; i++) zz.push(pq === 0 ? b[q + 1 + i]! : b.readUInt16BE(q + 1 + i * 2));
        const def: QuantTableDef = { id: tq, bits: pq === 0 ? 8 : 16, values: zigzagToNatural(zz), offset: q };
        if (zz.includes(0)) problem(q, 'bad-dqt', `quantisation table ${tq} at offset ${q} contains a zero divisor`);
        quant[tq] = def;
        if (out.quantTables.length < MAX_QUANT_TABLES) out.quantTables.push(def);
        q += 1 + n;
      }
    } else if (code === 0xc4) {
      let q = start;
      while (q + 17 <= end) {
        const tc = b[q]! >> 4;
        const th = b[q]! & 15;
        const counts: number[] = [];
        let total = 0;
        for (let i = 0; i < 16; i++) {
          counts.push(b[q + 1 + i]!);
          total += b[q + 1 + i]!;
        }
        if (tc > 1 || th > 3 || total > 256 || q + 17 + total > end) {
          problem(q, 'bad-dht', `DHT table at offset ${q} is invalid or cut short`);
          break;
        }
        const symbols = Array.from(b.subarray(q + 17, q + 17 + total));
        (tc === 0 ? dc : ac)[th] = { tableClass: tc, id: th, counts, symbols };
        q += 17 + total;
      }
    } else if (code === 0xdd) {
      if (start + 2 <= end) out.restartInterval = b.readUInt16BE(start);
    } else if (isSof(code)) {
      if (out.sof !== null) problem(at, 'multiple-sof', `a second frame header (${name}) at offset ${at}`);
      else if (start + 6 > end) problem(at, 'truncated', `${name} at offset ${at} is too short`);
      else {
        const nc = b[start + 5]!;
        const components: SofComponent[] = [];
        for (let i = 0; i < nc && start + 6 + i * 3 + 3 <= end; i++) {
          const c = start + 6 + i * 3;
          components.push({ id: b[c]!, h: b[c + 1]! >> 4, v: b[c + 1]! & 15, tq: b[c + 2]! & 3 });
        }
        if (components.length !== nc)
          problem(at, 'truncated', `${name} at offset ${at} lists ${nc} components but holds ${components.length}`);
        out.sof = {
          marker: name,
          code,
          process: SOF_PROCESS[code] ?? 'unknown',
          precision: b[start]!,
          height: b.readUInt16BE(start + 1),
          width: b.readUInt16BE(start + 3),
          components,
          offset: at,
        };
      }
    } else if (code === 0xda) {
      if (out.scans.length === 0) for (let i = 0; i < 4; i++) out.quantAtFirstScan[i] = quant[i] ?? null;
      const ns = start < end ? b[start]! : 0;
      const comps: ScanInfo['components'] = [];
      for (let i = 0; i < ns && start + 1 + i * 2 + 2 <= end; i++) {
        const c = start + 1 + i * 2;
        comps.push({ id: b[c]!, td: b[c + 1]! >> 4, ta: b[c + 1]! & 15 });
      }
      const h = start + 1 + ns * 2;
      const ent = skipEntropy(b, end);
      out.scans.push({
        offset: at,
        components: comps,
        ss: h < end ? b[h]! : 0,
        se: h + 1 < end ? b[h + 1]! : 63,
        ah: h + 2 < end ? b[h + 2]! >> 4 : 0,
        al: h + 2 < end ? b[h + 2]! & 15 : 0,
        dataStart: end,
        dataEnd: ent.end,
        restartMarkers: ent.rst,
        dc: dc.slice(),
        ac: ac.slice(),
        restartInterval: out.restartInterval,
      });
      if (ent.end >= b.length) {
        problem(ent.end, 'truncated', `the file ends inside the compressed image data (scan at offset ${at}) with no end-of-image marker`);
        p = b.length;
        break;
      }
      p = ent.end;
      continue;
    }
    p = end;
  }
  if (out.eoiEnd === null && !out.problems.some((x) => x.code === 'truncated'))
    problem(b.length, 'no-eoi', 'the file has no end-of-image marker (FFD9)');
  if (out.sof === null) problem(0, 'no-sof', 'no frame header (SOFn) was found');
  if (out.scans.length === 0) problem(0, 'no-sos', 'no image data (SOS) was found');
  return out;
}
