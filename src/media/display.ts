import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import type { Blob64 } from '../contract/api.js';
import { VerilensError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { mediaToolPath } from './binaries.js';
import { fileArg, SAFE_INPUT_ARGS } from './probe.js';
import { mainError, runTool } from './process.js';

/**
 * What the UI shows of evidence: display renditions of images, thumbnails and single video frames,
 * made with the analyzers' own decoding rules (pixel limits, ffmpeg's file-only input, timeouts).
 * The evidence itself is never changed.
 */

// Formats Chromium shows natively; anything else is converted for display only.
const WEB_IMAGE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);
const THUMB_PX = 192;
const DISPLAY_MAX_PX = 8192;

export function b64(mime: string, data: Uint8Array, extra: Partial<Blob64> = {}): Blob64 {
  return { mime, base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'), ...extra };
}

/** Display rendition of an image: the exact bytes when the browser can show them, else a PNG. */
export async function displayImage(bytes: Uint8Array, mime: string): Promise<Blob64> {
  if (WEB_IMAGE.has(mime)) return b64(mime, bytes);
  const img = sharp(bytes, { failOn: 'none', limitInputPixels: 268_402_689 }).rotate();
  const { data, info } = await img
    .resize({ width: DISPLAY_MAX_PX, height: DISPLAY_MAX_PX, fit: 'inside', withoutEnlargement: true })
    .png({ compressionLevel: 3 })
    .toBuffer({ resolveWithObject: true });
  return b64('image/png', data, {
    width: info.width,
    height: info.height,
    note: `converted from ${mime} to PNG for display; the evidence file is unchanged`,
  });
}

/** One video frame at `timeSec` as JPEG (at most 1280 px wide), with the analyzers' ffmpeg rules (file protocol only, bounded output, timeout). */
export async function videoFrame(path: string, timeSec: number, label: string): Promise<Buffer> {
  const out = await runTool(
    mediaToolPath('ffmpeg'),
    [
      '-nostdin',
      '-hide_banner',
      '-v',
      'error',
      ...SAFE_INPUT_ARGS,
      '-ss',
      timeSec.toFixed(3),
      '-i',
      fileArg(path),
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
      '-frames:v',
      '1',
      '-vf',
      "scale='min(1280,iw)':-2",
      '-f',
      'image2pipe',
      '-c:v',
      'mjpeg',
      '-q:v',
      '3',
      'pipe:1',
    ],
    { timeoutMs: 20_000, maxStdoutBytes: 16 * 1024 * 1024, label },
  );
  if (out.stdout.length === 0)
    throw new VerilensError(
      'no-frame',
      `${label}: no frame at ${timeSec.toFixed(2)} s (${mainError(out.stderr) || 'past the end of the video'})`,
    );
  return out.stdout;
}

/** Small JPEG thumbnail with EXIF orientation applied. */
export async function thumbnail(bytes: Uint8Array): Promise<Blob64> {
  const { data, info } = await sharp(bytes, { failOn: 'none', limitInputPixels: 268_402_689 })
    .rotate()
    .resize({ width: THUMB_PX, height: THUMB_PX, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  return b64('image/jpeg', data, { width: info.width, height: info.height });
}

/** Read a file back from a case folder and check it is still the bytes its name promises. */
export async function readVerified(path: string, sha256: string): Promise<Uint8Array> {
  const data = await readFile(path);
  if (sha256Hex(data) !== sha256)
    throw new VerilensError('integrity', `${basename(path)} does not match its SHA-256 (the case folder was altered)`);
  return data;
}
