import type { JsonObject, JsonValue } from '../../contract/json.js';
import type { FaceLandmarks, Point } from './geometry.js';

/** One face from the `faces` analyzer, as this analyzer uses it. */
export interface FaceInput {
  index: number;
  /** Box area in display pixels (the main face is the largest). */
  area: number;
  landmarks: FaceLandmarks;
}

function num(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function isObj(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function point(v: JsonValue | undefined): Point | undefined {
  if (Array.isArray(v)) {
    const x = num(v[0]);
    const y = num(v[1]);
    return x !== undefined && y !== undefined ? { x, y } : undefined;
  }
  if (isObj(v)) {
    const x = num(v['x']);
    const y = num(v['y']);
    return x !== undefined && y !== undefined ? { x, y } : undefined;
  }
  return undefined;
}

const NAMED: Record<keyof FaceLandmarks, readonly string[]> = {
  rightEye: ['rightEye', 'right_eye', 'eyeRight'],
  leftEye: ['leftEye', 'left_eye', 'eyeLeft'],
  mouthRight: ['mouthRight', 'right_mouth', 'mouth_right', 'rightMouth'],
  mouthLeft: ['mouthLeft', 'left_mouth', 'mouth_left', 'leftMouth'],
};

/**
 * Five-point landmarks in the order right eye, left eye, nose, right mouth corner, left mouth
 * corner (subject's right/left, as YuNet and RetinaFace emit them), either as an array of points
 * or an object with named points.
 */
function landmarksOf(v: JsonValue | undefined): FaceLandmarks | undefined {
  if (Array.isArray(v) && v.length >= 5) {
    const p = v.map(point);
    const [re, le, , mr, ml] = p;
    return re && le && mr && ml ? { rightEye: re, leftEye: le, mouthRight: mr, mouthLeft: ml } : undefined;
  }
  if (isObj(v)) {
    const pick = (k: keyof FaceLandmarks): Point | undefined => NAMED[k].map((name) => point(v[name])).find((p) => p !== undefined);
    const re = pick('rightEye');
    const le = pick('leftEye');
    const mr = pick('mouthRight');
    const ml = pick('mouthLeft');
    return re && le && mr && ml ? { rightEye: re, leftEye: le, mouthRight: mr, mouthLeft: ml } : undefined;
  }
  return undefined;
}

function areaOf(face: JsonObject): number {
  const b = face['box'] ?? face['bbox'] ?? face['region'];
  if (isObj(b)) return (num(b['width']) ?? 0) * (num(b['height']) ?? 0);
  if (Array.isArray(b) && b.length >= 4) return (num(b[2]) ?? 0) * (num(b[3]) ?? 0);
  return 0;
}

/** Faces with usable landmarks from a `faces` result's data, largest first. Never throws. */
export function landmarksFromFaces(data: JsonObject): FaceInput[] {
  const list = data['faces'];
  if (!Array.isArray(list)) return [];
  const out: FaceInput[] = [];
  list.forEach((f, index) => {
    if (!isObj(f)) return;
    const lm = landmarksOf(f['landmarks'] ?? f['keypoints']);
    if (lm) out.push({ index, area: areaOf(f), landmarks: lm });
  });
  return out.sort((a, b) => b.area - a.area);
}
