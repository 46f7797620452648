import type { CropSpec, InputSpec } from './manifest.js';

/** 8-bit RGB pixels, row-major, interleaved. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Axis-aligned box in pixel coordinates (x, y = top-left). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Point = [number, number];

/**
 * Affine map from output pixel (u, v) to source pixel (x, y):
 * x = a*u + b*v + c, y = d*u + e*v + f (pixel centres at integer + 0.5 are handled by callers).
 */
export type Affine = [number, number, number, number, number, number];

/** Bilinear resampling through an affine map, replicating the border (cv2.BORDER_REPLICATE). */
export function warpAffine(src: RgbImage, outW: number, outH: number, m: Affine): RgbImage {
  const out = new Uint8Array(outW * outH * 3);
  const { width: W, height: H, data } = src;
  const [a, b, c, d, e, f] = m;
  let o = 0;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      let x = a * u + b * v + c;
      let y = d * u + e * v + f;
      x = x < 0 ? 0 : x > W - 1 ? W - 1 : x;
      y = y < 0 ? 0 : y > H - 1 ? H - 1 : y;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = x0 + 1 < W ? x0 + 1 : x0;
      const y1 = y0 + 1 < H ? y0 + 1 : y0;
      const fx = x - x0;
      const fy = y - y0;
      const i00 = (y0 * W + x0) * 3;
      const i01 = (y0 * W + x1) * 3;
      const i10 = (y1 * W + x0) * 3;
      const i11 = (y1 * W + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = (data[i00 + ch] as number) * (1 - fx) + (data[i01 + ch] as number) * fx;
        const bot = (data[i10 + ch] as number) * (1 - fx) + (data[i11 + ch] as number) * fx;
        out[o++] = Math.round(top * (1 - fy) + bot * fy);
      }
    }
  }
  return { width: outW, height: outH, data: out };
}

/** Crop [x0, x1] x [y0, y1] (inclusive pixel indices) resized to outW x outH, like cv2.resize(INTER_LINEAR). */
export function cropResize(src: RgbImage, x0: number, y0: number, x1: number, y1: number, outW: number, outH: number): RgbImage {
  const sx = (x1 - x0 + 1) / outW;
  const sy = (y1 - y0 + 1) / outH;
  // Pixel-centre convention of cv2.resize: src = (dst + 0.5) * scale - 0.5.
  return warpAffine(src, outW, outH, [sx, 0, x0 + 0.5 * sx - 0.5, 0, sy, y0 + 0.5 * sy - 0.5]);
}

/**
 * Silent-Face-Anti-Spoofing's crop rule (src/generate_patches.py, CropImage._get_new_box): the face
 * box scaled about its centre (scale capped so it fits the image), shifted back inside the image.
 * Returns inclusive integer corners.
 */
export function scaledBox(imgW: number, imgH: number, box: Box, scaleIn: number): { x0: number; y0: number; x1: number; y1: number } {
  const scale = Math.min((imgH - 1) / box.height, (imgW - 1) / box.width, scaleIn);
  const nw = box.width * scale;
  const nh = box.height * scale;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let ltx = cx - nw / 2;
  let lty = cy - nh / 2;
  let rbx = cx + nw / 2;
  let rby = cy + nh / 2;
  if (ltx < 0) {
    rbx -= ltx;
    ltx = 0;
  }
  if (lty < 0) {
    rby -= lty;
    lty = 0;
  }
  if (rbx > imgW - 1) {
    ltx -= rbx - imgW + 1;
    rbx = imgW - 1;
  }
  if (rby > imgH - 1) {
    lty -= rby - imgH + 1;
    rby = imgH - 1;
  }
  return { x0: Math.trunc(ltx), y0: Math.trunc(lty), x1: Math.trunc(rbx), y1: Math.trunc(rby) };
}

/**
 * Square crop of side `margin` x the box's longer side, centred between the eyes' midpoint and the
 * box centre, rotated so the eyes are level. Returns the output-to-source map.
 */
export function alignedFaceAffine(box: Box, rightEye: Point, leftEye: Point, margin: number, outSize: number): Affine {
  // Landmarks are in image space: "right eye" is the subject's right, on the viewer's left.
  const dx = leftEye[0] - rightEye[0];
  const dy = leftEye[1] - rightEye[1];
  const angle = Math.atan2(dy, dx);
  const side = Math.max(box.width, box.height) * margin;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const s = side / outSize;
  const cos = Math.cos(angle) * s;
  const sin = Math.sin(angle) * s;
  const h = (outSize - 1) / 2;
  // x = cx + cos*(u-h) - sin*(v-h); y = cy + sin*(u-h) + cos*(v-h)
  return [cos, -sin, cx - cos * h + sin * h, sin, cos, cy - sin * h - cos * h];
}

/** Cut a model input from the image per the manifest's crop spec. */
export function cropFor(src: RgbImage, crop: CropSpec, outW: number, outH: number, face?: { box: Box; landmarks: Point[] }): RgbImage {
  switch (crop.kind) {
    case 'image':
      return cropResize(src, 0, 0, src.width - 1, src.height - 1, outW, outH);
    case 'box-scale': {
      if (!face) throw new Error('box-scale crop needs a face');
      const b = scaledBox(src.width, src.height, face.box, crop.scale);
      return cropResize(src, b.x0, b.y0, b.x1, b.y1, outW, outH);
    }
    case 'aligned-face': {
      if (!face) throw new Error('aligned-face crop needs a face');
      const re = face.landmarks[0];
      const le = face.landmarks[1];
      const m: Affine = re && le ? alignedFaceAffine(face.box, re, le, crop.margin, outW) : alignedFaceAffine(face.box, [0, 0], [1, 0], crop.margin, outW);
      return warpAffine(src, outW, outH, m);
    }
  }
}

/** Pixels to a float tensor per the manifest's input spec (layout, channel order, scaling). */
export function toTensor(img: RgbImage, spec: InputSpec): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * 3);
  const order = spec.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const { scale, mean, std } = spec;
  for (let c = 0; c < 3; c++) {
    const srcCh = order[c] as number;
    const mu = mean[c] as number;
    const sd = std[c] as number;
    for (let i = 0; i < n; i++) {
      const v = ((img.data[i * 3 + srcCh] as number) * scale - mu) / sd;
      if (spec.layout === 'NCHW') out[c * n + i] = v;
      else out[i * 3 + c] = v;
    }
  }
  return out;
}

export function tensorDims(spec: InputSpec, batch: number, width: number, height: number): number[] {
  return spec.layout === 'NCHW' ? [batch, 3, height, width] : [batch, height, width, 3];
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function softmax(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
