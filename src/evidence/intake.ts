import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { EvidenceInfo } from '../contract/results.js';
import { VerilensError } from '../util/errors.js';
import { resolveLimits, type Limits } from './limits.js';
import { sniff, type Sniffed } from './sniff.js';

/** Evidence as analyzers see it. Treat `bytes` as read-only: it is the exact content that was hashed. */
export interface Evidence {
  /** Path exactly as the user gave it. */
  readonly input: string;
  /** Absolute path. */
  readonly path: string;
  readonly info: EvidenceInfo;
  readonly limits: Limits;
  /** The whole file for images (hashed at intake); null for videos, which are streamed from `path`. */
  readonly bytes: Buffer | null;
  /** Why the header could not be decoded, when it could not (the file is still evidence). */
  readonly decodeError?: string;
}

const SNIFF_BYTES = 4096;

/**
 * Read-only open; O_NOATIME where the platform has it so even the access time is not touched.
 * O_NONBLOCK so a named pipe or device posing as evidence cannot block the open (no effect on regular files).
 */
async function openReadOnly(path: string, input: string): Promise<FileHandle> {
  const noatime = (fsc as Record<string, number>)['O_NOATIME'] ?? 0;
  const nonblock = (fsc as Record<string, number>)['O_NONBLOCK'] ?? 0;
  try {
    return await open(path, fsc.O_RDONLY | noatime | nonblock);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' && noatime) return open(path, fsc.O_RDONLY | nonblock); // O_NOATIME needs ownership
    if (code === 'ENOENT') throw new VerilensError('not-found', `${input}: no such file`);
    if (code === 'EACCES') throw new VerilensError('unreadable', `${input}: permission denied`);
    if (code === 'EISDIR') throw new VerilensError('not-a-file', `${input}: is a directory`);
    throw new VerilensError('unreadable', `${input}: cannot open (${code ?? String(err)})`);
  }
}

async function readAll(fh: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const { bytesRead } = await fh.read(buf, off, size - off, off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  if (off !== size) throw new VerilensError('changed-while-reading', `file shrank while being read (${off} of ${size} bytes)`);
  return buf;
}

async function hashStream(fh: FileHandle, size: number): Promise<string> {
  const h = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let off = 0;
  while (off < size) {
    const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, size - off), off);
    if (bytesRead === 0) break;
    h.update(chunk.subarray(0, bytesRead));
    off += bytesRead;
  }
  return h.digest('hex');
}

interface ImageHeader {
  width?: number;
  height?: number;
  orientation?: number;
  pages?: number;
  decodeError?: string;
}

async function readImageHeader(bytes: Buffer, limits: Limits, path: string): Promise<ImageHeader> {
  let meta: Metadata;
  try {
    // Header only: no pixels are decoded here, so the pixel limit is checked below, by us.
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch (err) {
    return { decodeError: (err as Error).message };
  }
  const pages = meta.pages && meta.pages > 1 ? meta.pages : undefined;
  const width = meta.width;
  const height = meta.pageHeight && pages ? meta.pageHeight : meta.height;
  if (width && height) {
    const pixels = width * height * (pages ?? 1);
    if (pixels > limits.maxPixels) {
      throw new VerilensError(
        'too-many-pixels',
        `${path}: image declares ${width}x${height}${pages ? `x${pages} frames` : ''} = ${pixels.toLocaleString('en-US')} pixels, above the limit of ${limits.maxPixels.toLocaleString('en-US')} (a decompression bomb guard; raise it with --max-pixels if the file is genuine)`,
      );
    }
  }
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : undefined;
  return { width, height, orientation, pages };
}

/** Open a file as evidence: read-only, type by magic bytes, SHA-256 of the exact bytes, limits enforced. */
export async function openEvidence(input: string, limitsIn?: Partial<Limits>): Promise<Evidence> {
  const limits = resolveLimits(limitsIn);
  const path = resolve(input);
  const fh = await openReadOnly(path, input);
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new VerilensError('not-a-file', `${input}: is a directory`);
    if (!st.isFile()) throw new VerilensError('not-a-file', `${input}: not a regular file`);
    if (st.size === 0) throw new VerilensError('empty', `${input}: file is empty (0 bytes)`);
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, st.size));
    await fh.read(head, 0, head.length, 0);
    const kind: Sniffed = sniff(head);
    if (!kind.supported) {
      throw new VerilensError(
        'unsupported-type',
        `${input}: unsupported file type (detected: ${kind.signature}${kind.format !== 'unknown' ? `, ${kind.mime}` : ''}); Verilens analyses JPEG, PNG, WebP, GIF, TIFF, HEIC/AVIF images and MP4/MOV, WebM/MKV, AVI videos`,
      );
    }
    const maxBytes = kind.kind === 'video' ? limits.maxVideoBytes : limits.maxImageBytes;
    if (st.size > maxBytes) {
      throw new VerilensError(
        'too-large',
        `${input}: ${st.size.toLocaleString('en-US')} bytes is above the ${kind.kind} limit of ${maxBytes.toLocaleString('en-US')} bytes`,
      );
    }
    const info: EvidenceInfo = { sha256: '', bytes: st.size, type: kind.mime, kind: kind.kind ?? 'image', format: kind.format };
    if (kind.kind === 'video') {
      info.sha256 = await hashStream(fh, st.size);
      return Object.freeze({ input, path, info, limits, bytes: null });
    }
    const bytes = await readAll(fh, st.size);
    info.sha256 = createHash('sha256').update(bytes).digest('hex');
    const header = await readImageHeader(bytes, limits, input);
    if (header.width) info.width = header.width;
    if (header.height) info.height = header.height;
    if (header.pages) info.pages = header.pages;
    if (header.orientation) info.orientation = header.orientation;
    if (header.width && header.height) {
      const swap = (header.orientation ?? 1) >= 5;
      info.displayWidth = swap ? header.height : header.width;
      info.displayHeight = swap ? header.width : header.height;
    }
    const ev: Evidence = { input, path, info, limits, bytes, ...(header.decodeError ? { decodeError: header.decodeError } : {}) };
    return Object.freeze(ev);
  } finally {
    await fh.close();
  }
}
