import { okData, type AnalyzerResults } from '../../../src/contract/analyzers/index.js';
import type { FaceMark } from './faces.js';

export interface FrameSample {
  t: number;
  faces: { box: { x: number; y: number; width: number; height: number }; spoof: number | null; swap: number | null; track: number }[];
}

export interface VideoFacts {
  duration: number;
  samples: FrameSample[];
  /** Pixel space of the per-frame boxes (the analyzer's working size). */
  work?: { width: number; height: number };
}

/** Duration (container, or the video-faces stream facts) and the per-frame face samples of `video-faces`. */
export function videoFacts(results: AnalyzerResults): VideoFacts {
  const vf = okData(results, 'video-faces');
  const container = okData(results, 'container');
  const samples: FrameSample[] = (vf?.perFrame ?? []).map((f) => ({ t: f.t, faces: f.faces.map((x) => ({ box: x.box, spoof: x.spoof, swap: x.swap, track: x.track })) }));
  const duration = Math.max(container?.duration ?? 0, vf?.video.duration ?? 0, samples.at(-1)?.t ?? 0);
  return { duration, samples, ...(vf ? { work: { width: vf.sampling.workWidth, height: vf.sampling.workHeight } } : {}) };
}

/** The sample nearest to `t` (within half a second), as face marks scaled to the frame shown. */
export function facesAt(v: VideoFacts, t: number, frame: { width: number; height: number }): FaceMark[] {
  let best: FrameSample | undefined;
  for (const s of v.samples) if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  if (!best || Math.abs(best.t - t) > 0.5 || !v.work) return [];
  const kx = frame.width / v.work.width;
  const ky = frame.height / v.work.height;
  return best.faces.map((f, index) => {
    const scores: FaceMark['scores'] = {};
    if (f.spoof !== null) scores.liveness = f.spoof;
    if (f.swap !== null) scores['face-swap'] = f.swap;
    return { index, box: { x: f.box.x * kx, y: f.box.y * ky, width: f.box.width * kx, height: f.box.height * ky }, landmarks: [], scores };
  });
}
