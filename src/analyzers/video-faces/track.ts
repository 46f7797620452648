import type { TemporalStats } from '../../contract/analyzers/video-faces.js';
import type { Box, Point } from '../../models/preprocess.js';
import { iou } from '../faces/yunet.js';

/** One face seen in one sampled frame, in display pixels of the original video. */
export interface FrameFace {
  box: Box;
  landmarks: Point[];
  detScore: number;
  /** 1 - fused live probability (MiniFASNet pair); null when not classified. */
  spoof: number | null;
  /** Fused face-swap probability (MesoNet); null when not classified. */
  swap: number | null;
}

export interface FrameObs {
  index: number;
  time: number;
  faces: FrameFace[];
}

export interface TrackPoint {
  frame: number;
  time: number;
  face: FrameFace;
}

export interface Track {
  id: number;
  points: TrackPoint[];
}

export const TRACK_PARAMS = Object.freeze({
  /** IoU that continues a track. */
  minIou: 0.2,
  /** ...or a centre within this many face sizes with a similar size (fast head moves at 2 frames/s). */
  maxCentreShift: 1.5,
  maxScaleRatio: 2,
  /** A track not seen for this many seconds is closed. */
  maxGapSeconds: 2,
});

const centre = (b: Box): Point => [b.x + b.width / 2, b.y + b.height / 2];
const size = (b: Box): number => Math.sqrt(Math.max(1, b.width * b.height));

/** Centre displacement in face sizes, and the larger/smaller size ratio, between two boxes. Pure. */
export function boxMotion(a: Box, b: Box): { shift: number; scale: number } {
  const [ax, ay] = centre(a);
  const [bx, by] = centre(b);
  const s = (size(a) + size(b)) / 2;
  const sa = size(a);
  const sb = size(b);
  return { shift: Math.hypot(ax - bx, ay - by) / s, scale: Math.max(sa, sb) / Math.min(sa, sb) };
}

function affinity(a: Box, b: Box): number {
  const o = iou(a, b);
  if (o >= TRACK_PARAMS.minIou) return 1 + o;
  const m = boxMotion(a, b);
  if (m.shift <= TRACK_PARAMS.maxCentreShift && m.scale <= TRACK_PARAMS.maxScaleRatio) return 1 - m.shift / (TRACK_PARAMS.maxCentreShift + 1);
  return 0;
}

/** Greedy IoU tracking (with a centre-distance fallback for sparse sampling). Pure. */
export function trackFaces(frames: readonly FrameObs[]): Track[] {
  const tracks: Track[] = [];
  const open: Track[] = [];
  for (const fr of frames) {
    for (let i = open.length - 1; i >= 0; i--) {
      const last = open[i]?.points.at(-1);
      if (!last || fr.time - last.time > TRACK_PARAMS.maxGapSeconds) open.splice(i, 1);
    }
    const pairs: { t: Track; f: number; a: number }[] = [];
    for (const t of open) {
      const last = t.points.at(-1) as TrackPoint;
      fr.faces.forEach((face, f) => {
        const a = affinity(last.face.box, face.box);
        if (a > 0) pairs.push({ t, f, a });
      });
    }
    pairs.sort((p, q) => q.a - p.a);
    const usedT = new Set<Track>();
    const usedF = new Set<number>();
    for (const p of pairs) {
      if (usedT.has(p.t) || usedF.has(p.f)) continue;
      usedT.add(p.t);
      usedF.add(p.f);
      p.t.points.push({ frame: fr.index, time: fr.time, face: fr.faces[p.f] as FrameFace });
    }
    fr.faces.forEach((face, f) => {
      if (usedF.has(f)) return;
      const t: Track = { id: tracks.length, points: [{ frame: fr.index, time: fr.time, face }] };
      tracks.push(t);
      open.push(t);
    });
  }
  return tracks;
}

/** The main track: the face that is on screen longest and largest (sum of face sizes). Pure. */
export function mainTrack(tracks: readonly Track[]): Track | null {
  let best: Track | null = null;
  let bestW = -1;
  for (const t of tracks) {
    const w = t.points.reduce((s, p) => s + size(p.face.box), 0);
    if (w > bestW) {
      best = t;
      bestW = w;
    }
  }
  return best;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Highest mean over `width` consecutive values, with where it starts. Pure. */
export function worstWindow(values: readonly (number | null)[], width: number): { start: number; mean: number } | null {
  const w = Math.max(1, Math.floor(width));
  let best: { start: number; mean: number } | null = null;
  for (let i = 0; i + w <= values.length; i++) {
    const win = values.slice(i, i + w);
    if (win.some((v) => v === null)) continue;
    const mean = (win as number[]).reduce((a, b) => a + b, 0) / w;
    if (!best || mean > best.mean) best = { start: i, mean };
  }
  return best;
}

/** Landmarks relative to the box (centre origin, box-size units): pose and expression, not position. */
function normLandmarks(f: FrameFace): number[] {
  const [cx, cy] = centre(f.box);
  const s = size(f.box);
  return f.landmarks.flatMap(([x, y]) => [(x - cx) / s, (y - cy) / s]);
}

export type { TemporalStats } from '../../contract/analyzers/video-faces.js';

export const TEMPORAL_PARAMS = Object.freeze({ jumpShift: 0.75, jumpScale: 1.5, flickerDelta: 0.3 });

/** Temporal consistency of one track. `maxDt` is the largest gap (s) still treated as consecutive. Pure. */
export function temporalStats(points: readonly TrackPoint[], maxDt: number, spoofThreshold: number, swapThreshold: number): TemporalStats & { jumpTimes: number[]; flickerTimes: number[] } {
  let intervals = 0;
  let jumps = 0;
  let maxShift: number | null = null;
  const jitters: number[] = [];
  let spoofFlips = 0;
  let swapFlips = 0;
  const jumpTimes: number[] = [];
  const flickerTimes: number[] = [];
  const flipped = (a: number | null, b: number | null, th: number): boolean => a !== null && b !== null && Math.abs(a - b) > TEMPORAL_PARAMS.flickerDelta && a >= th !== b >= th;
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1] as TrackPoint;
    const q = points[i] as TrackPoint;
    if (q.time - p.time > maxDt) continue;
    intervals++;
    const m = boxMotion(p.face.box, q.face.box);
    maxShift = Math.max(maxShift ?? 0, m.shift);
    if (m.shift > TEMPORAL_PARAMS.jumpShift || m.scale > TEMPORAL_PARAMS.jumpScale) {
      jumps++;
      jumpTimes.push(q.time);
    }
    const a = normLandmarks(p.face);
    const b = normLandmarks(q.face);
    if (a.length === b.length && a.length > 0) jitters.push(a.reduce((s, v, k) => s + Math.abs(v - (b[k] as number)), 0) / a.length);
    const sf = flipped(p.face.spoof, q.face.spoof, spoofThreshold);
    const wf = flipped(p.face.swap, q.face.swap, swapThreshold);
    if (sf) spoofFlips++;
    if (wf) swapFlips++;
    if (sf || wf) flickerTimes.push(q.time);
  }
  const j = median(jitters);
  return {
    intervals,
    jumps,
    maxShift: maxShift === null ? null : Math.round(maxShift * 1000) / 1000,
    landmarkJitter: j === null ? null : Math.round(j * 10000) / 10000,
    spoofFlips,
    swapFlips,
    jumpTimes,
    flickerTimes,
  };
}
