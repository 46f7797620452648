import type { FaceGeometry, SpectralFalloff, SpectrumSummary, UpsamplingPeaks } from '../../contract/analyzers/synthetic.js';
import type { ArtifactRef, Finding, ScoreInfo, Verdict } from '../../contract/results.js';
import { defineAnalyzer } from '../../engine/analyzer.js';
import { VerilensError } from '../../util/errors.js';
import {
  COMBINATION_RULE,
  FALLOFF_INFO,
  GEOMETRY_INFO,
  GEOMETRY_TOLERANCE,
  HIGH_BAND_SCALE,
  HIGH_BAND_THRESHOLD,
  PEAK_SCALE,
  PEAK_THRESHOLD,
  PEAKS_INFO,
  SIGNAL_THRESHOLD,
} from './calibration.js';
import { landmarksFromFaces } from './faces-input.js';
import { FFHQ_EYES, ffhqAlignment } from './geometry.js';
import { loadCentreCrop, MIN_CROP, renderSpectrum } from './load.js';
import { analyseSpectrum, type SpectrumFeatures } from './spectrum.js';

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Score of the spectral fall-off feature: 0.5 at the calibrated threshold. */
export function falloffScore(highBandResidual: number): number {
  return r3(logistic((highBandResidual - HIGH_BAND_THRESHOLD) / HIGH_BAND_SCALE));
}

/** Score of the up-sampling peak feature: 0.5 at the calibrated threshold. */
export function peaksScore(upsamplingPeakZ: number): number {
  return r3(logistic((upsamplingPeakZ - PEAK_THRESHOLD) / PEAK_SCALE));
}

/** Score of the face-geometry deviation: 1 at the exact FFHQ framing, 0.5 at the tolerance, 0 at twice it. */
export function geometryScore(deviation: number): number {
  return r3(Math.min(1, Math.max(0, 1 - deviation / (2 * GEOMETRY_TOLERANCE))));
}

export interface MeasuredSignal {
  /** Key of the signal in `data`. */
  name: string;
  score: number;
  info: ScoreInfo;
}

/**
 * The combination rule (COMBINATION_RULE): the file score is the highest score among signals
 * whose measured strength is moderate or strong; weak signals never count. No such signal: no
 * file score and `inconclusive`. Absence of traces is never `consistent`.
 */
export function combine(signals: readonly MeasuredSignal[]): {
  score?: number;
  scoreInfo?: ScoreInfo;
  contributing: string[];
  verdict: Verdict;
} {
  const usable = signals.filter((s) => s.info.strength !== 'weak');
  const best = usable.reduce<MeasuredSignal | undefined>((b, s) => (b === undefined || s.score > b.score ? s : b), undefined);
  const contributing = usable.map((s) => s.name);
  if (!best) return { contributing, verdict: 'inconclusive' };
  return {
    score: best.score,
    scoreInfo: best.info,
    contributing,
    verdict: best.score >= SIGNAL_THRESHOLD ? 'suspicious' : 'inconclusive',
  };
}

export type { SyntheticData } from '../../contract/analyzers/synthetic.js';

function spectrumData(f: SpectrumFeatures, region: SpectrumSummary['crop'], legend: SpectrumSummary['legend']): SpectrumSummary {
  return {
    crop: region,
    n: f.n,
    note: 'native-resolution centre crop of the stored pixels (before EXIF rotation), greyscale, Hann-windowed; never resampled, because resampling erases the traces',
    profile: f.profile,
    midSlope: r3(f.midSlope),
    legend,
  };
}

export const syntheticAnalyzer = defineAnalyzer({
  id: 'synthetic',
  version: '1.0.0',
  accepts: (info) => info.kind === 'image',
  timeoutMs: 60_000,
  async run(ev, ctx) {
    if (!ev.bytes) throw new VerilensError('not-an-image', `${ev.input}: not a still image`);
    const width = ev.info.width;
    const height = ev.info.height;
    if (!width || !height) {
      throw new VerilensError(
        'decode-failed',
        `${ev.input}: the image size could not be read${ev.decodeError ? ` (${ev.decodeError})` : ''}`,
      );
    }
    const findings: Finding[] = [];
    const artifacts: ArtifactRef<'spectrum'>[] = [];

    // 1. Frequency spectrum (Durall et al. 2020; Frank et al. 2020).
    ctx.progress(0.1, 'decoding centre crop');
    let spectrum: SpectrumSummary | null = null;
    let spectralScores: MeasuredSignal[] | undefined;
    let falloff: SpectralFalloff;
    let peaks: UpsamplingPeaks;
    if (Math.min(width, height) < MIN_CROP) {
      const reason = `image is ${width}x${height}, smaller than the ${MIN_CROP}x${MIN_CROP} the spectrum needs`;
      falloff = { status: 'skipped', reason };
      peaks = { status: 'skipped', reason };
    } else {
      const crop = await loadCentreCrop(ev.bytes, width, height, ev.limits.maxPixels, ev.input);
      ctx.signal.throwIfAborted();
      ctx.progress(0.3, 'spectrum');
      const { features, logPower } = analyseSpectrum(crop.pixels, crop.n);
      ctx.signal.throwIfAborted();
      const rendered = renderSpectrum(logPower, crop.n);
      artifacts.push(
        await ctx.artifacts.put({
          kind: 'spectrum',
          mime: 'image/png',
          data: rendered.png,
          width: crop.n,
          height: crop.n,
          note: `log power spectrum of the central ${crop.n}x${crop.n} crop, zero frequency in the centre, inferno from log10 power ${rendered.range[0]} (dark) to ${rendered.range[1]} (bright)`,
        }),
      );
      spectrum = spectrumData(features, crop.region, rendered.legend.map((s) => ({ value: s.value, color: s.color })));
      const fo = { score: falloffScore(features.highBandResidual), scoreInfo: { ...FALLOFF_INFO } };
      falloff = { status: 'measured', highBandResidual: r3(features.highBandResidual), ...fo };
      const pk = { score: peaksScore(features.upsamplingPeakZ), scoreInfo: { ...PEAKS_INFO } };
      peaks = {
        status: 'measured',
        upsamplingPeakZ: r3(features.upsamplingPeakZ),
        grid8PeakZ: r3(features.grid8PeakZ),
        strongest: features.peaks.map((p) => ({ fx: p.fx, fy: p.fy, z: p.z })),
        ...pk,
      };
      spectralScores = [
        { name: 'spectralFalloff', score: fo.score, info: FALLOFF_INFO },
        { name: 'upsamplingPeaks', score: pk.score, info: PEAKS_INFO },
      ];
      // No findings for the weak spectral signals: they fire on about a third of camera photos, so they live in data only.
    }

    // 2. Face geometry against the FFHQ alignment (needs the faces analyzer's landmarks).
    ctx.progress(0.8, 'face geometry');
    let geometry: FaceGeometry;
    let geometryScoreValue: number | undefined;
    const facesResult = ctx.results.faces;
    const displayW = ev.info.displayWidth ?? width;
    const displayH = ev.info.displayHeight ?? height;
    if (!facesResult) {
      geometry = { status: 'skipped', reason: 'the faces analyzer did not run on this file (run it too to measure face geometry)' };
    } else if (facesResult.status !== 'ok') {
      geometry = {
        status: 'skipped',
        reason: `the faces analyzer was ${facesResult.status}${facesResult.error ? `: ${facesResult.error.message}` : ''}`,
      };
    } else {
      const faces = landmarksFromFaces(facesResult.data);
      const main = faces[0];
      if (!main) {
        geometry = { status: 'skipped', reason: 'no face with landmarks was found' };
      } else {
        const perFace = faces.map((f) => {
          const a = ffhqAlignment(f.landmarks, displayW, displayH);
          return { face: f.index, ...a, score: geometryScore(a.deviation) };
        });
        const m = perFace[0]!;
        geometryScoreValue = m.score;
        geometry = {
          status: 'measured',
          mainFace: main.index,
          tolerance: GEOMETRY_TOLERANCE,
          expectedEyes: FFHQ_EYES.map((e) => ({ x: e.x, y: e.y })),
          faces: perFace,
          score: m.score,
          scoreInfo: { ...GEOMETRY_INFO },
        };
        if (m.score >= SIGNAL_THRESHOLD) {
          findings.push({
            severity: 'warn',
            code: 'ffhq-aligned-face',
            message: `The face sits exactly where StyleGAN-type face generators put it (FFHQ framing, deviation ${m.deviation.toFixed(3)} of the image side); real photos are rarely framed like this unless cropped with the FFHQ script, so check where the image came from.`,
          });
        }
      }
    }
    if (geometry.status === 'skipped') {
      findings.push({
        severity: 'info',
        code: 'face-geometry-skipped',
        message: `Face geometry was not measured: ${geometry.reason}.`,
      });
    }

    const measured: MeasuredSignal[] = [];
    if (spectralScores) measured.push(...spectralScores);
    if (geometryScoreValue !== undefined) measured.push({ name: 'faceGeometry', score: geometryScoreValue, info: GEOMETRY_INFO });
    const { score, scoreInfo, contributing, verdict } = combine(measured);
    if (verdict !== 'suspicious') {
      findings.push({
        severity: 'info',
        code: 'no-synthetic-trace',
        message:
          'None of these pixel checks found a trace of a face generator; they cover only some generators, so this does not show the image came from a camera.',
      });
    }
    ctx.progress(1);
    return {
      status: 'ok',
      verdict,
      ...(score !== undefined && scoreInfo ? { score, scoreInfo } : {}),
      findings,
      artifacts,
      data: {
        spectrum,
        spectralFalloff: falloff,
        upsamplingPeaks: peaks,
        faceGeometry: geometry,
        combination: { rule: COMBINATION_RULE, contributing },
      },
    };
  },
});
