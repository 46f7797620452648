import type { ResultOf } from '../../contract/analyzers/index.js';
import type { FaceRecord } from '../../contract/analyzers/faces.js';
import type { ModelUse } from '../../contract/results.js';
import type { EngineServices } from '../../engine/services.js';
import type { FaceGeometry } from '../../models/classifier.js';
import type { ModelRegistry } from '../../models/registry.js';
import type { Point } from '../../models/preprocess.js';
import { VerilensError } from '../../util/errors.js';

/** Landmark names in YuNet's order (subject's right/left). */
export const LANDMARK_NAMES = ['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft'] as const;

export type { FaceRecord } from '../../contract/analyzers/faces.js';

export const round1 = (v: number): number => Math.round(v * 10) / 10;
export const round4 = (v: number): number => Math.round(v * 10000) / 10000;

export function registryOf(services: EngineServices): ModelRegistry {
  const r = services.models;
  if (!r) throw new VerilensError('no-models', 'no model service was configured for this analysis (createEngineServices() was not used)');
  return r;
}

/** The faces found by the `faces` analyzer, in its order, mapped into work-image pixels. */
export function facesFrom(result: ResultOf<'faces'> | undefined, scale: number): { record: FaceRecord; geometry: FaceGeometry }[] {
  if (result?.status !== 'ok') return [];
  return result.data.faces.map((f) => ({
    record: f,
    geometry: {
      box: { x: f.box.x * scale, y: f.box.y * scale, width: f.box.width * scale, height: f.box.height * scale },
      landmarks: LANDMARK_NAMES.map((n): Point => [f.landmarks[n][0] * scale, f.landmarks[n][1] * scale]),
    },
  }));
}

export function usesOf(...uses: ModelUse[]): ModelUse[] {
  return uses;
}
