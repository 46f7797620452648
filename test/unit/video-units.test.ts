import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mergeWindows, workSize } from '../../src/analyzers/video-faces/index.js';
import { interpretVideo, summarise, type VideoFacts } from '../../src/analyzers/video-faces/interpret.js';
import { timelineSvg } from '../../src/analyzers/video-faces/timeline.js';
import { mainTrack, temporalStats, trackFaces, worstWindow, type FrameFace, type FrameObs } from '../../src/analyzers/video-faces/track.js';
import { ATOM_LIMITS, parseElst, readAtomsFromFile } from '../../src/media/atoms.js';
import { mediaToolPath, TOOL_ENV, unpackedAsarPath } from '../../src/media/binaries.js';
import { frameArgs } from '../../src/media/frames.js';
import { mainError } from '../../src/media/process.js';
import { fixture } from '../helpers.js';

const face = (x: number, y: number, w: number, scores: { spoof?: number; swap?: number } = {}): FrameFace => ({
  box: { x, y, width: w, height: w * 1.2 },
  // Eyes, nose, mouth corners at fixed places inside the box.
  landmarks: [
    [x + 0.3 * w, y + 0.4 * w],
    [x + 0.7 * w, y + 0.4 * w],
    [x + 0.5 * w, y + 0.6 * w],
    [x + 0.35 * w, y + 0.85 * w],
    [x + 0.65 * w, y + 0.85 * w],
  ],
  detScore: 0.9,
  spoof: scores.spoof ?? 0.1,
  swap: scores.swap ?? 0.2,
});

describe('face tracking and temporal checks', () => {
  it('keeps two faces apart as they move, and picks the larger, longer one as main', () => {
    const frames: FrameObs[] = [];
    for (let i = 0; i < 6; i++) frames.push({ index: i, time: i * 0.5, faces: [face(100 + i * 10, 100, 120), face(500 - i * 5, 300, 40)] });
    const tracks = trackFaces(frames);
    assert.equal(tracks.length, 2);
    assert.deepEqual(tracks.map((t) => t.points.length), [6, 6]);
    assert.equal(mainTrack(tracks)?.points[0]?.face.box.width, 120);
    // Every point of the main track is the big face (x grows by 10 per frame).
    assert.deepEqual(mainTrack(tracks)?.points.map((p) => p.face.box.x), [100, 110, 120, 130, 140, 150]);
  });

  it('starts a new track after a long gap or a jump far across the picture', () => {
    const tracks = trackFaces([
      { index: 0, time: 0, faces: [face(100, 100, 100)] },
      { index: 1, time: 0.5, faces: [face(700, 400, 100)] },
      { index: 2, time: 5, faces: [face(700, 400, 100)] },
    ]);
    assert.equal(tracks.length, 3);
  });

  it('counts box jumps, landmark jitter and score flicker on a track', () => {
    const steady = trackFaces([0, 1, 2, 3, 4].map((i) => ({ index: i, time: i * 0.5, faces: [face(100, 100, 100)] })));
    const s = temporalStats(steady[0]!.points, 0.75, 0.5, 0.5);
    assert.deepEqual([s.intervals, s.jumps, s.landmarkJitter, s.spoofFlips, s.swapFlips], [4, 0, 0, 0, 0]);

    const jumpy = [0, 1, 2, 3, 4].map((i) => ({ index: i, time: i * 0.5, faces: [face(100 + (i % 2) * 90, 100, 100, { swap: i % 2 ? 0.9 : 0.1 })] }));
    const t = trackFaces(jumpy);
    assert.equal(t.length, 1);
    const j = temporalStats(t[0]!.points, 0.75, 0.5, 0.5);
    assert.equal(j.jumps, 4);
    assert.equal(j.swapFlips, 4);
    assert.deepEqual(j.flickerTimes, [0.5, 1, 1.5, 2]);
    assert.ok((j.maxShift ?? 0) > 0.75);

    const wobble = [0, 1, 2, 3].map((i) => {
      const f = face(100, 100, 100);
      f.landmarks = f.landmarks.map(([x, y]) => [x + (i % 2) * 10, y]);
      return { index: i, time: i * 0.5, faces: [f] };
    });
    const w = temporalStats(trackFaces(wobble)[0]!.points, 0.75, 0.5, 0.5);
    assert.ok(Math.abs((w.landmarkJitter ?? 0) - 0.0456) < 0.001, String(w.landmarkJitter));
  });

  it('finds the worst window and merges overlapping dense windows', () => {
    assert.deepEqual(worstWindow([0.1, 0.2, 0.9, 0.8, 0.7, 0.1], 3), { start: 2, mean: (0.9 + 0.8 + 0.7) / 3 });
    assert.equal(worstWindow([0.1, null, 0.2], 2), null);
    assert.deepEqual(mergeWindows([{ start: 3, end: 5 }, { start: 0, end: 2 }, { start: 1.5, end: 2.5 }]), [{ start: 0, end: 2.5 }, { start: 3, end: 5 }]);
  });

  it('decodes rotated video upright and never larger than 1280 pixels', () => {
    assert.deepEqual(workSize(1920, 1080, -90), { displayWidth: 1080, displayHeight: 1920, width: 720, height: 1280, scale: 720 / 1080 });
    assert.deepEqual(workSize(640, 480, null), { displayWidth: 640, displayHeight: 480, width: 640, height: 480, scale: 1 });
    assert.equal(workSize(3840, 2160, 180).width, 1280);
    // Anamorphic PAL widescreen: 720x576 stored, 1024x576 shown.
    assert.deepEqual(workSize(720, 576, null, '64:45'), { displayWidth: 1024, displayHeight: 576, width: 1024, height: 576, scale: 1 });
    assert.equal(workSize(640, 480, null, '1:1').displayWidth, 640);
    assert.equal(workSize(640, 480, null, '0:1').displayWidth, 640);
  });

  it('draws a timeline with gaps where no face was seen', () => {
    const svg = timelineSvg({
      points: [
        { time: 0, spoof: 0.1, swap: 0.2 },
        { time: 0.5, spoof: null, swap: null },
        { time: 1, spoof: 0.2, swap: 0.7 },
      ],
      duration: 1.5,
      spoofThreshold: 0.5,
      swapThreshold: 0.5,
      events: [1],
      windows: [],
      title: 'a <title> & more',
    });
    assert.equal((svg.match(/<circle /g) ?? []).length, 4);
    // Each series is two separate pieces (M ... M), not a line drawn through the gap.
    const paths = svg.match(/<path d="M[^"]*"/g) ?? [];
    assert.ok(paths.some((p) => (p.match(/M/g) ?? []).length === 2));
    assert.match(svg, /a &lt;title&gt; &amp; more/);
  });
});

describe('video verdicts and findings', () => {
  /** Facts for a clip whose main face has these per-sample scores (2 frames/s, 150-px face unless given). */
  const factsFor = (spoof: number[], swap: number[], over: Partial<VideoFacts> = {}, width = 150): VideoFacts => {
    const frames: FrameObs[] = spoof.map((sp, i) => ({ index: i, time: i * 0.5, faces: [face(100, 100, width, { spoof: sp, swap: swap[i] ?? 0.1 })] }));
    const tracks = trackFaces(frames);
    const main = mainTrack(tracks)!;
    return {
      frames: frames.length,
      framesWithFaces: frames.length,
      lastTime: (frames.length - 1) * 0.5,
      duration: frames.length * 0.5,
      fps: 2,
      maxFrames: 600,
      capped: false,
      decodeProblem: null,
      main: summarise(main, 3),
      others: [],
      temporal: temporalStats(main.points, 0.75, 0.5, 0.5),
      spoofThreshold: 0.5,
      swapThreshold: 0.5,
      swapAuc: 0.59,
      extra: [],
      ...over,
    };
  };
  const codesOf = (r: { findings: { code: string }[] }): string[] => r.findings.map((f) => f.code);

  it('calls a replayed face suspicious on its median, with the larger median as the score', () => {
    const r = interpretVideo(factsFor([0.8, 0.9, 0.7, 0.85, 0.8], [0.2, 0.1, 0.2, 0.3, 0.2]));
    assert.equal(r.verdict, 'suspicious');
    assert.equal(r.score, 0.8);
    assert.ok(codesOf(r).includes('presentation-attack'));
    assert.ok(!codesOf(r).includes('face-swap-signal'));
  });

  it('stays inconclusive below the thresholds, quotes the weak model, and points at a suspicious stretch', () => {
    const r = interpretVideo(factsFor([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], [0.1, 0.1, 0.7, 0.8, 0.9, 0.1, 0.1]));
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(r.score, 0.1);
    assert.match(r.findings.find((f) => f.code === 'face-swap-not-flagged')?.message ?? '', /measured AUC 0\.59/);
    assert.match(r.findings.find((f) => f.code === 'suspicious-stretch')?.message ?? '', /From 1\.0 s to 2\.0 s the face-swap score averages 0\.80/);
    // Crossing the threshold up and back down twice: two flips in six intervals.
    assert.ok(codesOf(r).includes('score-flicker'));
  });

  it('never judges a small face or a face seen in too few frames', () => {
    const small = interpretVideo(factsFor([0.9, 0.9, 0.9, 0.9], [0.9, 0.9, 0.9, 0.9], {}, 60));
    assert.equal(small.verdict, 'inconclusive');
    assert.ok(codesOf(small).includes('face-too-small'));
    const brief = interpretVideo(factsFor([0.9, 0.9], [0.9, 0.9]));
    assert.equal(brief.verdict, 'inconclusive');
    assert.ok(codesOf(brief).includes('few-face-frames'));
  });

  it('reports no face without a score, and says when the cap or a broken file cut the analysis short', () => {
    const none = interpretVideo({ ...factsFor([0.1], [0.1]), main: null, temporal: null, framesWithFaces: 0 });
    assert.deepEqual([none.verdict, none.score, codesOf(none)], ['inconclusive', undefined, ['no-face']]);
    const capped = interpretVideo(factsFor([0.1, 0.1, 0.1], [0.1, 0.1, 0.1], { capped: true, duration: 100 }));
    assert.ok(codesOf(capped).includes('frame-cap-reached'));
    assert.ok(!codesOf(capped).includes('decode-stopped'));
    const cut = interpretVideo(factsFor([0.1, 0.1, 0.1], [0.1, 0.1, 0.1], { duration: 60 }));
    assert.match(cut.findings.find((f) => f.code === 'decode-stopped')?.message ?? '', /end at 1\.0 s although the container declares 60\.0 s/);
    const broken = interpretVideo(factsFor([0.1, 0.1, 0.1], [0.1, 0.1, 0.1], { decodeProblem: 'Invalid NAL unit size' }));
    assert.match(broken.findings.find((f) => f.code === 'decode-stopped')?.message ?? '', /Invalid NAL unit size/);
  });
});

describe('media tools', () => {
  it('maps a binary inside app.asar to app.asar.unpacked, whole path segments only', () => {
    assert.equal(unpackedAsarPath('/opt/Verilens/resources/app.asar/node_modules/@ffmpeg-installer/linux-x64/ffmpeg', '/'), '/opt/Verilens/resources/app.asar.unpacked/node_modules/@ffmpeg-installer/linux-x64/ffmpeg');
    assert.equal(unpackedAsarPath('C:\\Program Files\\Verilens\\resources\\app.asar\\node_modules\\x\\ffmpeg.exe', '\\'), 'C:\\Program Files\\Verilens\\resources\\app.asar.unpacked\\node_modules\\x\\ffmpeg.exe');
    assert.equal(unpackedAsarPath('/home/me/my-app.asar/ffmpeg', '/'), '/home/me/my-app.asar/ffmpeg');
    assert.equal(unpackedAsarPath('/work/node_modules/ffmpeg', '/'), '/work/node_modules/ffmpeg');
  });

  it('honours the environment override and refuses a path that is not an executable', () => {
    const shipped = mediaToolPath('ffprobe', {});
    assert.equal(mediaToolPath('ffprobe', { [TOOL_ENV.ffprobe]: shipped }), shipped);
    assert.throws(() => mediaToolPath('ffmpeg', { [TOOL_ENV.ffmpeg]: '/nonexistent/ffmpeg' }), { code: 'media-tool-missing', message: /VERILENS_FFMPEG points at \/nonexistent\/ffmpeg/ });
    assert.throws(() => mediaToolPath('ffmpeg', { [TOOL_ENV.ffmpeg]: fixture('video', 'asl_yes.mkv') }), { code: 'media-tool-missing' });
  });

  it('builds ffmpeg arguments that read only the local file and pipe raw RGB', () => {
    const a = frameArgs({ path: '/x/-i evil.mp4', width: 640, height: 360, fps: 2, maxFrames: 10, start: 1.5, duration: 2 });
    assert.deepEqual(a.slice(a.indexOf('-protocol_whitelist'), a.indexOf('-protocol_whitelist') + 2), ['-protocol_whitelist', 'file']);
    assert.equal(a[a.indexOf('-i') + 1], 'file:/x/-i evil.mp4');
    assert.ok(a.indexOf('-ss') < a.indexOf('-i'), 'input seeking');
    assert.equal(a[a.indexOf('-vf') + 1], 'fps=2,scale=640:360:flags=bilinear');
    assert.deepEqual(a.slice(-5), ['-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
  });

  it('picks the specific ffmpeg error line, not the generic follow-on', () => {
    assert.equal(mainError('[mov,mp4 @ 0x55d0] stream 0, missing mandatory atoms, broken header\nError marking filters as finished\n'), 'stream 0, missing mandatory atoms, broken header');
    assert.equal(mainError('Error marking filters as finished\n'), 'Error marking filters as finished');
  });
});

describe('MP4 box reader on hostile input', () => {
  let tmp = '';
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'verilens-atoms-'));
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  const box = (type: string, body: Buffer): Buffer => {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(8 + body.length, 0);
    h.write(type, 4, 'latin1');
    return Buffer.concat([h, body]);
  };

  it('stops at a box that claims to be larger than the file', async () => {
    const bad = Buffer.alloc(16);
    bad.writeUInt32BE(0x7fffffff, 0);
    bad.write('moov', 4, 'latin1');
    const p = join(tmp, 'huge-box.mp4');
    writeFileSync(p, Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0isom', 'latin1')), bad]));
    const a = await readAtomsFromFile(p);
    assert.equal(a.majorBrand, 'isom');
    assert.match(a.problem ?? '', /box 'moov' at offset 20 declares 2147483647 bytes/);
  });

  it('caps the number of boxes it visits (a million empty boxes cost nothing)', async () => {
    const empty = box('free', Buffer.alloc(0));
    const p = join(tmp, 'many-boxes.mp4');
    writeFileSync(p, Buffer.concat([box('moov', Buffer.concat(Array.from({ length: 30_000 }, () => empty)))]));
    const t0 = performance.now();
    const a = await readAtomsFromFile(p);
    assert.match(a.problem ?? '', new RegExp(`stopped after ${ATOM_LIMITS.maxBoxes} boxes`));
    assert.ok(performance.now() - t0 < 10_000);
  });

  it('reads edit lists of both versions and marks empty edits', () => {
    const v0 = Buffer.alloc(8 + 24);
    v0.writeUInt32BE(2, 4);
    v0.writeUInt32BE(600, 8); // 1 s at movie timescale 600
    v0.writeInt32BE(-1, 12); // empty edit
    v0.writeInt16BE(1, 16);
    v0.writeUInt32BE(1200, 20);
    v0.writeInt32BE(3000, 24); // 0.1 s at media timescale 30000
    v0.writeInt16BE(2, 28); // double speed
    const e = parseElst(v0, 600, 30000, 64);
    assert.deepEqual(e.edits, [
      { segmentSeconds: 1, mediaTimeSeconds: -1, mediaTime: -1, rate: 1 },
      { segmentSeconds: 2, mediaTimeSeconds: 0.1, mediaTime: 3000, rate: 2 },
    ]);
    const many = Buffer.alloc(8 + 12 * 2);
    many.writeUInt32BE(1_000_000, 4); // claims a million entries, holds two
    assert.equal(parseElst(many, 600, 600, 64).edits.length, 2);
    assert.equal(parseElst(many, 600, 600, 64).truncated, true);
  });
});
