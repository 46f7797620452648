import { okData, type AnalyzerResults } from '../../../src/contract/analyzers/index.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Which check a per-face score comes from: liveness (spoof probability) or face-swap. */
export type FaceScoreKind = 'liveness' | 'face-swap';

export interface FaceMark {
  index: number;
  box: Box;
  landmarks: { x: number; y: number }[];
  /** Detector confidence, when given. */
  confidence?: number;
  /** Per-face scores from the later checks (higher = worse). */
  scores: Partial<Record<FaceScoreKind, number>>;
}

/** Faces from the `faces` analyzer, with their liveness (spoof) and face-swap scores. */
export function collectFaces(results: AnalyzerResults): FaceMark[] {
  const faces = okData(results, 'faces')?.faces ?? [];
  const liveness = okData(results, 'liveness')?.faces ?? [];
  const swap = okData(results, 'face-swap')?.faces ?? [];
  return faces.map((f) => {
    const scores: FaceMark['scores'] = {};
    const l = liveness.find((x) => x.index === f.index);
    if (l) scores.liveness = l.spoof;
    const s = swap.find((x) => x.index === f.index);
    if (s) scores['face-swap'] = s.score;
    const lm = f.landmarks;
    return {
      index: f.index,
      box: { ...f.box },
      landmarks: [lm.rightEye, lm.leftEye, lm.nose, lm.mouthRight, lm.mouthLeft].map(([x, y]) => ({ x, y })),
      confidence: f.score,
      scores,
    };
  });
}

/** Short label for a per-face score in the overlay (what the number measures, higher = worse). */
export function scoreLabel(kind: FaceScoreKind): string {
  return kind === 'liveness' ? 'spoof' : 'swap';
}

/** A face's scores in display order (liveness first). */
export function faceScores(f: FaceMark): [FaceScoreKind, number][] {
  return (['liveness', 'face-swap'] as const).flatMap((k) => (f.scores[k] === undefined ? [] : [[k, f.scores[k]] as [FaceScoreKind, number]]));
}
