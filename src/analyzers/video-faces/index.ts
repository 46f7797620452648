import type { ParamsFor } from '../../contract/analyzers/index.js';
import type { DenseWindow, FrameRecord, VideoFacesData } from '../../contract/analyzers/video-faces.js';
import type { ArtifactRef, Finding, ScoreInfo } from '../../contract/results.js';
import { defineAnalyzer, type AnalysisContext, type AnalyzerOutput } from '../../engine/analyzer.js';
import type { Evidence } from '../../evidence/intake.js';
import { mediaToolPath } from '../../media/binaries.js';
import { readFrames, type FrameReadEnd } from '../../media/frames.js';
import { probeMedia } from '../../media/probe.js';
import type { RgbImage } from '../../models/preprocess.js';
import { VerilensError } from '../../util/errors.js';
import { ABSURD, mainVideoStream, parseRational, streamRotation } from '../container/facts.js';
import { registryOf } from '../faces/shared.js';
import { performanceText } from '../liveness/index.js';
import { analyzeFrame, loadFrameModels, type FrameModels } from './frame.js';
import { interpretVideo, summarise, WINDOW_SAMPLES } from './interpret.js';
import { contactSheet, SHEET, thumbOf, type SheetTile } from './sheet.js';
import { timelineSvg } from './timeline.js';
import { mainTrack, temporalStats, trackFaces, type FrameObs, type TemporalStats } from './track.js';

/** Frames are decoded at most this many pixels on the longest side (720p passes unchanged). */
export const WORK_MAX_SIDE = 1280;
/** Largest decoded picture accepted (pixels), whatever the stream claims. */
export const MAX_VIDEO_PIXELS = 80_000_000;

export type VideoFacesParams = ParamsFor<'video-faces'>;

/** Output size of decoded frames: display orientation, longest side at most WORK_MAX_SIDE. Pure. */
export function workSize(width: number, height: number, rotation: number | null, sampleAspectRatio: string | null = null): { displayWidth: number; displayHeight: number; width: number; height: number; scale: number } {
  // Non-square pixels (anamorphic video) are stretched to their displayed shape, as players do.
  const sar = parseRational(sampleAspectRatio?.replace(':', '/') ?? null);
  const w = sar !== null && sar > 0.1 && sar < 10 ? Math.max(2, Math.round(width * sar)) : width;
  const quarter = rotation !== null && Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const displayWidth = quarter ? height : w;
  const displayHeight = quarter ? w : height;
  const k = Math.min(1, WORK_MAX_SIDE / Math.max(displayWidth, displayHeight));
  const ow = Math.max(2, Math.round(displayWidth * k));
  const oh = Math.max(2, Math.round(displayHeight * k));
  return { displayWidth, displayHeight, width: ow, height: oh, scale: ow / displayWidth };
}

const r4 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10000) / 10000);
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r1 = (v: number): number => Math.round(v * 10) / 10;

interface PassResult {
  frames: FrameObs[];
  end: FrameReadEnd | null;
  decodeWaitMs: number;
  detectMs: number;
  classifyMs: number;
  capped: boolean;
}

interface PassSpec {
  fps: number;
  start?: number;
  duration?: number;
  maxFrames: number;
  /** Progress range for this pass. */
  from: number;
  to: number;
  /** Expected seconds covered, for progress. */
  span: number;
}

async function runPass(ev: Evidence, ctx: AnalysisContext<'video-faces'>, m: FrameModels, geo: ReturnType<typeof workSize>, p: VideoFacesParams, spec: PassSpec, onFrame?: (f: FrameObs, img: { image: RgbImage }) => Promise<void>): Promise<PassResult> {
  const frames: FrameObs[] = [];
  let end: FrameReadEnd | null = null;
  let detectMs = 0;
  let classifyMs = 0;
  const gen = readFrames(
    {
      path: ev.path,
      label: ev.input,
      width: geo.width,
      height: geo.height,
      fps: spec.fps,
      maxFrames: spec.maxFrames,
      signal: ctx.signal,
      ...(spec.start !== undefined ? { start: spec.start } : {}),
      ...(spec.duration !== undefined ? { duration: spec.duration } : {}),
    },
    (e) => (end = e),
  );
  for await (const fr of gen) {
    const a = await analyzeFrame(m, fr.image, { scale: geo.scale, maxFaces: p.maxFaces, classifyFaces: p.classifyFaces, signal: ctx.signal });
    detectMs += a.detectMs;
    classifyMs += a.classifyMs;
    const obs: FrameObs = { index: fr.index, time: fr.time, faces: a.faces };
    frames.push(obs);
    if (onFrame) await onFrame(obs, fr);
    // Without a declared duration, progress is measured against the frame cap.
    const rel = spec.span > 0 ? Math.min(1, (fr.time - (spec.start ?? 0)) / spec.span) : Math.min(1, frames.length / spec.maxFrames);
    ctx.progress(spec.from + (spec.to - spec.from) * rel, `frame ${frames.length} at ${fr.time.toFixed(1)} s`);
  }
  const e = end as FrameReadEnd | null;
  return { frames, end: e, decodeWaitMs: e?.waitMs ?? 0, detectMs, classifyMs, capped: frames.length >= spec.maxFrames };
}


/** Per-frame record for the data: main-track face first. */
function frameRecord(f: FrameObs, trackOf: Map<object, number>): FrameRecord {
  return {
    t: r2(f.time),
    faces: f.faces.map((x) => ({
      track: trackOf.get(x) ?? -1,
      box: { x: r1(x.box.x), y: r1(x.box.y), width: r1(x.box.width), height: r1(x.box.height) },
      det: r4(x.detScore),
      spoof: r4(x.spoof),
      swap: r4(x.swap),
    })),
  };
}

/** Merge [start, end] windows that overlap. Pure. */
export function mergeWindows(ws: readonly { start: number; end: number }[]): { start: number; end: number }[] {
  const s = [...ws].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const w of s) {
    const last = out.at(-1);
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

export const videoFacesAnalyzer = defineAnalyzer({
  id: 'video-faces',
  version: '1.0.0',
  accepts: (info) => info.kind === 'video',
  timeoutMs: 600_000,
  async run(ev, ctx): Promise<AnalyzerOutput<'video-faces'>> {
    const started = performance.now();
    const p = ctx.params;
    const registry = registryOf(ctx.services);
    mediaToolPath('ffmpeg'); // fail fast, before any work, when the binary is missing
    ctx.progress(0.01, 'reading the container');
    const probe = await probeMedia(ev.path, { label: ev.input, signal: ctx.signal });
    const vs = mainVideoStream(probe.streams);
    if (!vs) throw new VerilensError('no-video-stream', `${ev.input}: the file has no video stream, so there are no frames to check for faces`);
    const w0 = vs.width ?? 0;
    const h0 = vs.height ?? 0;
    if (w0 < 2 || h0 < 2) throw new VerilensError('media-unreadable', `${ev.input}: the video stream declares no usable picture size (${w0}x${h0})`);
    if (w0 > ABSURD.maxSide || h0 > ABSURD.maxSide || w0 * h0 > MAX_VIDEO_PIXELS) {
      throw new VerilensError('absurd-dimensions', `${ev.input}: the video stream declares ${w0}x${h0} pixels, beyond any camera (limit ${ABSURD.maxSide} per side, ${MAX_VIDEO_PIXELS.toLocaleString('en-US')} pixels); it was not decoded`);
    }
    const duration = vs.duration ?? probe.format.duration;
    if (duration !== null && duration > ABSURD.maxDurationSeconds) {
      throw new VerilensError('absurd-duration', `${ev.input}: the container declares ${Math.round(duration / 3600)} hours of video, beyond any identity recording (limit ${ABSURD.maxDurationSeconds / 3600} h); it was not decoded`);
    }
    const rotation = streamRotation(vs);
    const geo = workSize(w0, h0, rotation, vs.sampleAspectRatio);
    ctx.progress(0.03, 'loading verified models');
    const m = await loadFrameModels(registry);
    const spoofThreshold = m.liveness[0]?.entry.thresholds['spoof'] ?? 0.5;
    const swapThreshold = m.swap[0]?.entry.thresholds['manipulated'] ?? 0.5;

    // --- sampled pass, keeping a few thumbnails for the contact sheet
    const expected = duration ? Math.min(p.maxFrames, Math.max(1, Math.ceil(duration * p.fps))) : p.maxFrames;
    const stride = Math.max(1, Math.ceil(expected / SHEET.maxTiles));
    const kept: { obs: FrameObs; thumb: Awaited<ReturnType<typeof thumbOf>> }[] = [];
    const span = duration ?? 0;
    const pass = await runPass(ev, ctx, m, geo, p, { fps: p.fps, maxFrames: p.maxFrames, from: 0.05, to: p.denseSeconds > 0 ? 0.75 : 0.92, span }, async (obs, fr) => {
      if (obs.index % stride === 0 && kept.length < SHEET.maxTiles) kept.push({ obs, thumb: await thumbOf(fr.image, geo.displayWidth) });
    });
    const frames = pass.frames;
    const tracks = trackFaces(frames);
    const main = mainTrack(tracks);
    const trackOf = new Map<object, number>();
    for (const t of tracks) for (const pt of t.points) trackOf.set(pt.face, t.id);
    const summaries = tracks.filter((t) => t.points.length >= 2 || t === main).map((t) => summarise(t, WINDOW_SAMPLES));
    const mainSummary = main ? summarise(main, WINDOW_SAMPLES) : null;
    const temporal = main ? temporalStats(main.points, 1.5 / p.fps, spoofThreshold, swapThreshold) : null;
    const framesWithFaces = frames.filter((f) => f.faces.length > 0).length;

    // --- optional dense pass: every frame around the worst stretch and the flagged moments
    let denseData: VideoFacesData['dense'] = null;
    let denseWait = 0;
    let denseDetect = 0;
    let denseClassify = 0;
    const denseFindings: Finding[] = [];
    if (p.denseSeconds > 0 && main && mainSummary) {
      const nativeFps = Math.min(60, Math.max(1, parseRational(vs.avgFrameRate) ?? parseRational(vs.rFrameRate) ?? 30));
      const centres: number[] = [];
      const worst = [mainSummary.worstSpoofWindow, mainSummary.worstSwapWindow].filter((w): w is NonNullable<typeof w> => w !== null).sort((a, b) => b.mean - a.mean)[0];
      if (worst) centres.push((worst.start + worst.end) / 2);
      for (const t of [...(temporal?.jumpTimes ?? []), ...(temporal?.flickerTimes ?? [])]) if (centres.length < 3) centres.push(t);
      if (centres.length === 0) centres.push((mainSummary.start + mainSummary.end) / 2);
      const limit = duration ?? Number.POSITIVE_INFINITY;
      const windows = mergeWindows(centres.map((c) => ({ start: Math.max(0, c - p.denseSeconds), end: Math.min(limit, c + p.denseSeconds) }))).slice(0, 3);
      const out: DenseWindow[] = [];
      let budget = Math.max(0, p.maxFrames - frames.length);
      for (const [i, w] of windows.entries()) {
        if (budget <= 0) break;
        const from = 0.75 + (0.17 * i) / windows.length;
        const d = await runPass(ev, ctx, m, geo, p, { fps: nativeFps, start: w.start, duration: w.end - w.start, maxFrames: budget, from, to: from + 0.17 / windows.length, span: w.end - w.start });
        budget -= d.frames.length;
        denseWait += d.decodeWaitMs;
        denseDetect += d.detectMs;
        denseClassify += d.classifyMs;
        const dt = trackFaces(d.frames);
        const dm = mainTrack(dt);
        const st = dm ? temporalStats(dm.points, 1.5 / nativeFps, spoofThreshold, swapThreshold) : null;
        const dOf = new Map<object, number>();
        for (const t of dt) for (const pt of t.points) dOf.set(pt.face, t.id);
        const { jumpTimes: _j, flickerTimes: _f, ...stats } = st ?? { jumpTimes: [], flickerTimes: [] };
        out.push({ start: r2(w.start), end: r2(w.end), fps: r2(nativeFps), frames: d.frames.length, temporal: st ? (stats as TemporalStats) : null, perFrame: d.frames.map((f) => frameRecord(f, dOf)) });
        if (st && st.intervals >= 4 && (st.spoofFlips + st.swapFlips) / st.intervals >= 0.15) {
          denseFindings.push({ severity: 'warn', code: 'dense-score-flicker', message: `Frame by frame between ${w.start.toFixed(1)} s and ${w.end.toFixed(1)} s the scores jump across the threshold ${st.spoofFlips + st.swapFlips} times in ${st.intervals} frames; a real face does not change from one frame to the next, so look at these frames for blending artefacts.` });
        }
      }
      denseData = { windows: out };
    }

    // --- artifacts
    const artifacts: ArtifactRef<'timeline' | 'contact-sheet'>[] = [];
    const mainSeries = frames.map((f) => {
      const face = main ? f.faces.find((x) => trackOf.get(x) === main.id) : undefined;
      return { time: f.time, spoof: face?.spoof ?? null, swap: face?.swap ?? null };
    });
    const lastTime = frames.at(-1)?.time ?? 0;
    const windows = [mainSummary?.worstSpoofWindow, mainSummary?.worstSwapWindow]
      .filter((w): w is NonNullable<typeof w> => w !== null && w !== undefined && (w.mean >= Math.min(spoofThreshold, swapThreshold)))
      .map((w) => ({ start: w.start - 0.25 / p.fps, end: w.end + 0.25 / p.fps, label: `worst window ${w.start}-${w.end} s, mean ${w.mean}` }));
    if (frames.length > 0) {
      const svg = timelineSvg({
        points: mainSeries,
        duration: Math.max(duration ?? 0, lastTime),
        spoofThreshold,
        swapThreshold,
        events: [...(temporal?.jumpTimes ?? []), ...(temporal?.flickerTimes ?? [])],
        windows,
        title: `Main face, ${frames.length} frames at ${p.fps} frames/s: spoof and face-swap scores`,
      });
      artifacts.push(await ctx.artifacts.put({ kind: 'timeline', mime: 'image/svg+xml', data: Buffer.from(svg, 'utf8'), note: `per-frame scores of the main face, ${frames.length} sampled frames` }));
    }
    const tiles: SheetTile[] = kept.map((k) => ({
      time: k.obs.time,
      thumb: k.thumb.thumb,
      scale: k.thumb.scale,
      faces: k.obs.faces.map((f) => ({ box: f.box, main: main !== null && trackOf.get(f) === main.id, spoof: f.spoof, swap: f.swap })),
    }));
    const sheet = await contactSheet(tiles);
    if (sheet) artifacts.push(await ctx.artifacts.put({ kind: 'contact-sheet', mime: 'image/png', data: sheet.png, width: sheet.width, height: sheet.height, note: `${tiles.length} of ${frames.length} sampled frames, main face boxed in green` }));

    // --- findings and verdict
    const auc = m.swap[0]?.entry.performance.find((x) => x.metric === 'pair AUC' && x.dataset.includes('dfdc'));
    const { findings, verdict, score } = interpretVideo({
      frames: frames.length,
      framesWithFaces,
      lastTime,
      duration,
      fps: p.fps,
      maxFrames: p.maxFrames,
      capped: pass.capped,
      decodeProblem: pass.end?.problem ?? null,
      main: mainSummary,
      others: summaries.filter((s) => s.id !== main?.id),
      temporal,
      spoofThreshold,
      swapThreshold,
      swapAuc: auc?.value ?? null,
      extra: denseFindings,
    });

    const scoreInfo: ScoreInfo = {
      method: `Per sampled frame (${p.fps} frames/s), YuNet finds faces and the still-image checks run on the largest ones: the MiniFASNet pair (spoof = 1 - live) and MesoNet (face swap). Faces are tracked across frames by box overlap; the score is the larger of the main face's median spoof and median face-swap probability.`,
      measuredOn: `${performanceText([...m.liveness.slice(0, 1), ...m.swap].map((x) => x.entry))}. Not calibrated on video: per-frame scores of compressed video frames run higher than on photos.`,
      limits: `${m.swap[0]?.entry.limits ?? ''} Video compression, motion blur, small or turned faces and low light all move the scores; temporal checks (box jumps, landmark jitter, score flicker) are weak heuristics at ${p.fps} frames/s.`,
      strength: 'weak',
      threshold: Math.min(spoofThreshold, swapThreshold),
    };
    const totalMs = performance.now() - started;
    const data: VideoFacesData = {
      video: {
        width: w0,
        height: h0,
        rotation,
        displayWidth: geo.displayWidth,
        displayHeight: geo.displayHeight,
        duration,
        codec: vs.codecName,
        frameRate: vs.avgFrameRate,
      },
      sampling: {
        fps: p.fps,
        frames: frames.length,
        framesWithFaces,
        maxFrames: p.maxFrames,
        capped: pass.capped,
        workWidth: geo.width,
        workHeight: geo.height,
        decodeProblem: pass.end?.problem ?? null,
      },
      thresholds: { spoof: spoofThreshold, swap: swapThreshold },
      mainTrack: main ? main.id : null,
      tracks: summaries,
      temporal: temporal ? { intervals: temporal.intervals, jumps: temporal.jumps, maxShift: temporal.maxShift, landmarkJitter: temporal.landmarkJitter, spoofFlips: temporal.spoofFlips, swapFlips: temporal.swapFlips, jumpTimes: temporal.jumpTimes.map(r2), flickerTimes: temporal.flickerTimes.map(r2) } : null,
      perFrame: frames.map((f) => frameRecord(f, trackOf)),
      dense: denseData,
      timing: {
        totalMs: Math.round(totalMs),
        decodeWaitMs: Math.round(pass.decodeWaitMs + denseWait),
        detectMs: Math.round(pass.detectMs + denseDetect),
        classifyMs: Math.round(pass.classifyMs + denseClassify),
      },
    };
    const models = [m.detector.use, ...m.liveness.map((x) => x.use), ...m.swap.map((x) => x.use)];
    if (score === undefined) return { status: 'ok', verdict, findings, artifacts, data, models };
    return { status: 'ok', verdict, findings, artifacts, data, models, score: r4(Math.min(1, Math.max(0, score))) as number, scoreInfo };
  },
});
