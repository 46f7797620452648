import exifr from 'exifr';

/** What exifr gave us for one file, before any interpretation. Values are exifr's own (not yet JSON-safe). */
export interface RawMetadata {
  /** Blocks and segments keyed as exifr names them: ifd0, ifd1, exif, gps, interop, iptc, icc, jfif, ihdr, makerNote, userComment. */
  groups: Record<string, unknown>;
  /** XMP properties grouped by namespace prefix (xmp, xmpMM, photoshop, tiff, exif, dc, ...), or null. */
  xmp: Record<string, Record<string, unknown>> | null;
  /** Length in characters of the raw XMP packet(s), when there were any. */
  xmpChars: number;
  /** The embedded EXIF thumbnail (IFD1), when there is one. */
  thumbnail: Buffer | null;
  /** Partial failures reported by exifr (it keeps going past a broken segment) or by our own container walk. */
  errors: string[];
  /** Where the metadata came from: the file itself, or EXIF/XMP chunks we lifted out of a WebP container. */
  source: 'exifr' | 'webp-chunks' | 'none';
}

/** Formats exifr 7 parses directly (it has no WebP or GIF parser). */
const EXIFR_FORMATS = new Set(['jpeg', 'png', 'tiff', 'heic', 'avif']);

// Output formatting is chosen for forensics: raw numbers (as `exiftool -n`) and raw date strings, so
// no local-time Date object is ever built in the analyst's own time zone.
const MAIN_OPTIONS = {
  tiff: true,
  ifd1: true,
  exif: true,
  gps: true,
  interop: true,
  makerNote: true,
  userComment: true,
  xmp: { parse: false, multiSegment: true },
  icc: true,
  iptc: true,
  jfif: true,
  ihdr: true,
  mergeOutput: false,
  sanitize: true,
  translateKeys: true,
  translateValues: false,
  reviveValues: false,
  silentErrors: true,
} as const;

// Second pass for XMP only: with mergeOutput off exifr would fold the XMP tiff/exif namespaces
// into the EXIF blocks, mixing two sources an analyst must be able to tell apart.
const XMP_OPTIONS = {
  tiff: false,
  xmp: { multiSegment: true },
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  mergeOutput: false,
  translateValues: false,
  reviveValues: false,
  silentErrors: true,
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Move exifr's `errors` array out of the output into our list. */
function takeErrors(out: Record<string, unknown>, errors: string[]): void {
  const errs = out['errors'];
  if (Array.isArray(errs)) for (const e of errs) errors.push(errorText(e));
  delete out['errors'];
}

/** exifr's XMP segment parser, used directly on the packet the main pass already lifted out. */
const xmpParser = exifr.segmentParsers.get('xmp') as { parse(xmp: string, options: object): unknown } | undefined;

async function parseXmp(input: Buffer, rawXmp: string, errors: string[]): Promise<Record<string, Record<string, unknown>> | null> {
  try {
    // Parsing the packet we already have avoids reading the whole file a second time.
    const out: unknown = xmpParser ? xmpParser.parse(rawXmp, XMP_OPTIONS) : await exifr.parse(input, XMP_OPTIONS);
    if (!isRecord(out)) return null;
    takeErrors(out, errors);
    delete out['xmlns'];
    const ns: Record<string, Record<string, unknown>> = {};
    for (const [k, v] of Object.entries(out)) {
      // exifr files the XMP tiff namespace under `ifd0`; give it its XMP name back.
      const name = k === 'ifd0' ? 'tiff' : k;
      ns[name] = isRecord(v) ? v : { value: v };
    }
    return Object.keys(ns).length ? ns : null;
  } catch (e) {
    errors.push(`XMP could not be parsed: ${errorText(e)}`);
    return null;
  }
}

interface WebpChunks {
  exif: Buffer | null;
  xmp: string | null;
}

/** Walk the RIFF chunks of a WebP and return the EXIF and XMP payloads (bounded by the file itself). */
export function webpChunks(bytes: Buffer, errors: string[]): WebpChunks {
  const res: WebpChunks = { exif: null, xmp: null };
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WEBP') return res;
  let off = 12;
  while (off + 8 <= bytes.length) {
    const id = bytes.toString('latin1', off, off + 4);
    const size = bytes.readUInt32LE(off + 4);
    const start = off + 8;
    const end = start + size;
    if (end > bytes.length) {
      errors.push(`WebP chunk '${id}' at byte ${off} declares ${size} bytes but the file ends first`);
      break;
    }
    if (id === 'EXIF') {
      let payload = bytes.subarray(start, end);
      // Some writers keep the JPEG-style "Exif\0\0" header inside the chunk.
      if (payload.toString('latin1', 0, 6) === 'Exif\u0000\u0000') payload = payload.subarray(6);
      res.exif = payload;
    } else if (id === 'XMP ') {
      res.xmp = bytes.toString('utf8', start, end);
    }
    off = end + (size & 1);
  }
  return res;
}

/**
 * Read every metadata segment exifr understands. Never throws: a failure is recorded in `errors`
 * (with whatever was read before it), so one broken segment does not hide the others.
 */
export async function extractMetadata(bytes: Buffer, format: string): Promise<RawMetadata> {
  const errors: string[] = [];
  const res: RawMetadata = { groups: {}, xmp: null, xmpChars: 0, thumbnail: null, errors, source: 'none' };
  let input: Buffer | null = null;
  let rawXmp: string | null = null;
  if (EXIFR_FORMATS.has(format)) {
    input = bytes;
    res.source = 'exifr';
  } else if (format === 'webp') {
    const c = webpChunks(bytes, errors);
    input = c.exif;
    rawXmp = c.xmp;
    if (c.exif || c.xmp) res.source = 'webp-chunks';
  } else {
    return res;
  }
  if (input) {
    // One exifr instance reads the file once; the thumbnail is then cut from what it already read.
    const reader = new exifr.Exifr(MAIN_OPTIONS);
    let read = false;
    try {
      await reader.read(input);
      read = true;
      const out: unknown = await reader.parse();
      if (isRecord(out)) {
        takeErrors(out, errors);
        const xmp = out['xmp'];
        delete out['xmp'];
        if (typeof xmp === 'string') rawXmp = xmp;
        res.groups = out;
      }
    } catch (e) {
      errors.push(errorText(e));
    }
    if (rawXmp !== null && res.source === 'exifr') res.xmp = await parseXmp(input, rawXmp, errors);
    if (read && isRecord(res.groups['ifd1'])) {
      try {
        const t = await reader.extractThumbnail();
        if (t && t.length) res.thumbnail = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
      } catch (e) {
        errors.push(`embedded thumbnail could not be read: ${errorText(e)}`);
      }
    }
  }
  if (rawXmp !== null) {
    res.xmpChars = rawXmp.length;
    // XMP lifted from a WebP chunk has no container exifr can parse; keep it raw (capped later).
    if (!res.xmp) res.xmp = { raw: { packet: rawXmp } };
  }
  return res;
}
