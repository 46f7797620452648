import sharp from 'sharp';
import type { Evidence } from '../../evidence/intake.js';
import type { RgbImage } from '../../models/preprocess.js';
import { VerilensError } from '../../util/errors.js';

/** Longest side of the working image that face crops are cut from (enough for 256 px crops of selfie faces). */
export const WORK_MAX_SIDE = 2048;

/** The decoded picture as displayed (EXIF orientation applied), possibly downscaled. */
export interface WorkImage extends RgbImage {
  /** Display size of the evidence (orientation applied, before any downscale). */
  displayWidth: number;
  displayHeight: number;
  /** work pixels per display pixel (<= 1). */
  scale: number;
}

// One decode per evidence object, shared by faces, liveness and face-swap in the same run.
const cache = new WeakMap<Evidence, Promise<WorkImage>>();

async function decode(ev: Evidence): Promise<WorkImage> {
  if (!ev.bytes) throw new VerilensError('not-an-image', `${ev.input}: not a still image`);
  try {
    const base = sharp(ev.bytes, { failOn: 'truncated', limitInputPixels: ev.limits.maxPixels, pages: 1 }).rotate();
    const meta = await sharp(ev.bytes, { failOn: 'none', limitInputPixels: ev.limits.maxPixels, pages: 1 }).metadata();
    const w0 = meta.width ?? 0;
    const h0 = meta.pageHeight ?? meta.height ?? 0;
    const swap = (meta.orientation ?? 1) >= 5;
    const displayWidth = swap ? h0 : w0;
    const displayHeight = swap ? w0 : h0;
    if (!displayWidth || !displayHeight) throw new Error('no image size in the header');
    const { data, info } = await base
      .resize({ width: WORK_MAX_SIDE, height: WORK_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      displayWidth,
      displayHeight,
      scale: info.width / displayWidth,
    };
  } catch (err) {
    if (err instanceof VerilensError) throw err;
    throw new VerilensError('decode-failed', `${ev.input}: the image could not be decoded for face detection (${(err as Error).message})`);
  }
}

export function workImage(ev: Evidence): Promise<WorkImage> {
  let p = cache.get(ev);
  if (!p) {
    p = decode(ev);
    cache.set(ev, p);
  }
  return p;
}

/** Resize raw RGB with sharp (antialiased), e.g. to the detector's input size. */
export async function resizeRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return img;
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({ width, height, fit: 'fill', kernel: width > img.width ? 'cubic' : 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** PNG of raw RGB pixels (face-crop artifacts). */
export async function pngOf(img: RgbImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}
