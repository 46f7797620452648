import type { RgbImage } from '../../models/preprocess.js';
import { toTensor } from '../../models/preprocess.js';
import { runModel, type VerifiedModel } from '../../models/registry.js';
import { VerilensError } from '../../util/errors.js';
import { resizeRgb } from './image.js';
import { decodeYunet, nms, type Detection, type YunetOutputs } from './yunet.js';

export interface DetectOptions {
  scoreThreshold: number;
  nmsIou: number;
  /** Longest side at detection scale (images are downscaled to it, never upscaled beyond 2x). */
  maxSide: number;
  /** Images smaller than this (longest side) are upscaled so small whole-frame faces are found. */
  minSide: number;
  maxFaces: number;
}

/** Detection size for an image: fit inside maxSide, at least minSide, rounded to whole pixels. */
export function detectionSize(w: number, h: number, maxSide: number, minSide: number): { width: number; height: number; factor: number } {
  const long = Math.max(w, h);
  const factor = long > maxSide ? maxSide / long : long < minSide ? minSide / long : 1;
  return { width: Math.max(1, Math.round(w * factor)), height: Math.max(1, Math.round(h * factor)), factor };
}

/** Copy into a zero-padded canvas whose sides are multiples of `stride` (YuNet's dynamic input). */
export function padTo(img: RgbImage, stride: number): RgbImage {
  const W = Math.max(stride, Math.ceil(img.width / stride) * stride);
  const H = Math.max(stride, Math.ceil(img.height / stride) * stride);
  if (W === img.width && H === img.height) return img;
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), y * W * 3);
  return { width: W, height: H, data };
}

/** Run YuNet on an image; detections come back in that image's pixel space, largest first. */
export async function detectFaces(vm: VerifiedModel, img: RgbImage, opts: DetectOptions): Promise<{ faces: Detection[]; width: number; height: number }> {
  const size = detectionSize(img.width, img.height, opts.maxSide, opts.minSide);
  const small = await resizeRgb(img, size.width, size.height);
  const stride = vm.entry.input.stride ?? 32;
  const padded = padTo(small, stride);
  const outs = await runModel(vm, toTensor(padded, vm.entry.input), [1, 3, padded.height, padded.width]);
  const flat: YunetOutputs = {};
  for (const [k, t] of Object.entries(outs)) flat[k] = t.data as Float32Array;
  let dets: Detection[];
  try {
    dets = decodeYunet(flat, padded.width, padded.height, opts.scoreThreshold);
  } catch (err) {
    throw new VerilensError('model-output', `YuNet produced unexpected outputs: ${(err as Error).message}`);
  }
  const kept = nms(dets, opts.nmsIou, opts.maxFaces * 4);
  const fx = img.width / size.width;
  const fy = img.height / size.height;
  const faces = kept
    .map((d) => {
      // Clip to the real image (padding is black and lies outside it).
      const x0 = Math.max(0, d.box.x) * fx;
      const y0 = Math.max(0, d.box.y) * fy;
      const x1 = Math.min(size.width, d.box.x + d.box.width) * fx;
      const y1 = Math.min(size.height, d.box.y + d.box.height) * fy;
      return { score: d.score, box: { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) }, landmarks: d.landmarks.map(([x, y]) => [x * fx, y * fy] as [number, number]) };
    })
    .filter((d) => d.box.width >= 2 && d.box.height >= 2)
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)
    .slice(0, opts.maxFaces);
  return { faces, width: size.width, height: size.height };
}
