import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import type { JsonObject } from '../../src/contract/json.js';
import type { AnalyzerResults, FacesData, ResultOf } from '../../src/contract/analyzers/index.js';
import type { FileResult } from '../../src/contract/results.js';

type SyntheticOk = Extract<ResultOf<'synthetic'>, { status: 'ok' }>;
import { ANALYZERS } from '../../src/analyzers/index.js';
import { ffhqQuad, type FaceLandmarks } from '../../src/analyzers/synthetic/geometry.js';
import { landmarksFromFaces } from '../../src/analyzers/synthetic/faces-input.js';
import { syntheticAnalyzer } from '../../src/analyzers/synthetic/index.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { createEngineServices } from '../../src/engine/services.js';
import type { AnalysisContext } from '../../src/engine/analyzer.js';
import { openEvidence } from '../../src/evidence/intake.js';
import { dataOf, fixture } from '../helpers.js';

const SELFIE = fixture('synthetic', 'selfie-lisa1.jpg');
const AI_FACE = fixture('synthetic', 'ai-face-ip-adapter.png');
const TINY = fixture('synthetic', 'tiny-32px-basn2c08.png');
const NO_FACE = fixture('images', 'canon-dslr.jpg'); // 5184x3456 camera photo without a face

const tmp = mkdtempSync(join(tmpdir(), 'verilens-synthetic-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const services = createEngineServices({ home: join(tmp, 'home') });

async function run(
  file: string,
  only: string[],
  store = new MemoryArtifactStore(),
): Promise<{ r: FileResult; s: SyntheticOk; store: MemoryArtifactStore }> {
  const r = await analyzeFile(file, { analyzers: ANALYZERS, only, artifacts: store, services });
  const s = r.analyzers.synthetic;
  assert.ok(s, 'synthetic ran');
  if (s.status !== 'ok') assert.fail(`synthetic was ${s.status}: ${s.error?.message}`);
  return { r, s, store };
}

const obj = (v: unknown): JsonObject => {
  assert.ok(v && typeof v === 'object' && !Array.isArray(v));
  return v as JsonObject;
};

function assertScoreInfo(sig: JsonObject, strength: string): void {
  assert.equal(typeof sig['score'], 'number');
  const score = sig['score'] as number;
  assert.ok(score >= 0 && score <= 1);
  const info = obj(sig['scoreInfo']);
  for (const k of ['method', 'measuredOn', 'limits']) assert.ok(typeof info[k] === 'string' && (info[k] as string).length > 40, k);
  assert.equal(info['strength'], strength);
  assert.equal(info['threshold'], 0.5);
}

describe('synthetic analyzer', () => {
  it('is registered after faces, so the runner gives it the landmarks', () => {
    // No `requires`: geometry is optional, so order in the registry is what puts faces first.
    const ids = ANALYZERS.map((a) => a.id);
    assert.ok(ids.includes('faces') && ids.indexOf('faces') < ids.indexOf('synthetic'));
  });

  it('reports every signal separately with its score and scoreInfo, and a spectrum artifact', async () => {
    const { s, store } = await run(SELFIE, ['faces', 'synthetic']);
    assert.equal(s.status, 'ok');
    const falloff = obj(s.data.spectralFalloff);
    const peaks = obj(s.data.upsamplingPeaks);
    const geometry = obj(s.data.faceGeometry);
    assert.equal(falloff['status'], 'measured');
    assert.equal(peaks['status'], 'measured');
    assertScoreInfo(falloff, 'weak');
    assertScoreInfo(peaks, 'weak');
    assert.equal(geometry['status'], 'measured');
    assertScoreInfo(geometry, 'moderate');
    // The file score is the geometry score (the only non-weak signal), with its scoreInfo.
    assert.equal(s.score, geometry['score']);
    assert.equal(s.scoreInfo?.strength, 'moderate');
    assert.match(String(obj(s.data.combination)['rule']), /weak signals .* never raise the verdict/);
    // A real 3:4 selfie is not in the FFHQ framing.
    assert.notEqual(s.verdict, 'suspicious');
    assert.ok(!s.findings.some((f) => f.code === 'ffhq-aligned-face'));
    const spectrum = obj(s.data.spectrum);
    assert.equal(spectrum['n'], 512);
    const art = s.artifacts.find((a) => a.kind === 'spectrum');
    assert.ok(art, 'spectrum artifact');
    assert.equal(art.mime, 'image/png');
    const png = store.get(art.sha256);
    assert.ok(png);
    const meta = await sharp(Buffer.from(png.data)).metadata();
    assert.equal(meta.width, 512);
    assert.equal(meta.height, 512);
    for (const f of s.findings) assert.match(f.code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('flags a face cropped with the FFHQ rule, even from a real photo (the documented limit)', async () => {
    // Build the FFHQ-aligned 256x256 crop of the real selfie, as the FFHQ script would (mirror padding).
    const faces = await analyzeFile(SELFIE, { analyzers: ANALYZERS, only: ['faces'], artifacts: new MemoryArtifactStore(), services });
    const main = landmarksFromFaces(dataOf(faces.analyzers, 'faces'))[0];
    assert.ok(main, 'a face with landmarks in the selfie');
    const lm: FaceLandmarks = main.landmarks;
    const q = ffhqQuad(lm);
    assert.ok(Math.abs(q.axis.y) < 0.05, 'the selfie is level enough to crop without rotating');
    const side = Math.round(2 * q.halfSide);
    const pad = side;
    const left = Math.round(q.centre.x - q.halfSide) + pad;
    const top = Math.round(q.centre.y - q.halfSide) + pad;
    const padded = await sharp(readFileSync(SELFIE))
      .extend({ top: pad, bottom: pad, left: pad, right: pad, extendWith: 'mirror' })
      .png()
      .toBuffer();
    const aligned = await sharp(padded).extract({ left, top, width: side, height: side }).resize(256, 256).png().toBuffer();
    const file = join(tmp, 'selfie-ffhq-aligned.png');
    writeFileSync(file, aligned);
    const { s } = await run(file, ['faces', 'synthetic']);
    assert.equal(s.status, 'ok');
    assert.equal(s.verdict, 'suspicious');
    assert.ok((s.score ?? 0) >= 0.5);
    assert.ok(s.findings.some((f) => f.code === 'ffhq-aligned-face' && f.severity === 'warn'));
  });

  it('measures an AI face that is not in FFHQ framing without flagging its geometry', async () => {
    const { s } = await run(AI_FACE, ['faces', 'synthetic']);
    const geometry = obj(s.data.faceGeometry);
    assert.equal(geometry['status'], 'measured');
    assert.ok((geometry['score'] as number) < 0.5);
    assert.equal(s.verdict, 'inconclusive');
    assert.ok(s.findings.some((f) => f.code === 'no-synthetic-trace'));
  });

  it('skips face geometry with a clear note when faces did not run, and gives no file score', async () => {
    const { s } = await run(SELFIE, ['synthetic']);
    assert.equal(s.status, 'ok');
    const geometry = obj(s.data.faceGeometry);
    assert.equal(geometry['status'], 'skipped');
    assert.match(String(geometry['reason']), /faces analyzer did not run/);
    assert.ok(s.findings.some((f) => f.code === 'face-geometry-skipped'));
    assert.equal(s.score, undefined);
    assert.equal(s.verdict, 'inconclusive');
    assert.equal(obj(s.data.spectralFalloff)['status'], 'measured');
  });

  it('skips face geometry when no face is found, on a large camera photo', async () => {
    const { s } = await run(NO_FACE, ['faces', 'synthetic']);
    assert.equal(s.status, 'ok');
    assert.equal(obj(s.data.faceGeometry)['status'], 'skipped');
    assert.match(String(obj(s.data.faceGeometry)['reason']), /no face/);
    assert.equal(obj(s.data.spectrum)['n'], 512);
    assert.notEqual(s.verdict, 'suspicious');
  });

  it('handles an image too small for the spectrum', async () => {
    const { s } = await run(TINY, ['synthetic']);
    assert.equal(s.status, 'ok');
    assert.equal(obj(s.data.spectralFalloff)['status'], 'skipped');
    assert.match(String(obj(s.data.spectralFalloff)['reason']), /32x32/);
    assert.equal(s.artifacts.length, 0);
  });

  it('gives a clear one-line error naming the file when pixels cannot be decoded, or a result', async () => {
    const bytes = readFileSync(AI_FACE);
    const truncated = join(tmp, 'truncated.png');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    // HEIC: sharp's prebuilt libvips has no HEVC decoder, so this one fails on these machines.
    for (const file of [truncated, fixture('images', 'heic-single.heic')]) {
      const s = (await analyzeFile(file, { analyzers: ANALYZERS, only: ['synthetic'], artifacts: new MemoryArtifactStore(), services })).analyzers.synthetic;
      assert.ok(s);
      if (s.status === 'error') {
        assert.equal(s.error?.code, 'decode-failed');
        assert.ok(s.error?.message.includes(file), s.error?.message);
        assert.ok(!s.error?.message.includes('\n'), 'one line');
      } else {
        assert.equal(s.status, 'ok');
        assert.equal(obj(s.data.spectralFalloff)['status'], 'measured');
      }
    }
  });

  it('reads the faces result as the faces analyzer writes it, and notes a failed faces run', async () => {
    const ev = await openEvidence(AI_FACE); // 424x424
    const S = 424;
    const prov = {
      analyzer: 'faces',
      version: 'x',
      parameters: {},
      inputSha256: ev.info.sha256,
      startedAt: new Date(0).toISOString(),
      durationMs: 0,
      models: [],
    };
    const at = (x: number, y: number): [number, number] => [x * S, y * S];
    const faces: ResultOf<'faces'> = {
      status: 'ok',
      findings: [],
      artifacts: [],
      provenance: prov,
      data: {
        faces: [
          // A small second face far from the FFHQ framing, listed first to check the largest face is used.
          {
            index: 0,
            box: { x: 0, y: 0, width: 40, height: 40 },
            score: 0.9,
            areaFraction: 0.01,
            crop: null,
            landmarks: {
              rightEye: at(0.05, 0.05),
              leftEye: at(0.08, 0.05),
              nose: at(0.065, 0.07),
              mouthRight: at(0.055, 0.09),
              mouthLeft: at(0.075, 0.09),
            },
          },
          {
            index: 1,
            box: { x: 90, y: 90, width: 250, height: 300 },
            score: 0.95,
            areaFraction: 0.42,
            crop: null,
            landmarks: {
              rightEye: at(0.375, 0.475),
              leftEye: at(0.625, 0.475),
              nose: at(0.5, 0.6),
              mouthRight: at(0.42, 0.725),
              mouthLeft: at(0.58, 0.725),
            },
          },
        ],
        faceCount: 2,
        mainFace: 1,
        detection: { width: S, height: S, scoreThreshold: 0.6, detector: 'hand-written' },
      } satisfies FacesData,
    };
    const ctx = (results: AnalyzerResults): AnalysisContext<'synthetic'> => ({
      signal: new AbortController().signal,
      progress: () => undefined,
      params: {},
      artifacts: new MemoryArtifactStore(),
      results,
      services: {},
      log: { debug: () => undefined, warn: () => undefined },
    });
    const out = await syntheticAnalyzer.run(ev, ctx({ faces }));
    if (out.status !== 'ok') assert.fail(out.status);
    const geometry = obj(out.data.faceGeometry);
    assert.equal(geometry['mainFace'], 1);
    assert.ok((geometry['score'] as number) > 0.9);
    assert.equal(out.verdict, 'suspicious');
    assert.equal(out.score, geometry['score']);
    assert.ok(out.findings?.some((f) => f.code === 'ffhq-aligned-face'));

    const failed: ResultOf<'faces'> = {
      status: 'error',
      findings: [],
      artifacts: [],
      data: {},
      provenance: prov,
      error: { code: 'no-models', message: 'no model service' },
    };
    const out2 = await syntheticAnalyzer.run(ev, ctx({ faces: failed }));
    if (out2.status !== 'ok') assert.fail(out2.status);
    assert.equal(obj(out2.data.faceGeometry)['status'], 'skipped');
    assert.match(String(obj(out2.data.faceGeometry)['reason']), /faces analyzer was error: no model service/);
    assert.equal(out2.score, undefined);
    assert.equal(out2.verdict, 'inconclusive');
  });

  it('stops when cancelled', async () => {
    const ev = await openEvidence(SELFIE);
    const ac = new AbortController();
    ac.abort(new Error('cancelled by test'));
    await assert.rejects(
      syntheticAnalyzer.run(ev, {
        signal: ac.signal,
        progress: () => undefined,
        params: {},
        artifacts: new MemoryArtifactStore(),
        results: {},
        services: {},
        log: { debug: () => undefined, warn: () => undefined },
      }),
      /cancelled by test/,
    );
  });
});
