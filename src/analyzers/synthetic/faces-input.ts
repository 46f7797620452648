import type { FacesData } from '../../contract/analyzers/faces.js';
import type { FaceLandmarks } from './geometry.js';

/** One face from the `faces` analyzer, as this analyzer uses it. */
export interface FaceInput {
  index: number;
  /** Box area in display pixels (the main face is the largest). */
  area: number;
  landmarks: FaceLandmarks;
}

/** The faces of a `faces` result with their eye and mouth landmarks, largest first. Pure. */
export function landmarksFromFaces(data: FacesData): FaceInput[] {
  const pt = ([x, y]: [number, number]): { x: number; y: number } => ({ x, y });
  return data.faces
    .map((f) => ({
      index: f.index,
      area: f.box.width * f.box.height,
      landmarks: { rightEye: pt(f.landmarks.rightEye), leftEye: pt(f.landmarks.leftEye), mouthRight: pt(f.landmarks.mouthRight), mouthLeft: pt(f.landmarks.mouthLeft) },
    }))
    .sort((a, b) => b.area - a.area);
}
