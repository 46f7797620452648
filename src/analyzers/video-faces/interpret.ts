import type { TrackSummary } from '../../contract/analyzers/video-faces.js';
import type { Finding, Verdict } from '../../contract/results.js';
import { SMALL_FACE_PX } from '../faces/index.js';
import { median, TEMPORAL_PARAMS, worstWindow, type TemporalStats, type Track } from './track.js';

/** Samples in a "worst window" (1.5 s at the default 2 frames/s). */
export const WINDOW_SAMPLES = 3;
/** Median landmark change between samples (box-size units) above which the face geometry is called jittery. */
export const LANDMARK_JITTER_WARN = 0.06;

const r4 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10000) / 10000);
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r1 = (v: number): number => Math.round(v * 10) / 10;

export type { TrackSummary } from '../../contract/analyzers/video-faces.js';

/** Median scores, size and worst windows of one track. Pure. */
export function summarise(t: Track, window: number): TrackSummary {
  const spoofs = t.points.map((p) => p.face.spoof);
  const swaps = t.points.map((p) => p.face.swap);
  const win = (vals: (number | null)[]): TrackSummary['worstSpoofWindow'] => {
    const w = worstWindow(vals, Math.min(window, vals.length));
    if (!w) return null;
    return { start: r2(t.points[w.start]?.time ?? 0), end: r2(t.points[Math.min(t.points.length - 1, w.start + window - 1)]?.time ?? 0), mean: r4(w.mean) as number };
  };
  return {
    id: t.id,
    samples: t.points.length,
    start: r2(t.points[0]?.time ?? 0),
    end: r2(t.points.at(-1)?.time ?? 0),
    medianWidth: r1(median(t.points.map((p) => p.face.box.width)) ?? 0),
    medianSpoof: r4(median(spoofs.filter((v): v is number => v !== null))),
    medianSwap: r4(median(swaps.filter((v): v is number => v !== null))),
    worstSpoofWindow: win(spoofs),
    worstSwapWindow: win(swaps),
  };
}

export interface VideoFacts {
  frames: number;
  framesWithFaces: number;
  /** Time of the last analysed frame, seconds. */
  lastTime: number;
  /** Declared duration, seconds. */
  duration: number | null;
  fps: number;
  maxFrames: number;
  capped: boolean;
  /** ffmpeg's error when decoding stopped early. */
  decodeProblem: string | null;
  main: TrackSummary | null;
  /** The other tracks. */
  others: readonly TrackSummary[];
  temporal: TemporalStats | null;
  spoofThreshold: number;
  swapThreshold: number;
  /** MesoNet's measured AUC, quoted when it does not flag the face. */
  swapAuc: number | null;
  /** Findings from the dense pass. */
  extra: readonly Finding[];
}

/** Findings, verdict and score of a video from its per-track facts. Pure. */
export function interpretVideo(v: VideoFacts): { findings: Finding[]; verdict: Verdict; score: number | undefined } {
  const findings: Finding[] = [];
  const add = (severity: Finding['severity'], code: string, message: string): void => {
    findings.push({ severity, code, message });
  };
  if (v.capped) add('warn', 'frame-cap-reached', `Only the first ${v.frames} sampled frames (up to ${v.lastTime.toFixed(1)} s) were analysed because the frame limit (maxFrames ${v.maxFrames}) was reached; the rest of the video was not checked.`);
  if (v.decodeProblem) add('warn', 'decode-stopped', `Decoding stopped early after ${v.frames} frames (${v.decodeProblem}); the file is truncated or damaged and the rest was not checked.`);
  else if (!v.capped && v.duration !== null && v.frames > 0 && v.lastTime < v.duration - 2 / v.fps - 0.5) {
    add('warn', 'decode-stopped', `The pictures end at ${v.lastTime.toFixed(1)} s although the container declares ${v.duration.toFixed(1)} s; the file is truncated or its header overstates the length, and only the decodable part was checked.`);
  }
  const main = v.main;
  if (!main) {
    add('info', 'no-face', `No face was found in any of the ${v.frames} sampled frames, so the liveness and face-swap checks do not apply to this video.`);
    return { findings, verdict: 'inconclusive', score: undefined };
  }
  const { spoofThreshold: st, swapThreshold: wt, temporal: t } = v;
  add('info', 'faces-found', `A face was found in ${v.framesWithFaces} of ${v.frames} sampled frames; the main face is followed from ${main.start.toFixed(1)} s to ${main.end.toFixed(1)} s in ${main.samples} frames.`);
  const others = v.others.filter((s) => s.samples >= WINDOW_SAMPLES);
  if (others.length) add('info', 'multiple-faces', `${others.length} other face${others.length > 1 ? 's appear' : ' appears'} for several frames; check whether it is an ID document held up or another person.`);
  const ms = main.medianSpoof;
  const mw = main.medianSwap;
  if (ms !== null && ms >= st) add('warn', 'presentation-attack', `Across the video the main face looks like a replay of a screen or a print (median spoof ${ms.toFixed(2)}, threshold ${st}); ask for a new live capture.`);
  if (mw !== null && mw >= wt) add('warn', 'face-swap-signal', `MesoNet rates the main face as possibly swapped or reenacted across the video (median ${mw.toFixed(2)}, threshold ${wt}); this is a weak signal, so look for blending edges and flicker before acting on it.`);
  const sw = main.worstSpoofWindow;
  if (sw && ms !== null && ms < st && sw.mean >= st) add('warn', 'suspicious-stretch', `From ${sw.start.toFixed(1)} s to ${sw.end.toFixed(1)} s the spoof score averages ${sw.mean.toFixed(2)} although the video as a whole does not; look closely at that stretch.`);
  const ww = main.worstSwapWindow;
  if (ww && mw !== null && mw < wt && ww.mean >= wt) add('warn', 'suspicious-stretch', `From ${ww.start.toFixed(1)} s to ${ww.end.toFixed(1)} s the face-swap score averages ${ww.mean.toFixed(2)} although the video as a whole does not; look closely at that stretch.`);
  if (t && t.jumps >= 2 && t.jumps / Math.max(1, t.intervals) >= 0.1) {
    add('warn', 'face-box-jumps', `The main face box jumps ${t.jumps} times between consecutive samples (by more than ${TEMPORAL_PARAMS.jumpShift} face widths or ${TEMPORAL_PARAMS.jumpScale}x in size); spliced or injected footage does this, fast head movement can too.`);
  }
  if (t && t.landmarkJitter !== null && t.intervals >= 4 && t.landmarkJitter > LANDMARK_JITTER_WARN) {
    add('warn', 'landmark-jitter', `The eye, nose and mouth positions inside the face box change by ${t.landmarkJitter.toFixed(3)} face widths between samples (median), more than a steady face (${LANDMARK_JITTER_WARN}); face swaps can wobble like this, talking and turning the head can too.`);
  }
  const flips = t ? t.spoofFlips + t.swapFlips : 0;
  if (t && flips >= 2 && flips / Math.max(1, t.intervals) >= 0.15) {
    add('warn', 'score-flicker', `The liveness or face-swap score of the main face crosses its threshold ${flips} times between consecutive samples; a consistent recording gives steady scores, so look at the frames where it flips.`);
  }
  findings.push(...v.extra);
  // Below the thresholds the verdict stays inconclusive, as for still images: MesoNet misses
  // most modern swaps, so low scores cannot vouch for the face.
  let verdict: Verdict = (ms !== null && ms >= st) || (mw !== null && mw >= wt) ? 'suspicious' : 'inconclusive';
  if (verdict === 'inconclusive' && mw !== null) {
    add('info', 'face-swap-not-flagged', `MesoNet does not flag the main face across the video (median ${mw.toFixed(2)}, threshold ${wt}), but it misses most modern face swaps${v.swapAuc !== null ? ` (measured AUC ${v.swapAuc})` : ''}, so this is not evidence that the face is genuine.`);
  }
  if (main.medianWidth < SMALL_FACE_PX) {
    add('warn', 'face-too-small', `The main face is only about ${Math.round(main.medianWidth)} pixels wide, too small for the liveness and face-swap models to judge; the verdict is inconclusive.`);
    verdict = 'inconclusive';
  } else if (main.samples < WINDOW_SAMPLES) {
    add('info', 'few-face-frames', `The main face is seen in only ${main.samples} sampled frame${main.samples > 1 ? 's' : ''}, too few to judge the video; the verdict is inconclusive.`);
    verdict = 'inconclusive';
  }
  if (findings.some((f) => f.severity === 'alert')) verdict = 'suspicious';
  return { findings, verdict, score: Math.min(1, Math.max(0, Math.max(ms ?? 0, mw ?? 0))) };
}
