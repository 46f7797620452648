import { scanContainer } from '../../evidence/containers.js';

export interface PngTextResult {
  /** keyword -> text (later duplicates get a numbered key so none is lost). */
  text: Record<string, string>;
  errors: string[];
}

/**
 * PNG tEXt, zTXt and iTXt chunks, read by the shared bounded container reader: exifr 7 misses iTXt
 * chunks with empty language fields, which is exactly how A1111/Forge and InvokeAI store their
 * generation parameters.
 */
export function readPngText(bytes: Buffer): PngTextResult {
  const scan = scanContainer('png', bytes);
  const res: PngTextResult = { text: {}, errors: [...scan.notes] };
  for (const e of scan.entries) {
    if (!e.source.startsWith('png-')) continue;
    let key = e.key;
    for (let i = 2; key in res.text; i++) key = `${e.key}#${i}`;
    res.text[key] = e.value;
  }
  return res;
}
