/**
 * Face geometry against the FFHQ alignment (pure; no I/O).
 *
 * FFHQ (Karras, Laine and Aila 2019, "A Style-Based Generator Architecture for Generative
 * Adversarial Networks", CVPR) was built by cropping every photo with one fixed rule,
 * `recreate_aligned_images` in NVlabs/ffhq-dataset `download_ffhq.py`. From the eye centres and
 * the mouth corners:
 *   eye_to_eye = eye_R - eye_L (image left to image right), eye_to_mouth = mouth_avg - eye_avg,
 *   x = eye_to_eye - rot90(eye_to_mouth), scaled to max(2.0 |eye_to_eye|, 1.8 |eye_to_mouth|),
 *   centre c = eye_avg + 0.1 eye_to_mouth, and the square crop has side 2|x|, axis x.
 * Generators trained on FFHQ (StyleGAN 1/2/3, and models fine-tuned from them) reproduce that
 * framing, so running the same rule on the landmarks of one of their images gives back (almost)
 * the whole image: centre at the image centre, side equal to the image side, no roll. For typical
 * proportions (|eye_to_mouth| ~ |eye_to_eye|) the eyes land near (0.375, 0.475) and (0.625, 0.475)
 * of the square. We report how far the file is from that fixed point.
 */

// Type aliases (not interfaces) so results are assignable to JsonValue.
export type Point = {
  x: number;
  y: number;
};

/** Five-point landmarks in display pixels. "Right"/"left" are the subject's: the right eye is on the image's left. */
export type FaceLandmarks = {
  rightEye: Point;
  leftEye: Point;
  mouthRight: Point;
  mouthLeft: Point;
};

export type FfhqAlignment = {
  /** Centre of the crop FFHQ's rule would take, as a fraction of the image width and height. */
  centre: Point;
  /** Side of that crop divided by the image width and by the image height. */
  scaleX: number;
  scaleY: number;
  /** Roll of the crop's x axis in degrees (0 for an FFHQ output). */
  rollDeg: number;
  /** Eye centres as fractions of width and height (image-left eye first). */
  eyes: [Point, Point];
  /** Larger distance of the two eyes from FFHQ's typical eye positions, as a fraction of the side (shown, not scored). */
  eyeTemplateDistance: number;
  /**
   * Largest deviation from an FFHQ output framing, as a fraction of the image side:
   * max(|centre - 0.5| on each axis, |scale - 1| / 2 on each axis, roll as the arc at half the side,
   * |width - height| / longer side). FFHQ outputs are square, so a non-square image never matches.
   * 0 means exactly the FFHQ framing.
   */
  deviation: number;
};

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

/**
 * Typical eye positions in an FFHQ image, from the rule with |eye_to_mouth| = |eye_to_eye|:
 * side = 4 |eye_to_eye|, so the eyes sit 1/8 of the side either side of the centre and
 * 0.1 |eye_to_mouth| / side = 0.025 above it. StyleGAN3 faces measured with YuNet landmarks:
 * (0.377, 0.463) and (0.627, 0.464), standard deviation about 0.01.
 */
export const FFHQ_EYES: readonly [Point, Point] = [
  { x: 0.375, y: 0.475 },
  { x: 0.625, y: 0.475 },
];

/** The oriented square FFHQ's rule crops: centre, half side and the unit x axis (display pixels). */
export type FfhqQuad = {
  centre: Point;
  halfSide: number;
  axis: Point;
};

/** FFHQ's crop rectangle from landmarks, exactly as `recreate_aligned_images` (rotate_level=True) computes it. */
export function ffhqQuad(lm: FaceLandmarks): FfhqQuad {
  const eL = lm.rightEye; // image-left
  const eR = lm.leftEye;
  const eyeAvg = { x: (eL.x + eR.x) / 2, y: (eL.y + eR.y) / 2 };
  const mouthAvg = { x: (lm.mouthRight.x + lm.mouthLeft.x) / 2, y: (lm.mouthRight.y + lm.mouthLeft.y) / 2 };
  const e2e = { x: eR.x - eL.x, y: eR.y - eL.y };
  const e2m = { x: mouthAvg.x - eyeAvg.x, y: mouthAvg.y - eyeAvg.y };
  // x = eye_to_eye - flipud(eye_to_mouth) * [-1, 1]
  const ax = e2e.x + e2m.y;
  const ay = e2e.y - e2m.x;
  const norm = Math.hypot(ax, ay) || 1;
  return {
    centre: { x: eyeAvg.x + 0.1 * e2m.x, y: eyeAvg.y + 0.1 * e2m.y },
    halfSide: Math.max(Math.hypot(e2e.x, e2e.y) * 2.0, Math.hypot(e2m.x, e2m.y) * 1.8),
    axis: { x: ax / norm, y: ay / norm },
  };
}

/** Apply the FFHQ alignment rule to landmarks and measure the result against the image frame. */
export function ffhqAlignment(lm: FaceLandmarks, width: number, height: number): FfhqAlignment {
  const q = ffhqQuad(lm);
  const c = q.centre;
  const side = 2 * q.halfSide;
  const eL = lm.rightEye;
  const eR = lm.leftEye;
  const centre = { x: c.x / width, y: c.y / height };
  const scaleX = side / width;
  const scaleY = side / height;
  const rollDeg = (Math.atan2(q.axis.y, q.axis.x) * 180) / Math.PI;
  const deviation = Math.max(
    Math.abs(centre.x - 0.5),
    Math.abs(centre.y - 0.5),
    Math.abs(scaleX - 1) / 2,
    Math.abs(scaleY - 1) / 2,
    Math.abs(Math.sin((rollDeg * Math.PI) / 180)) / 2,
    Math.abs(width - height) / Math.max(width, height),
  );
  return {
    centre: { x: r4(centre.x), y: r4(centre.y) },
    scaleX: r4(scaleX),
    scaleY: r4(scaleY),
    rollDeg: Math.round(rollDeg * 100) / 100,
    eyes: [
      { x: r4(eL.x / width), y: r4(eL.y / height) },
      { x: r4(eR.x / width), y: r4(eR.y / height) },
    ],
    eyeTemplateDistance: r4(
      Math.max(
        Math.hypot(eL.x / width - FFHQ_EYES[0].x, eL.y / height - FFHQ_EYES[0].y),
        Math.hypot(eR.x / width - FFHQ_EYES[1].x, eR.y / height - FFHQ_EYES[1].y),
      ),
    ),
    deviation: r4(deviation),
  };
}
