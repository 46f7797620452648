import type { JsonObject, JsonValue } from '../../contract/json.js';
import type { AnalyzerResult, ModelUse } from '../../contract/results.js';
import type { EngineServices } from '../../engine/services.js';
import type { FaceGeometry } from '../../models/classifier.js';
import type { ModelRegistry } from '../../models/registry.js';
import type { Point } from '../../models/preprocess.js';
import { VerilensError } from '../../util/errors.js';

/** Landmark names in YuNet's order (subject's right/left). */
export const LANDMARK_NAMES = ['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft'] as const;

/** One face as the `faces` analyzer reports it, in display pixels (EXIF orientation applied). */
export interface FaceRecord {
  [key: string]: JsonValue;
  index: number;
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: { rightEye: [number, number]; leftEye: [number, number]; nose: [number, number]; mouthRight: [number, number]; mouthLeft: [number, number] };
  /** Box area as a fraction of the image area. */
  areaFraction: number;
  /** SHA-256 of the face-crop artifact. */
  crop: string | null;
}

export const round1 = (v: number): number => Math.round(v * 10) / 10;
export const round4 = (v: number): number => Math.round(v * 10000) / 10000;

export function registryOf(services: EngineServices): ModelRegistry {
  const r = services.models;
  if (!r) throw new VerilensError('no-models', 'no model service was configured for this analysis (createEngineServices() was not used)');
  return r;
}

function isObj(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pt(v: JsonValue | undefined): Point | null {
  return Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number' ? [v[0], v[1]] : null;
}

/** The faces found by the `faces` analyzer, in its order, mapped into work-image pixels. */
export function facesFrom(result: AnalyzerResult | undefined, scale: number): { record: JsonObject; geometry: FaceGeometry }[] {
  const list = result?.data['faces'];
  if (!Array.isArray(list)) return [];
  const out: { record: JsonObject; geometry: FaceGeometry }[] = [];
  for (const f of list) {
    if (!isObj(f) || !isObj(f['box']) || !isObj(f['landmarks'])) continue;
    const b = f['box'];
    const lm = f['landmarks'];
    const [x, y, w, h] = [b['x'], b['y'], b['width'], b['height']];
    if (typeof x !== 'number' || typeof y !== 'number' || typeof w !== 'number' || typeof h !== 'number') continue;
    const points = LANDMARK_NAMES.map((n) => pt(lm[n]));
    if (points.some((p) => p === null)) continue;
    out.push({
      record: f,
      geometry: { box: { x: x * scale, y: y * scale, width: w * scale, height: h * scale }, landmarks: (points as Point[]).map(([px, py]) => [px * scale, py * scale]) },
    });
  }
  return out;
}

export function usesOf(...uses: ModelUse[]): ModelUse[] {
  return uses;
}
