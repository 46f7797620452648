import { inflateSync } from 'node:zlib';

export interface PngTextResult {
  /** keyword -> text (later duplicates get a numbered key so none is lost). */
  text: Record<string, string>;
  errors: string[];
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_CHUNKS = 256;
const MAX_INFLATED = 1 << 20;

function inflateBounded(data: Buffer): string {
  // maxOutputLength makes zlib stop (and throw) instead of inflating a text bomb.
  return inflateSync(data, { maxOutputLength: MAX_INFLATED }).toString('utf8');
}

/**
 * Read PNG tEXt, zTXt and iTXt chunks ourselves: exifr 7 misses iTXt chunks with empty language
 * fields, which is exactly how A1111/Forge and InvokeAI store their generation parameters.
 */
export function readPngText(bytes: Buffer): PngTextResult {
  const res: PngTextResult = { text: {}, errors: [] };
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(PNG_SIG)) return res;
  let off = 8;
  let n = 0;
  const put = (k: string, v: string): void => {
    let key = k;
    for (let i = 2; key in res.text; i++) key = `${k}#${i}`;
    res.text[key] = v;
  };
  while (off + 12 <= bytes.length && n++ < 100_000) {
    const len = bytes.readUInt32BE(off);
    const type = bytes.toString('latin1', off + 4, off + 8);
    const start = off + 8;
    const end = start + len;
    if (end + 4 > bytes.length) {
      res.errors.push(`PNG chunk '${type}' at byte ${off} runs past the end of the file`);
      break;
    }
    if (type === 'IEND') break;
    if ((type === 'tEXt' || type === 'zTXt' || type === 'iTXt') && Object.keys(res.text).length < MAX_CHUNKS) {
      const data = bytes.subarray(start, end);
      const nul = data.indexOf(0);
      if (nul > 0) {
        const key = data.toString('latin1', 0, nul);
        try {
          if (type === 'tEXt') put(key, data.toString('latin1', nul + 1));
          else if (type === 'zTXt') put(key, inflateBounded(data.subarray(nul + 2)));
          else {
            const compressed = data[nul + 1] === 1;
            const langEnd = data.indexOf(0, nul + 3);
            const transEnd = langEnd >= 0 ? data.indexOf(0, langEnd + 1) : -1;
            if (transEnd < 0) throw new Error('missing language or translated-keyword terminator');
            const body = data.subarray(transEnd + 1);
            put(key, compressed ? inflateBounded(body) : body.toString('utf8'));
          }
        } catch (e) {
          res.errors.push(`PNG ${type} chunk '${key}' could not be read: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    off = end + 4;
  }
  return res;
}
