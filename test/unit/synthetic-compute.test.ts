import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  FALLOFF_INFO,
  GEOMETRY_INFO,
  GEOMETRY_TOLERANCE,
  HIGH_BAND_THRESHOLD,
  PEAK_THRESHOLD,
  PEAKS_INFO,
} from '../../src/analyzers/synthetic/calibration.js';
import { fft1d, fftPlan, floorPowerOfTwo } from '../../src/analyzers/synthetic/fft.js';
import { ffhqAlignment, ffhqQuad, type FaceLandmarks, type Point } from '../../src/analyzers/synthetic/geometry.js';
import { combine, geometryScore } from '../../src/analyzers/synthetic/index.js';
import { loadCentreCrop, renderSpectrum } from '../../src/analyzers/synthetic/load.js';
import { analyseSpectrum, PROFILE_BINS } from '../../src/analyzers/synthetic/spectrum.js';
import { fixture } from '../helpers.js';

const SELFIE = fixture('synthetic', 'selfie-lisa1.jpg');
const AI_FACE = fixture('synthetic', 'ai-face-ip-adapter.png');

async function features(bytes: Buffer) {
  const m = await sharp(bytes).metadata();
  const crop = await loadCentreCrop(bytes, m.width ?? 0, m.height ?? 0, 1e8, 'test');
  return analyseSpectrum(crop.pixels, crop.n);
}

/** The image shrunk to half size and blown back up 2x: what a 2x up-sampling layer does to pixels. */
async function upsampled2x(bytes: Buffer, kernel: 'nearest' | 'cubic'): Promise<Buffer> {
  const m = await sharp(bytes).metadata();
  const half = await sharp(bytes)
    .resize({ width: Math.round((m.width ?? 0) / 2), kernel: 'lanczos3' })
    .toBuffer();
  return sharp(half)
    .resize({ width: m.width ?? 0, kernel })
    .png()
    .toBuffer();
}

describe('synthetic: FFT', () => {
  it('matches a direct DFT', () => {
    const n = 16;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + (i % 3) - 0.5 * Math.cos(i * 0.2));
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fft1d(re, im, fftPlan(n));
    for (let k = 0; k < n; k++) {
      let dr = 0;
      let di = 0;
      for (let t = 0; t < n; t++) {
        dr += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
        di -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
      }
      assert.ok(Math.abs(re[k]! - dr) < 1e-9 && Math.abs(im[k]! - di) < 1e-9, `bin ${k}`);
    }
    assert.throws(() => fftPlan(12), { code: 'invalid-argument' });
    assert.equal(floorPowerOfTwo(255), 128);
    assert.equal(floorPowerOfTwo(256), 256);
  });
});

describe('synthetic: spectrum (Durall et al. 2020; Frank et al. 2020)', () => {
  it('computes a falling azimuthal profile and finite features on a real photo', async () => {
    const { features: f, logPower } = await features(readFileSync(SELFIE));
    assert.equal(f.n, 512); // 600x800 -> largest power of two of the short side
    assert.equal(f.profile.length, PROFILE_BINS);
    assert.equal(logPower.length, 512 * 512);
    // Natural images: power falls with frequency (a power law with slope around -2 to -3).
    assert.ok(f.profile[1]! > f.profile[PROFILE_BINS - 1]! + 2, `profile falls: ${f.profile[1]} .. ${f.profile[PROFILE_BINS - 1]}`);
    assert.ok(f.midSlope < -1 && f.midSlope > -5, `mid-band slope ${f.midSlope}`);
    for (const v of [f.highBandResidual, f.upsamplingPeakZ, f.grid8PeakZ]) assert.ok(Number.isFinite(v));
  });

  it('finds the periodic peaks and high-frequency excess that 2x up-sampling leaves', async () => {
    for (const file of [SELFIE, AI_FACE]) {
      const bytes = readFileSync(file);
      const before = (await features(bytes)).features;
      const nearest = (await features(await upsampled2x(bytes, 'nearest'))).features;
      const cubic = (await features(await upsampled2x(bytes, 'cubic'))).features;
      for (const up of [nearest, cubic]) {
        assert.ok(
          up.upsamplingPeakZ > PEAK_THRESHOLD && up.upsamplingPeakZ > before.upsamplingPeakZ + 1,
          `${file}: peak z ${before.upsamplingPeakZ} -> ${up.upsamplingPeakZ}`,
        );
        // The strongest peak sits at half the sampling rate, where a 2x up-sampler repeats.
        assert.ok(up.peaks.some((p) => Math.max(Math.abs(p.fx), Math.abs(p.fy)) === 0.5 && p.z === Math.max(...up.peaks.map((q) => q.z))));
      }
      // Nearest-neighbour up-sampling (like a transposed convolution's checkerboard) lifts the top band.
      assert.ok(
        nearest.highBandResidual > HIGH_BAND_THRESHOLD && nearest.highBandResidual > before.highBandResidual + 0.3,
        `${file}: high band ${before.highBandResidual} -> ${nearest.highBandResidual}`,
      );
    }
  });

  it('renders the log spectrum as an inferno PNG with DC bright in the centre', async () => {
    const { logPower, features: f } = await features(readFileSync(AI_FACE));
    const r = renderSpectrum(logPower, f.n);
    const { data, info } = await sharp(r.png).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, f.n);
    assert.equal(info.height, f.n);
    const lum = (x: number, y: number): number => {
      const o = (y * info.width + x) * info.channels;
      return data[o]! + data[o + 1]! + data[o + 2]!;
    };
    assert.ok(lum(f.n / 2, f.n / 2) > lum(2, 2) + 200, 'zero frequency is brighter than the corner');
    assert.ok(r.range[1] > r.range[0]);
    assert.equal(r.legend.length, 5);
  });

  it('refuses crops it cannot transform', () => {
    assert.throws(() => analyseSpectrum(new Float64Array(48 * 48), 48), { code: 'invalid-argument' });
  });
});

describe('synthetic: FFHQ face geometry (pure)', () => {
  // Landmarks YuNet finds on the selfie fixture (display pixels of the 600x800 image).
  const selfie: FaceLandmarks = {
    rightEye: { x: 216.7, y: 357 },
    leftEye: { x: 381.9, y: 353 },
    mouthRight: { x: 235, y: 547.3 },
    mouthLeft: { x: 369.5, y: 544.1 },
  };

  /** Where a point lands in the square output of FFHQ's crop (side `size`). */
  function intoFfhqFrame(p: Point, lm: FaceLandmarks, size: number): Point {
    const q = ffhqQuad(lm);
    const dx = p.x - q.centre.x;
    const dy = p.y - q.centre.y;
    const u = (dx * q.axis.x + dy * q.axis.y) / q.halfSide; // -1..1 along x
    const v = (-dx * q.axis.y + dy * q.axis.x) / q.halfSide; // y = x rotated +90 degrees
    return { x: ((u + 1) / 2) * size, y: ((v + 1) / 2) * size };
  }

  it('flags the FFHQ framing: eyes at (0.375, 0.475) and (0.625, 0.475) of a square', () => {
    const S = 1024;
    const lm: FaceLandmarks = {
      rightEye: { x: 0.375 * S, y: 0.475 * S },
      leftEye: { x: 0.625 * S, y: 0.475 * S },
      mouthRight: { x: 0.42 * S, y: 0.725 * S },
      mouthLeft: { x: 0.58 * S, y: 0.725 * S },
    };
    const a = ffhqAlignment(lm, S, S);
    assert.ok(a.deviation < 0.01, `deviation ${a.deviation}`);
    assert.ok(a.eyeTemplateDistance < 0.001);
    assert.ok(geometryScore(a.deviation) > 0.9);
  });

  it('flags any face after FFHQ alignment, at any output size', () => {
    for (const size of [256, 1024]) {
      const m = (p: Point): Point => intoFfhqFrame(p, selfie, size);
      const aligned: FaceLandmarks = {
        rightEye: m(selfie.rightEye),
        leftEye: m(selfie.leftEye),
        mouthRight: m(selfie.mouthRight),
        mouthLeft: m(selfie.mouthLeft),
      };
      const a = ffhqAlignment(aligned, size, size);
      assert.ok(a.deviation < 0.005, `size ${size}: deviation ${a.deviation}`);
      assert.ok(Math.abs(a.rollDeg) < 0.5);
      assert.ok(geometryScore(a.deviation) >= 0.5);
    }
  });

  it('does not flag a typical selfie, nor the same face in a square crop around it', () => {
    const a = ffhqAlignment(selfie, 600, 800);
    assert.ok(a.deviation > GEOMETRY_TOLERANCE, `deviation ${a.deviation}`);
    assert.ok(geometryScore(a.deviation) < 0.5);
    // A 600x600 square from the top of the selfie: square, but the face is smaller and lower than FFHQ puts it.
    const sq = ffhqAlignment(selfie, 600, 600);
    assert.ok(sq.deviation > GEOMETRY_TOLERANCE, `square crop deviation ${sq.deviation}`);
  });

  it('never matches a non-square image, however the face sits', () => {
    const S = 1000;
    const lm: FaceLandmarks = {
      rightEye: { x: 0.375 * S, y: 0.475 * S },
      leftEye: { x: 0.625 * S, y: 0.475 * S },
      mouthRight: { x: 0.42 * S, y: 0.725 * S },
      mouthLeft: { x: 0.58 * S, y: 0.725 * S },
    };
    assert.ok(ffhqAlignment(lm, S, S * 1.25).deviation >= 0.2);
  });
});

describe('synthetic: combination rule', () => {
  it('takes the highest non-weak score and never lets weak signals raise the verdict', () => {
    const weakHigh = [
      { name: 'spectralFalloff', score: 0.99, info: FALLOFF_INFO },
      { name: 'upsamplingPeaks', score: 0.97, info: PEAKS_INFO },
    ];
    const onlyWeak = combine(weakHigh);
    assert.equal(onlyWeak.score, undefined);
    assert.equal(onlyWeak.verdict, 'inconclusive');
    assert.deepEqual(onlyWeak.contributing, []);
    const low = combine([...weakHigh, { name: 'faceGeometry', score: 0.2, info: GEOMETRY_INFO }]);
    assert.equal(low.score, 0.2);
    assert.equal(low.verdict, 'inconclusive');
    assert.deepEqual(low.contributing, ['faceGeometry']);
    const high = combine([...weakHigh, { name: 'faceGeometry', score: 0.8, info: GEOMETRY_INFO }]);
    assert.equal(high.verdict, 'suspicious');
    assert.equal(high.scoreInfo?.strength, 'moderate');
  });
});
