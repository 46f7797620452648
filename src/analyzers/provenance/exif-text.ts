import exifr from 'exifr';
import type { TextEntry } from '../../evidence/containers.js';

/** EXIF text fields where generators and editors leave traces (A1111 JPEGs: UserComment; ComfyUI WebP: Make/Model). */
const TEXT_TAGS = ['Make', 'Model', 'Software', 'ImageDescription', 'Artist', 'UserComment', 'XPComment', 'HostComputer'] as const;

const OPTIONS = {
  tiff: true,
  exif: true,
  gps: false,
  interop: false,
  ifd1: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  makerNote: false,
  userComment: true,
  translateKeys: true,
  translateValues: false,
  reviveValues: false,
  sanitize: true,
  mergeOutput: true,
};

/** EXIF UserComment: 8-byte character-code header, then the text (ASCII, UTF-16 "UNICODE", or undefined). */
export function decodeUserComment(raw: Uint8Array): string {
  const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const head = b.toString('latin1', 0, 8);
  const body = b.length >= 8 ? b.subarray(8) : b;
  if (head.startsWith('UNICODE')) {
    // Byte order is not recorded; A1111 (piexif) writes big-endian. Pick the order whose high bytes are mostly zero.
    let zerosEven = 0;
    let zerosOdd = 0;
    for (let i = 0; i + 1 < Math.min(body.length, 512); i += 2) {
      if (body[i] === 0) zerosEven++;
      if (body[i + 1] === 0) zerosOdd++;
    }
    if (zerosEven > zerosOdd) {
      const swapped = Buffer.from(body.subarray(0, body.length - (body.length & 1)));
      swapped.swap16();
      return swapped.toString('utf16le').replace(/\0+$/, '');
    }
    return body.subarray(0, body.length - (body.length & 1)).toString('utf16le').replace(/\0+$/, '');
  }
  if (head.startsWith('ASCII') || head === '\0\0\0\0\0\0\0\0') return body.toString('utf8').replace(/\0+$/, '').trim();
  return b.toString('utf8').replace(/\0+$/, '').trim();
}

function valueText(key: string, v: unknown): string | null {
  if (typeof v === 'string') return v.replace(/\0+$/, '').trim();
  if (v instanceof Uint8Array) {
    if (key === 'UserComment' || key === 'userComment') return decodeUserComment(v);
    if (key === 'XPComment') return Buffer.from(v.buffer, v.byteOffset, v.byteLength - (v.byteLength & 1)).toString('utf16le').replace(/\0+$/, '');
  }
  return null;
}

/** Read the EXIF text fields of a whole file (JPEG/TIFF/HEIC/AVIF) or of a raw TIFF payload. Never throws. */
export async function readExifText(input: Buffer): Promise<{ entries: TextEntry[]; error?: string }> {
  let out: Record<string, unknown> | undefined;
  try {
    out = (await exifr.parse(input, OPTIONS)) as Record<string, unknown> | undefined;
  } catch (err) {
    return { entries: [], error: `EXIF could not be read: ${(err as Error).message}` };
  }
  const entries: TextEntry[] = [];
  if (!out) return { entries };
  for (const tag of TEXT_TAGS) {
    const v = out[tag] ?? (tag === 'UserComment' ? out['userComment'] : undefined);
    const text = valueText(tag, v);
    if (text) entries.push({ source: 'exif', key: tag, value: text.slice(0, 1 << 20) });
  }
  return { entries };
}
