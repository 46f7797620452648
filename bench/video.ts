// Video benchmark: a 1-minute 720p clip analysed by video-faces at 2 frames/s (target: under 15 s
// on the 2-core machine), and a 3-minute clip to show peak RSS does not grow with the length
// (target: under 500 MB). Each analysis runs in its own child process so its peak RSS is its own.
// Baseline measured in the same run: ffmpeg alone decoding the same frames to raw RGB.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { videoFacesAnalyzer } from '../src/analyzers/video-faces/index.js';
import { MemoryArtifactStore } from '../src/engine/artifacts.js';
import { analyzeFile } from '../src/engine/runner.js';
import { createEngineServices } from '../src/engine/services.js';
import { mediaToolPath } from '../src/media/binaries.js';
import { fixture } from '../test/helpers.js';
import { peakRssKiB } from '../src/util/peak-rss.js';

const CHILD_FLAG = '--video-bench-child';
const TARGET_S = 15;
const TARGET_RSS_MB = 500;

interface ChildReport {
  wallMs: number;
  cpuMs: number;
  frames: number;
  maxRssMb: number;
  timing: { totalMs: number; decodeWaitMs: number; detectMs: number; classifyMs: number };
  status: string;
}

/** In the child: analyse one clip with video-faces only and print one JSON line. */
async function child(path: string, fps: number): Promise<void> {
  const services = createEngineServices();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await analyzeFile(path, { analyzers: [videoFacesAnalyzer], artifacts: new MemoryArtifactStore(), services, params: { 'video-faces': { fps, maxFrames: 2000 } } });
  const v = r.analyzers['video-faces'];
  const cpu = process.cpuUsage(c0);
  const report: ChildReport = {
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    frames: v?.status === 'ok' ? v.data.perFrame.length : 0,
    maxRssMb: peakRssKiB() / 1024,
    timing: v?.status === 'ok' ? v.data.timing : { totalMs: 0, decodeWaitMs: 0, detectMs: 0, classifyMs: 0 },
    status: v?.status === 'ok' ? 'ok' : `${v?.status}: ${v?.error?.message}`,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runChild(path: string, fps: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, path, String(fps)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.on('error', reject);
    c.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch {
        reject(new Error(`bench child exited with ${code}: ${out.slice(-500)}`));
      }
    });
  });
}

/** A clip of `seconds` at 1280x720/30 fps: one 720p unit encoded from the fixture, then looped by stream copy. */
function makeClip(dir: string, seconds: number): string {
  const ffmpeg = mediaToolPath('ffmpeg');
  const unit = join(dir, 'unit-720p.mkv');
  execFileSync(ffmpeg, ['-v', 'error', '-y', '-i', fixture('video', 'asl_yes.mkv'), '-vf', 'scale=960:720,pad=1280:720:160:0', '-r', '30', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', unit], { timeout: 120_000 });
  const out = join(dir, `clip-${seconds}s.mkv`);
  execFileSync(ffmpeg, ['-v', 'error', '-y', '-stream_loop', '-1', '-i', unit, '-t', String(seconds), '-c', 'copy', out], { timeout: 120_000 });
  return out;
}

function decodeOnlyMs(path: string, fps: number): number {
  const t0 = performance.now();
  execFileSync(mediaToolPath('ffmpeg'), ['-v', 'error', '-nostdin', '-threads', '2', '-i', path, '-map', '0:v:0', '-vf', `fps=${fps},scale=1280:720:flags=bilinear`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-y', '/dev/null'], { timeout: 300_000 });
  return performance.now() - t0;
}

const pct = (a: number, b: number): string => `${b > 0 ? Math.round((100 * a) / b) : 0}%`;

export async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'verilens-bench-video-'));
  try {
    console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores; other work on the machine slows every figure)`);
    const oneMin = makeClip(dir, 60);
    const threeMin = makeClip(dir, 180);

    const base = decodeOnlyMs(oneMin, 2);
    const r = await runChild(oneMin, 2);
    if (r.status !== 'ok') throw new Error(r.status);
    const t = r.timing;
    const models = t.detectMs + t.classifyMs;
    console.log(`1-minute 720p clip at 2 frames/s: ${r.frames} frames in ${(r.wallMs / 1000).toFixed(1)} s (${(r.frames / (r.wallMs / 1000)).toFixed(1)} frames/s), CPU ${(r.cpuMs / 1000).toFixed(1)} s in the analysing process, peak RSS ${r.maxRssMb.toFixed(0)} MB`);
    console.log(`  time inside the analyzer ${(t.totalMs / 1000).toFixed(1)} s: waiting for decoded frames ${(t.decodeWaitMs / 1000).toFixed(1)} s (${pct(t.decodeWaitMs, t.totalMs)}), models ${(models / 1000).toFixed(1)} s (${pct(models, t.totalMs)}: detection ${pct(t.detectMs, t.totalMs)}, liveness + face-swap ${pct(t.classifyMs, t.totalMs)}), rest (model loading, thumbnails, artifacts) ${pct(t.totalMs - t.decodeWaitMs - models, t.totalMs)}`);
    console.log(`  baseline, ffmpeg alone decoding the same frames to raw RGB: ${(base / 1000).toFixed(1)} s; the full analysis takes ${(r.wallMs / base).toFixed(2)}x that (ffmpeg decodes in its own process, in parallel with the models)`);
    console.log(`  target under ${TARGET_S} s: ${r.wallMs / 1000 < TARGET_S ? 'met' : 'MISSED'}; per frame ${(r.wallMs / Math.max(1, r.frames)).toFixed(0)} ms wall, ${(models / Math.max(1, r.frames)).toFixed(0)} ms in models, ${(r.cpuMs / Math.max(1, r.frames)).toFixed(0)} ms of CPU`);
    // The analysis is single-threaded (JS + ONNX Runtime with 1 thread) and ffmpeg decodes on the other core,
    // so on an otherwise idle 2-core machine the wall time is about the larger of the two.
    console.log(`  on an idle 2-core machine: about max(analysis CPU ${(r.cpuMs / 1000).toFixed(1)} s, decode ${(base / 1000).toFixed(1)} s) = ${(Math.max(r.cpuMs, base) / 1000).toFixed(1)} s; this run had ${Math.round((100 * r.cpuMs) / r.wallMs)}% of a core`);

    // Same number of frames, three times the video: decode work triples, memory must not grow.
    const r3 = await runChild(threeMin, 2 / 3);
    if (r3.status !== 'ok') throw new Error(r3.status);
    console.log(`3-minute 720p clip at 0.67 frames/s: ${r3.frames} frames in ${(r3.wallMs / 1000).toFixed(1)} s, peak RSS ${r3.maxRssMb.toFixed(0)} MB (1-minute clip: ${r.maxRssMb.toFixed(0)} MB; ratio ${(r3.maxRssMb / r.maxRssMb).toFixed(2)})`);
    const peak = Math.max(r.maxRssMb, r3.maxRssMb);
    console.log(`  target peak RSS under ${TARGET_RSS_MB} MB whatever the length: ${peak < TARGET_RSS_MB ? 'met' : 'MISSED'} (${peak.toFixed(0)} MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD_FLAG) {
  await child(process.argv[3] ?? '', Number(process.argv[4] ?? '2'));
}
