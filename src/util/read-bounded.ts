import { constants as fsc } from 'node:fs';
import { open } from 'node:fs/promises';
import { VerilensError } from './errors.js';

/**
 * Read a whole file that an adversary may have supplied, refusing it (before reading) when it is
 * larger than `max` bytes or not a regular file. Reads through one handle, so the size checked is
 * the size read. ENOENT and other open errors are thrown as they are (callers word them).
 */
export async function readFileBounded(path: string, max: number, what: string): Promise<Buffer> {
  // Non-blocking open: a named pipe in place of the file must not block us before the fstat refuses it.
  const fh = await open(path, fsc.O_RDONLY | ((fsc as Record<string, number>)['O_NONBLOCK'] ?? 0));
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new VerilensError('not-a-file', `${path}: ${what} is not a regular file`);
    if (st.size > max) throw new VerilensError('too-large', `${path}: ${what} is ${st.size.toLocaleString('en-US')} bytes, larger than the ${max.toLocaleString('en-US')} bytes Verilens accepts; refused without reading it`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    // A file that grew after the stat is read only up to the checked size; one that shrank is cut short.
    return off === st.size ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
