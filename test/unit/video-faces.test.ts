import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { videoFacesAnalyzer } from '../../src/analyzers/video-faces/index.js';
import type { ResultOf, VideoFacesData } from '../../src/contract/analyzers/index.js';
import type { JsonObject } from '../../src/contract/json.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile, type ProgressEvent } from '../../src/engine/runner.js';
import { createEngineServices } from '../../src/engine/services.js';
import { mediaToolPath } from '../../src/media/binaries.js';
import { liveMediaProcesses } from '../../src/media/process.js';
import { corpus, fixture, needCorpus } from '../helpers.js';
import { eventually, mediaProcessesMentioning } from '../media-helpers.js';

const services = createEngineServices();
const FFMPEG = mediaToolPath('ffmpeg');
let tmp = '';



async function videoFaces(path: string, params: JsonObject = {}, opts: { signal?: AbortSignal; onProgress?: (e: ProgressEvent) => void; store?: MemoryArtifactStore } = {}): Promise<ResultOf<'video-faces'>> {
  const r = await analyzeFile(path, {
    analyzers: [videoFacesAnalyzer],
    artifacts: opts.store ?? new MemoryArtifactStore(),
    services,
    params: { 'video-faces': params },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  assert.equal(r.error, undefined, r.error?.message);
  const v = r.analyzers['video-faces'];
  assert.ok(v);
  return v;
}

/** The data of a video-faces result that must have run ok. */
const vf = (r: ResultOf<'video-faces'>): VideoFacesData => {
  if (r.status !== 'ok') assert.fail(`video-faces was ${r.status}: ${r.error?.message}`);
  return r.data;
};
const perFrame = (r: ResultOf<'video-faces'>): VideoFacesData['perFrame'] => vf(r).perFrame;
const codes = (r: ResultOf<'video-faces'>): string[] => r.findings.map((f) => f.code);

describe('video-faces analyzer', () => {
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'verilens-video-'));
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the face in every sampled frame of a person facing the camera, and tracks it as one face', async () => {
    const store = new MemoryArtifactStore();
    const r = await videoFaces(fixture('video', 'asl_yes.mkv'), {}, { store });
    assert.equal(r.status, 'ok', r.error?.message);
    const frames = perFrame(r);
    assert.ok(frames.length >= 4 && frames.length <= 5, `2.2 s at 2 frames/s, got ${frames.length}`);
    assert.deepEqual(frames.map((f) => f.t).slice(0, 4), [0, 0.5, 1, 1.5]);
    for (const f of frames) {
      const main = f.faces.find((x) => x.track === vf(r).mainTrack);
      assert.ok(main, `no main face at ${f.t} s`);
      // The signer's head is in the upper middle of the 640x480 picture.
      assert.ok(main.box.x > 200 && main.box.x + main.box.width < 440, JSON.stringify(main.box));
      assert.ok(main.box.y < 200 && main.box.width > 40 && main.box.width < 120, JSON.stringify(main.box));
      assert.ok(main.spoof !== null && main.spoof >= 0 && main.spoof <= 1);
      assert.ok(main.swap !== null && main.swap >= 0 && main.swap <= 1);
    }
    const tracks = vf(r).tracks;
    assert.equal(tracks.length, 1);
    assert.equal(tracks[0]?.['samples'], frames.length);
    assert.ok(codes(r).includes('faces-found'));
    // A 65-pixel face is below the models' reliable size: the verdict must not claim more.
    assert.ok(codes(r).includes('face-too-small'));
    assert.equal(r.verdict, 'inconclusive');
    assert.ok(typeof r.score === 'number' && r.score >= 0 && r.score <= 1);
    assert.equal(r.scoreInfo?.strength, 'weak');
    assert.deepEqual(
      r.provenance.models.map((m) => m.id).sort(),
      ['mesonet-df', 'mesonet-f2f', 'minifasnet-v1se', 'minifasnet-v2', 'yunet'],
    );

    const timeline = r.artifacts.find((a) => a.kind === 'timeline');
    const sheet = r.artifacts.find((a) => a.kind === 'contact-sheet');
    assert.ok(timeline && sheet);
    const svg = Buffer.from(store.get(timeline.sha256)?.data ?? new Uint8Array()).toString('utf8');
    assert.match(svg, /^<svg /);
    // One dot per sampled frame for each of the two scores.
    assert.equal((svg.match(/<circle /g) ?? []).length, 2 * frames.length);
    const png = store.get(sheet.sha256)?.data;
    assert.ok(png);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, frames.length * 240);
    assert.equal(meta.width, sheet.width);
  });

  it('samples at the requested rate, and all frames of a stretch in dense mode', async () => {
    const r = await videoFaces(fixture('video', 'asl_milk.mkv'), { fps: 10, denseSeconds: 0.5 });
    const frames = perFrame(r);
    assert.ok(frames.length >= 16 && frames.length <= 18, `1.73 s at 10 frames/s, got ${frames.length}`);
    assert.ok(frames.every((f) => f.faces.length >= 1));
    const dense = vf(r).dense?.windows ?? [];
    assert.equal(dense.length, 1);
    assert.equal(dense[0]?.fps, 30);
    // Every frame of the window at the clip's own 30 frames/s.
    const w = dense[0]!;
    assert.ok(Math.abs(w.frames - (w.end - w.start) * 30) <= 2, JSON.stringify(w));
  });

  it('reports no face (and no score) on footage without people', async () => {
    const r = await videoFaces(fixture('video', 'c2pa-rs-c.mov'));
    assert.equal(r.status, 'ok');
    assert.ok(codes(r).includes('no-face'));
    assert.equal(r.score, undefined);
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(vf(r).video.width, 2750);
    // Decoded at most 1280 px wide: never the full 2750x1834 frame.
    assert.equal(vf(r).sampling.workWidth, 1280);
  });

  it('decodes a rotated recording upright, in display orientation', async () => {
    const rotated = join(tmp, 'rotated.mp4');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-i', fixture('video', 'asl_milk.mkv'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated], { timeout: 30_000 });
    const r = await videoFaces(rotated, { maxFrames: 2 });
    assert.equal(r.status, 'ok', r.error?.message);
    const v = vf(r).video;
    assert.deepEqual([v['width'], v['height'], v['displayWidth'], v['displayHeight']], [640, 480, 480, 640]);
    assert.deepEqual([vf(r).sampling.workWidth, vf(r).sampling.workHeight], [480, 640]);
    // The face box lies inside the upright (portrait) picture.
    for (const f of perFrame(r)) for (const x of f.faces) assert.ok(x.box.x + x.box.width <= 481 && x.box.y + x.box.height <= 641, JSON.stringify(x.box));
  });

  it('decodes anamorphic (non-square pixel) video at its displayed shape', async () => {
    const anamorphic = join(tmp, 'anamorphic.mkv');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-i', fixture('video', 'c2pa-ts-test-video.mp4'), '-vf', 'scale=720:576,setsar=64/45', '-c:v', 'libx264', '-preset', 'ultrafast', anamorphic], { timeout: 30_000 });
    const r = await videoFaces(anamorphic, { maxFrames: 1 });
    assert.equal(r.status, 'ok', r.error?.message);
    const v = vf(r).video;
    assert.deepEqual([v['width'], v['height'], v['displayWidth'], v['displayHeight']], [720, 576, 1024, 576]);
    assert.equal(vf(r).sampling.workWidth, 1024);
  });

  it('stops at the frame cap and says so', async () => {
    const r = await videoFaces(fixture('video', 'asl_yes.mkv'), { maxFrames: 2 });
    assert.equal(perFrame(r).length, 2);
    assert.equal(vf(r).sampling.capped, true);
    assert.ok(codes(r).includes('frame-cap-reached'));
    assert.deepEqual(liveMediaProcesses(), []);
  });

  it('rejects bad parameters with a clear error', async () => {
    await assert.rejects(videoFaces(fixture('video', 'asl_yes.mkv'), { fps: 0 }), { code: 'bad-parameter', message: /^video-faces: parameter fps must be a number from 0.05 to 30, got 0$/ });
  });

  it('kills ffmpeg when the analysis is cancelled mid-way: no child process remains', async () => {
    const long = join(tmp, 'long-clip.mkv');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-stream_loop', '9', '-i', fixture('video', 'asl_yes.mkv'), '-c', 'copy', long], { timeout: 30_000 });
    const ac = new AbortController();
    let sawFrames = 0;
    let running: number[] = [];
    const r = await videoFaces(long, { fps: 10 }, {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.note?.startsWith('frame ')) {
          sawFrames++;
          if (sawFrames === 3) {
            running = mediaProcessesMentioning(long);
            ac.abort();
          }
        }
      },
    });
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'cancelled');
    assert.equal(running.length, 1, 'ffmpeg was running when the analysis was cancelled');
    assert.ok(await eventually(() => mediaProcessesMentioning(long).length === 0 && liveMediaProcesses().length === 0, 5000), `left behind: ${mediaProcessesMentioning(long).join(', ')}`);
  });

  it('gives clear errors for truncated, audio-only, absurd and junk files, in bounded time, leaving no process', async () => {
    const t0 = performance.now();
    const mkv = readFileSync(fixture('video', 'asl_yes.mkv'));
    const cutMkv = join(tmp, 'cut.mkv');
    writeFileSync(cutMkv, mkv.subarray(0, 100_000));
    const cut = await videoFaces(cutMkv);
    assert.equal(cut.status, 'ok');
    assert.ok(codes(cut).includes('decode-stopped'), JSON.stringify(cut.findings));
    assert.ok(perFrame(cut).length >= 1);

    const mov = readFileSync(fixture('video', 'c2pa-rs-c.mov'));
    const cutMov = join(tmp, 'cut.mov');
    writeFileSync(cutMov, mov.subarray(0, 200_000));
    const m = await videoFaces(cutMov);
    assert.equal(m.error?.code, 'media-unreadable');
    assert.match(m.error?.message ?? '', /cut\.mov: /);

    const audio = join(tmp, 'audio.mp4');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', audio]);
    const a = await videoFaces(audio);
    assert.equal(a.error?.code, 'no-video-stream');
    assert.match(a.error?.message ?? '', /audio\.mp4: the file has no video stream/);

    const wide = join(tmp, 'wide.avi');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=size=20000x16:rate=1', '-frames:v', '1', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', wide]);
    const w = await videoFaces(wide);
    assert.equal(w.error?.code, 'absurd-dimensions');
    assert.match(w.error?.message ?? '', /wide\.avi: the video stream declares 20000x16 pixels/);

    const longMkv = Buffer.from(mkv);
    longMkv.writeDoubleBE(1e12, longMkv.indexOf(Buffer.from([0x44, 0x89, 0x88])) + 3); // Matroska Duration, ms
    const longPath = join(tmp, 'long-duration.mkv');
    writeFileSync(longPath, longMkv);
    const l = await videoFaces(longPath);
    assert.equal(l.error?.code, 'absurd-duration');
    assert.match(l.error?.message ?? '', /long-duration\.mkv: the container declares 277778 hours of video/);

    const junk = join(tmp, 'junk.mp4');
    writeFileSync(junk, Buffer.concat([mov.subarray(0, 32), Buffer.alloc(64_000, 0x5a)]));
    const j = await videoFaces(junk);
    assert.equal(j.status, 'error');
    assert.match(j.error?.message ?? '', /junk\.mp4: /);

    assert.ok(performance.now() - t0 < 60_000);
    assert.ok(await eventually(() => mediaProcessesMentioning(tmp).length === 0, 3000));
    assert.deepEqual(liveMediaProcesses(), []);
  });

  it('handles the hostile and odd containers of the corpus with a clear result each', { skip: needCorpus }, async () => {
    const files = [
      corpus('c2pa', 'c2pa_rs_fixtures', 'dashinit.mp4'),
      corpus('c2pa', 'c2pa_rs_fixtures', 'test.avi'),
      corpus('c2pa', 'c2pa_rs_fixtures', 'video1.mp4'),
      corpus('c2pa', 'c2pa_rs_fixtures', 'legacy.mp4'),
      corpus('camera', 'exiftool_t_images', 'Matroska.mkv'),
      corpus('camera', 'exiftool_t_images', 'QuickTime.mov'),
      corpus('camera', 'exiftool_t_images', 'Pentax.avi'),
      corpus('camera', 'exiftool_t_images', 'RIFF.avi'),
    ];
    for (const f of files) {
      const t0 = performance.now();
      const r = await videoFaces(f, { maxFrames: 60 });
      assert.ok(performance.now() - t0 < 30_000, `${f} took too long`);
      if (r.status === 'error') {
        assert.ok(r.error?.message.startsWith(f), `${f}: ${r.error?.message}`);
        assert.match(r.error?.code ?? '', /^(media-unreadable|no-video-stream|absurd-)/);
      } else assert.equal(r.status, 'ok');
    }
    assert.deepEqual(liveMediaProcesses(), []);
  });

  it('finds no face in the corpus clip of people walking away from the camera', { skip: needCorpus }, async () => {
    const r = await videoFaces(corpus('video', 'intel_sample_videos', 'one-by-one-person-detection.mp4'), { fps: 0.25 });
    assert.equal(r.status, 'ok');
    const frames = perFrame(r);
    assert.ok(frames.length >= 30);
    // People are seen from behind: at most a stray detection, never a face in most frames.
    assert.ok(frames.filter((f) => f.faces.length > 0).length <= frames.length * 0.2);
  });
});
