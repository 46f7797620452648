import type { Box, Point } from '../../models/preprocess.js';

/** One detection in detector-input pixel space. */
export interface Detection {
  box: Box;
  score: number;
  /** Right eye, left eye, nose tip, right mouth corner, left mouth corner (subject's right/left). */
  landmarks: Point[];
}

export interface YunetOutputs {
  /** Flat output arrays by name: cls_8/16/32, obj_*, bbox_*, kps_*. */
  [name: string]: Float32Array | undefined;
}

export const YUNET_STRIDES = [8, 16, 32] as const;

/**
 * Decode YuNet's raw outputs (libfacedetection.train / OpenCV FaceDetectorYN): per stride s, a grid
 * of (H/s) x (W/s) cells, row-major; score = sqrt(cls * obj); centre (col + dx) * s,
 * size exp(dw) * s; landmarks (kp + [col, row]) * s. Pure.
 */
export function decodeYunet(out: YunetOutputs, inW: number, inH: number, scoreThreshold: number): Detection[] {
  const dets: Detection[] = [];
  for (const s of YUNET_STRIDES) {
    const cols = Math.floor(inW / s);
    const rows = Math.floor(inH / s);
    const cls = out[`cls_${s}`];
    const obj = out[`obj_${s}`];
    const bbox = out[`bbox_${s}`];
    const kps = out[`kps_${s}`];
    if (!cls || !obj || !bbox || !kps) throw new Error(`YuNet output for stride ${s} is missing`);
    const n = rows * cols;
    if (cls.length < n || obj.length < n || bbox.length < n * 4 || kps.length < n * 10) throw new Error(`YuNet output for stride ${s} has the wrong size`);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const clsV = Math.min(1, Math.max(0, cls[i] as number));
        const objV = Math.min(1, Math.max(0, obj[i] as number));
        const score = Math.sqrt(clsV * objV);
        if (!(score >= scoreThreshold)) continue;
        const cx = (c + (bbox[i * 4] as number)) * s;
        const cy = (r + (bbox[i * 4 + 1] as number)) * s;
        const w = Math.exp(bbox[i * 4 + 2] as number) * s;
        const h = Math.exp(bbox[i * 4 + 3] as number) * s;
        if (!Number.isFinite(w) || !Number.isFinite(h)) continue;
        const landmarks: Point[] = [];
        for (let k = 0; k < 5; k++) landmarks.push([((kps[i * 10 + 2 * k] as number) + c) * s, ((kps[i * 10 + 2 * k + 1] as number) + r) * s]);
        dets.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score, landmarks });
      }
    }
  }
  return dets;
}

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression, highest score first. Pure. */
export function nms(dets: readonly Detection[], iouThreshold: number, topK = 200): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const keep: Detection[] = [];
  for (const d of sorted) {
    if (keep.length >= topK) break;
    if (keep.every((k) => iou(k.box, d.box) <= iouThreshold)) keep.push(d);
  }
  return keep;
}
