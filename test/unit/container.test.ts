import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { containerAnalyzer } from '../../src/analyzers/container/index.js';
import { frameRateFacts, parseRational, type ContainerData } from '../../src/analyzers/container/facts.js';
import type { AnalyzerResult } from '../../src/contract/results.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { mediaToolPath } from '../../src/media/binaries.js';
import { liveMediaProcesses } from '../../src/media/process.js';
import { corpus, fixture, needCorpus } from '../helpers.js';

const FFMPEG = mediaToolPath('ffmpeg');
/** ffprobe's own JSON, run directly (not through the code under test). */
const REFERENCE_FFPROBE = mediaToolPath('ffprobe');

interface RefStream {
  index: number;
  codec_type: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}
interface RefProbe {
  format: { format_name: string; duration?: string; nb_streams: number; tags?: Record<string, string> };
  streams: RefStream[];
}

function reference(path: string): RefProbe {
  const out = execFileSync(REFERENCE_FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], { encoding: 'utf8', timeout: 20_000 });
  return JSON.parse(out) as RefProbe;
}

async function container(path: string, signal?: AbortSignal): Promise<AnalyzerResult> {
  const r = await analyzeFile(path, { analyzers: [containerAnalyzer], artifacts: new MemoryArtifactStore(), ...(signal ? { signal } : {}) });
  assert.equal(r.error, undefined, `intake failed: ${r.error?.message}`);
  const c = r.analyzers['container'];
  assert.ok(c);
  return c;
}

const codes = (r: AnalyzerResult): string[] => r.findings.map((f) => f.code);
const dataOf = (r: AnalyzerResult): ContainerData => r.data as ContainerData;

/** The container facts agree with ffprobe's own JSON, stream by stream. */
function assertMatchesReference(path: string, r: AnalyzerResult): void {
  assert.equal(r.status, 'ok', r.error?.message);
  const d = dataOf(r);
  const ref = reference(path);
  assert.equal(d.format, ref.format.format_name);
  assert.equal(d.streamCount, ref.streams.length);
  if (ref.format.duration !== undefined) assert.ok(Math.abs((d.duration ?? NaN) - Number(ref.format.duration)) < 1e-6, `${path}: duration ${d.duration} vs ${ref.format.duration}`);
  for (const rs of ref.streams) {
    const s = d.streams.find((x) => x.index === rs.index);
    assert.ok(s, `stream ${rs.index} missing`);
    assert.equal(s.type, rs.codec_type);
    assert.equal(s.codec, rs.codec_name ?? null);
    if (rs.codec_type === 'video') {
      assert.equal(s.width, rs.width ?? null);
      assert.equal(s.height, rs.height ?? null);
      assert.equal(parseRational(s.avgFrameRate), parseRational(rs.avg_frame_rate ?? null));
      const rot = rs.side_data_list?.find((x) => typeof x.rotation === 'number')?.rotation ?? null;
      assert.equal(s.rotation, rot);
    }
    if (rs.duration !== undefined && rs.duration !== 'N/A') assert.ok(Math.abs((s.duration ?? NaN) - Number(rs.duration)) < 1e-6);
    if (rs.nb_frames !== undefined && rs.nb_frames !== 'N/A') assert.equal(s.frames, Number(rs.nb_frames));
    for (const k of ['encoder', 'handler_name', 'creation_time']) if (rs.tags?.[k] !== undefined) assert.equal(s.tags[k], rs.tags[k]);
  }
  for (const k of ['encoder', 'creation_time', 'com.apple.quicktime.make', 'com.apple.quicktime.model']) {
    if (ref.format.tags?.[k] !== undefined) assert.equal(d.formatTags[k], ref.format.tags[k]);
  }
}

let tmp = '';
const ffmpeg = (...args: string[]): void => {
  execFileSync(FFMPEG, ['-v', 'error', '-y', ...args], { timeout: 30_000 });
};

describe('container analyzer', () => {
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'verilens-container-'));
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reports the facts ffprobe reports, for Matroska, MP4 and QuickTime fixtures', async () => {
    for (const f of ['asl_yes.mkv', 'asl_milk.mkv', 'c2pa-ts-test-video.mp4', 'c2pa-rs-c.mov']) {
      const path = fixture('video', f);
      assertMatchesReference(path, await container(path));
    }
  });

  it('reads WebM (VP8) as well', async () => {
    const webm = join(tmp, 'clip.webm');
    ffmpeg('-i', fixture('video', 'c2pa-ts-test-video.mp4'), '-c:v', 'libvpx', '-b:v', '200k', '-deadline', 'realtime', webm);
    const r = await container(webm);
    assertMatchesReference(webm, r);
    assert.equal(dataOf(r).format, 'matroska,webm');
    assert.equal(dataOf(r).streams[0]?.codec, 'vp8');
    assert.equal(dataOf(r).atoms, null);
  });

  it('flags an FFmpeg re-encode (Lavf/Lavc tags) and explains it', async () => {
    const r = await container(fixture('video', 'asl_yes.mkv'));
    assert.ok(codes(r).includes('ffmpeg-muxed'));
    assert.ok(codes(r).includes('ffmpeg-encoded'));
    assert.equal(r.verdict, 'inconclusive');
    assert.match(r.findings.find((f) => f.code === 'ffmpeg-muxed')?.message ?? '', /Lavf58\.20\.100/);
    assert.equal(dataOf(r).encoder, 'Lavf58.20.100');
    assert.equal(dataOf(r).frameRate.mode, 'constant');
    assert.equal(dataOf(r).frameRate.real, 30);
  });

  it('reads Apple device tags, creation times and the edit list of a QuickTime recording', async () => {
    const r = await container(fixture('video', 'c2pa-rs-c.mov'));
    const d = dataOf(r);
    assert.deepEqual([d.device.make, d.device.model], ['Apple', 'Mac15,9']);
    assert.ok(codes(r).includes('device-tags'));
    assert.ok(!codes(r).includes('ffmpeg-muxed'));
    assert.equal(d.creationTime, '2025-08-23T04:39:57.000000Z');
    assert.equal(d.atoms?.majorBrand, 'qt  ');
    assert.equal(d.atoms?.creationTime, '2025-08-23T04:39:57.000Z');
    const video = d.atoms?.tracks.find((t) => t.handlerType === 'vide');
    assert.equal(video?.handlerName, 'Core Media Video');
    assert.equal(video?.edits.length, 2);
    assert.equal(video?.edits[1]?.mediaTime, 500);
    assert.ok(codes(r).includes('edit-list'));
    assert.ok(!codes(r).includes('creation-time-mismatch'));
    assert.equal(r.verdict, 'consistent');
  });

  it('reports the display rotation written by a muxer', async () => {
    const out = join(tmp, 'rotated.mp4');
    ffmpeg('-i', fixture('video', 'c2pa-ts-test-video.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', out);
    const r = await container(out);
    assertMatchesReference(out, r);
    const s = dataOf(r).streams[0];
    assert.notEqual(s?.rotation, null);
    assert.equal(dataOf(r).displayRotation, (((-(s?.rotation ?? 0)) % 360) + 360) % 360);
    assert.equal(dataOf(r).displayRotation! % 90, 0);
  });

  it('detects a variable frame rate from packet timestamps', async () => {
    const out = join(tmp, 'vfr.mp4');
    ffmpeg('-i', fixture('video', 'c2pa-ts-test-video.mp4'), '-vf', "select='not(mod(n\\,3))+not(mod(n\\,5))'", '-vsync', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', out);
    const r = await container(out);
    assert.equal(dataOf(r).frameRate.mode, 'variable');
    assert.ok((dataOf(r).frameRate.irregularShare ?? 0) > 0.05);
    assert.ok(codes(r).includes('variable-frame-rate'));
  });

  it('flags an audio track much longer than the video', async () => {
    const out = join(tmp, 'mismatch.mp4');
    ffmpeg('-i', fixture('video', 'c2pa-ts-test-video.mp4'), '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5', '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', out);
    const r = await container(out);
    assertMatchesReference(out, r);
    assert.ok(codes(r).includes('stream-duration-mismatch'));
    assert.match(r.findings.find((f) => f.code === 'stream-duration-mismatch')?.message ?? '', /5\.0\d s/);
  });

  it('raises an alert for a face-swap tool named in an encoder tag, a warning for a capture tool in a comment', async () => {
    const out = join(tmp, 'generated.mkv');
    ffmpeg('-i', fixture('video', 'c2pa-ts-test-video.mp4'), '-c', 'copy', '-metadata:s:v:0', 'encoder=FaceFusion 3.1.0', '-metadata', 'comment=OBS Studio recording', out);
    const r = await container(out);
    const gen = r.findings.find((f) => f.code === 'generator-tag');
    assert.equal(gen?.severity, 'alert');
    assert.match(gen?.message ?? '', /FaceFusion/);
    assert.equal(r.findings.find((f) => f.code === 'capture-tool-tag')?.severity, 'warn');
    assert.equal(r.verdict, 'suspicious');
    // The same tool named only in free text is not an alert.
    const comment = join(tmp, 'comment.mkv');
    ffmpeg('-i', fixture('video', 'c2pa-ts-test-video.mp4'), '-c', 'copy', '-metadata', 'comment=made without FaceFusion', comment);
    assert.ok(!codes(await container(comment)).includes('generator-tag'));
  });

  it('flags absurd and mismatched durations written into crafted headers', async () => {
    // Matroska: the segment's Duration element (ID 0x4489, 8-byte float, milliseconds) set to 1e12 ms.
    const mkv = Buffer.from(readFileSync(fixture('video', 'asl_yes.mkv')));
    const at = mkv.indexOf(Buffer.from([0x44, 0x89, 0x88]));
    assert.ok(at > 0);
    mkv.writeDoubleBE(1e12, at + 3);
    const longMkv = join(tmp, 'long-duration.mkv');
    writeFileSync(longMkv, mkv);
    const r = await container(longMkv);
    assertMatchesReference(longMkv, r);
    assert.ok(codes(r).includes('absurd-duration'));
    // MP4: the movie header (mvhd, version 0) duration set to ~49 days; ffprobe goes by the tracks.
    const mp4 = Buffer.from(readFileSync(fixture('video', 'c2pa-ts-test-video.mp4')));
    const mvhd = mp4.indexOf(Buffer.from('mvhd', 'latin1'));
    assert.equal(mp4[mvhd + 4], 0);
    mp4.writeUInt32BE(0xfffffff0, mvhd + 20);
    const longMp4 = join(tmp, 'long-header.mp4');
    writeFileSync(longMp4, mp4);
    const m = await container(longMp4);
    assert.equal(dataOf(m).duration, 1);
    assert.ok(codes(m).includes('header-duration-mismatch'));
    assert.ok(codes(m).includes('absurd-duration'));
  });

  it('flags absurd dimensions and files with no video stream', async () => {
    const wide = join(tmp, 'wide.avi');
    ffmpeg('-f', 'lavfi', '-i', 'color=size=20000x16:rate=1', '-frames:v', '1', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', wide);
    assert.ok(codes(await container(wide)).includes('absurd-dimensions'));
    const audio = join(tmp, 'audio-only.mp4');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', audio);
    const r = await container(audio);
    assert.equal(r.status, 'ok');
    assert.ok(codes(r).includes('no-video-stream'));
    assert.equal(dataOf(r).videoStream, null);
  });

  it('gives a clear error for truncated and junk containers, in bounded time, with no process left', async () => {
    const mov = readFileSync(fixture('video', 'c2pa-rs-c.mov'));
    const cut = join(tmp, 'truncated.mov');
    writeFileSync(cut, mov.subarray(0, 200_000)); // the moov box is at the end: it is lost
    const t0 = performance.now();
    const r = await container(cut);
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'media-unreadable');
    assert.match(r.error?.message ?? '', /truncated\.mov: the container could not be read/);
    const junk = join(tmp, 'junk.mp4');
    writeFileSync(junk, Buffer.concat([mov.subarray(0, 32), Buffer.alloc(50_000, 0xab)]));
    const j = await container(junk);
    assert.ok(j.status === 'error' || j.findings.some((f) => f.code === 'container-structure'), JSON.stringify(j.error ?? j.findings));
    assert.ok(performance.now() - t0 < 20_000);
    assert.deepEqual(liveMediaProcesses(), []);
  });

  it('reads files whose names look like URLs, options or escapes as plain local paths', async () => {
    const dir = join(tmp, 'odd dir ü');
    mkdirSync(dir);
    const odd = join(dir, '-i a b%20c?#1.mp4');
    copyFileSync(fixture('video', 'c2pa-ts-test-video.mp4'), odd);
    const r = await container(odd);
    assert.equal(r.status, 'ok', r.error?.message);
    assert.equal(dataOf(r).streams[0]?.codec, 'h264');
  });

  it('stops ffprobe when the analysis is cancelled', async () => {
    const ac = new AbortController();
    const p = container(fixture('video', 'c2pa-rs-c.mov'), ac.signal);
    setTimeout(() => ac.abort(), 5);
    const r = await p;
    assert.equal(r.error?.code, 'cancelled', JSON.stringify(r.error));
    await new Promise((res) => setTimeout(res, 1000));
    assert.deepEqual(liveMediaProcesses(), []);
  });

  it('reads the MP4s among the C2PA fixtures and the corpus clips like ffprobe does', { skip: needCorpus }, async () => {
    for (const p of [
      corpus('c2pa', 'c2pa_rs_fixtures', 'video1.mp4'),
      corpus('c2pa', 'c2pa_rs_fixtures', 'legacy.mp4'),
      corpus('c2pa', 'c2pa_rs_fixtures', 'video1_no_manifest.mp4'),
      corpus('c2pa', 'c2pa_rs_fixtures', 'dashinit.mp4'),
      corpus('c2pa', 'c2pa_rs_fixtures', 'test.avi'),
      corpus('video', 'intel_sample_videos', 'one-by-one-person-detection.mp4'),
      corpus('video', 'intel_sample_videos', 'asl_again.mkv'),
    ]) {
      assertMatchesReference(p, await container(p));
    }
    const mkv = await container(corpus('camera', 'exiftool_t_images', 'Matroska.mkv'));
    assert.equal(mkv.status, 'error');
    assert.match(mkv.error?.message ?? '', /Matroska\.mkv: the container could not be read/);
  });
});

describe('frame-rate facts', () => {
  it('parses rationals and needs both header rates or packets to decide', () => {
    assert.equal(parseRational('30000/1001')?.toFixed(3), '29.970');
    assert.equal(parseRational('0/0'), null);
    assert.equal(frameRateFacts(undefined, []).mode, 'unknown');
  });
});
