import type { Box, Point } from './common.js';
import { defineContract } from './define.js';

/** Five landmarks in YuNet's order (subject's right/left), display pixels. */
export type FaceLandmarks = { rightEye: Point; leftEye: Point; nose: Point; mouthRight: Point; mouthLeft: Point };

/** One face as the `faces` analyzer reports it, in display pixels (EXIF orientation applied). */
export type FaceRecord = {
  index: number;
  box: Box;
  /** Detector confidence. */
  score: number;
  landmarks: FaceLandmarks;
  /** Box area as a fraction of the image area. */
  areaFraction: number;
  /** SHA-256 of the face-crop artifact. */
  crop: string | null;
};

export type FacesData = {
  faceCount: number;
  /** Largest first; liveness and face-swap report per-face results in this order. */
  faces: FaceRecord[];
  /** Index of the main (largest) face, or null. */
  mainFace: number | null;
  detection: { width: number; height: number; scoreThreshold: number; detector: string };
};

export const facesContract = defineContract<FacesData>()({
  id: 'faces',
  title: 'Face detection (YuNet): boxes, five landmarks and crops',
  artifacts: ['face-crop'],
  params: {
    maxFaces: { type: 'integer', min: 1, max: 200, default: 20, help: 'most faces reported per image' },
  },
  modelRoles: ['face-detector'],
});
