import { classify, type FaceGeometry } from '../../models/classifier.js';
import type { RgbImage } from '../../models/preprocess.js';
import type { ModelRegistry, VerifiedModel } from '../../models/registry.js';
import { VerilensError } from '../../util/errors.js';
import { fuseSwap } from '../face-swap/index.js';
import { detectFaces } from '../faces/detect.js';
import { FACE_DETECTOR_ID } from '../faces/index.js';
import { fuseLive, LIVENESS_MODELS } from '../liveness/index.js';
import type { FrameFace } from './track.js';

/** The same verified models the still-image checks use: YuNet, the MiniFASNet pair, the MesoNet heads. */
export interface FrameModels {
  detector: VerifiedModel;
  liveness: VerifiedModel[];
  swap: VerifiedModel[];
}

export async function loadFrameModels(registry: ModelRegistry): Promise<FrameModels> {
  const detector = await registry.session(FACE_DETECTOR_ID);
  const liveness: VerifiedModel[] = [];
  for (const id of LIVENESS_MODELS) liveness.push(await registry.session(id));
  const entries = await registry.entries('face-swap');
  if (entries.length === 0) throw new VerilensError('model-integrity', `no face-swap model is listed in ${registry.dirs.map((d) => `${d}/manifest.json`).join(' or ')}`);
  const swap: VerifiedModel[] = [];
  for (const e of entries) swap.push(await registry.session(e.entry.id));
  return { detector, liveness, swap };
}

export interface FrameAnalysisOptions {
  /** Work pixels per display pixel of the video (frames are decoded at most WORK_MAX_SIDE). */
  scale: number;
  maxFaces: number;
  /** Only the largest faces of a frame go through the classifiers (cost is per face). */
  classifyFaces: number;
  signal: AbortSignal;
}

export interface FrameAnalysis {
  faces: FrameFace[];
  detectMs: number;
  classifyMs: number;
}

/**
 * Detect faces on one raw RGB frame and score the largest ones with the liveness and face-swap
 * models, exactly as the still-image analyzers do (same detector settings, crops and fusion).
 * Boxes come back in display pixels of the video.
 */
export async function analyzeFrame(m: FrameModels, img: RgbImage, o: FrameAnalysisOptions): Promise<FrameAnalysis> {
  const th = m.detector.entry.thresholds;
  const t0 = performance.now();
  const det = await detectFaces(m.detector, img, {
    scoreThreshold: th['score'] ?? 0.6,
    nmsIou: th['nmsIou'] ?? 0.3,
    maxSide: th['detectMaxSide'] ?? 640,
    minSide: 160,
    maxFaces: o.maxFaces,
  });
  const t1 = performance.now();
  o.signal.throwIfAborted();
  const scored = det.faces.slice(0, o.classifyFaces);
  const geometry: FaceGeometry[] = scored.map((d) => ({ box: d.box, landmarks: d.landmarks }));
  let lives: number[][] = [];
  let swaps: number[][] = [];
  if (geometry.length) {
    lives = [];
    for (const vm of m.liveness) lives.push((await classify(vm, img, geometry)).map((r) => 1 - r.probManipulated));
    o.signal.throwIfAborted();
    swaps = [];
    for (const vm of m.swap) swaps.push((await classify(vm, img, geometry)).map((r) => r.probManipulated));
  }
  const t2 = performance.now();
  const inv = 1 / o.scale;
  const faces: FrameFace[] = det.faces.map((d, k) => ({
    box: { x: d.box.x * inv, y: d.box.y * inv, width: d.box.width * inv, height: d.box.height * inv },
    landmarks: d.landmarks.map(([x, y]) => [x * inv, y * inv]),
    detScore: d.score,
    spoof: k < scored.length ? 1 - fuseLive(lives.map((l) => l[k] ?? 0)) : null,
    swap: k < scored.length ? fuseSwap(swaps.map((s) => s[k] ?? 0)) : null,
  }));
  return { faces, detectMs: t1 - t0, classifyMs: t2 - t1 };
}
