import type { AnalyzerResult } from '../../../src/contract/results.js';
import type { JsonValue } from '../../../src/contract/json.js';
import type { FaceMark } from './faces.js';
import { isObject } from './flatten.js';

export interface FrameSample {
  t: number;
  faces: { box: { x: number; y: number; width: number; height: number }; spoof?: number; swap?: number; track?: number }[];
}

export interface VideoFacts {
  duration: number;
  samples: FrameSample[];
  /** Pixel space of the per-frame boxes (the analyzer's working size). */
  work?: { width: number; height: number };
}

const num = (v: JsonValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Duration and per-frame face samples from the video analyzers' data, whatever is present. */
export function videoFacts(results: Record<string, AnalyzerResult>): VideoFacts {
  let duration = 0;
  const samples: FrameSample[] = [];
  let work: VideoFacts['work'];
  for (const r of Object.values(results)) {
    const d = r.data;
    const video = d['video'];
    const dur =
      num(d['duration']) ??
      (isObject(video) ? num(video['duration']) : undefined) ??
      (isObject(d['format']) ? num(d['format']['duration']) : undefined);
    if (dur && dur > duration) duration = dur;
    const sampling = d['sampling'];
    if (isObject(sampling) && num(sampling['workWidth']) && num(sampling['workHeight']))
      work = { width: num(sampling['workWidth'])!, height: num(sampling['workHeight'])! };
    const per = d['perFrame'];
    if (Array.isArray(per) && samples.length === 0) {
      for (const f of per) {
        if (!isObject(f) || num(f['t']) === undefined || !Array.isArray(f['faces'])) continue;
        const faces: FrameSample['faces'] = [];
        for (const x of f['faces']) {
          if (!isObject(x) || !isObject(x['box'])) continue;
          const b = x['box'];
          const bx = { x: num(b['x']) ?? 0, y: num(b['y']) ?? 0, width: num(b['width']) ?? 0, height: num(b['height']) ?? 0 };
          const face: FrameSample['faces'][number] = { box: bx };
          if (num(x['spoof']) !== undefined) face.spoof = num(x['spoof'])!;
          if (num(x['swap']) !== undefined) face.swap = num(x['swap'])!;
          if (num(x['track']) !== undefined) face.track = num(x['track'])!;
          faces.push(face);
        }
        samples.push({ t: num(f['t'])!, faces });
      }
    }
  }
  const last = samples.at(-1)?.t ?? 0;
  return { duration: Math.max(duration, last), samples, ...(work ? { work } : {}) };
}

/** The sample nearest to `t` (within half a second), as face marks scaled to the frame shown. */
export function facesAt(v: VideoFacts, t: number, frame: { width: number; height: number }): FaceMark[] {
  let best: FrameSample | undefined;
  for (const s of v.samples) if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  if (!best || Math.abs(best.t - t) > 0.5 || !v.work) return [];
  const kx = frame.width / v.work.width;
  const ky = frame.height / v.work.height;
  return best.faces.map((f, index) => {
    const scores: Record<string, number> = {};
    if (f.spoof !== undefined) scores['liveness'] = f.spoof;
    if (f.swap !== undefined) scores['face-swap'] = f.swap;
    return { index, box: { x: f.box.x * kx, y: f.box.y * ky, width: f.box.width * kx, height: f.box.height * ky }, landmarks: [], scores };
  });
}
