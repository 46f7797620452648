import type { RgbImage } from '../models/preprocess.js';
import { VerilensError } from '../util/errors.js';
import { mediaToolPath } from './binaries.js';
import { fileArg, SAFE_INPUT_ARGS } from './probe.js';
import { mainError, spawnTool, terminate } from './process.js';

export interface FrameReadOptions {
  /** Absolute path of the video. */
  path: string;
  /** For messages: the path as the user gave it. */
  label: string;
  /** Output frame size; frames are scaled to exactly this (after ffmpeg's automatic rotation). */
  width: number;
  height: number;
  /** Frames per second to sample (ffmpeg's fps filter). */
  fps: number;
  /** Start and length of the stretch to decode, in seconds (default: the whole stream). */
  start?: number;
  duration?: number;
  /** ffmpeg stops after this many frames. */
  maxFrames: number;
  signal: AbortSignal;
  /** Kill ffmpeg when it produces nothing for this long (a hostile file that makes it spin). */
  stallMs?: number;
  ffmpeg?: string;
  /** ffmpeg decoding threads. */
  threads?: number;
}

export interface RawFrame {
  /** 0-based index in this read. */
  index: number;
  /** Seconds from the start of the stream (start + index / fps). */
  time: number;
  image: RgbImage;
}

export interface FrameReadEnd {
  frames: number;
  exitCode: number | null;
  /** Why decoding ended early, from ffmpeg's last error line (a truncated or damaged file), or null. */
  problem: string | null;
  /** Milliseconds spent waiting for ffmpeg to deliver frames (decode time seen by the consumer). */
  waitMs: number;
}

export const DEFAULT_STALL_MS = 30_000;

/** ffmpeg arguments for a raw RGB frame pipe. Pure (exported for tests and the benchmark). */
export function frameArgs(o: Pick<FrameReadOptions, 'path' | 'width' | 'height' | 'fps' | 'start' | 'duration' | 'maxFrames' | 'threads'>): string[] {
  const args = ['-nostdin', '-hide_banner', '-v', 'error', ...SAFE_INPUT_ARGS, '-threads', String(o.threads ?? 2)];
  if (o.start !== undefined && o.start > 0) args.push('-ss', o.start.toFixed(3));
  args.push('-i', fileArg(o.path));
  if (o.duration !== undefined) args.push('-t', o.duration.toFixed(3));
  args.push(
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', `fps=${o.fps},scale=${o.width}:${o.height}:flags=bilinear`,
    '-frames:v', String(o.maxFrames),
    '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
  );
  return args;
}

/**
 * Decode frames through a pipe, exactly width*height*3 bytes each, never holding more than one
 * frame plus the pipe's buffer: the consumer's pace is ffmpeg's pace (backpressure). ffmpeg is
 * SIGTERMed (then SIGKILLed) on abort, on a stall, when the consumer stops early, and on errors;
 * the generator only finishes after the process is gone.
 */
export async function* readFrames(o: FrameReadOptions, end?: (e: FrameReadEnd) => void): AsyncGenerator<RawFrame> {
  o.signal.throwIfAborted();
  const frameBytes = o.width * o.height * 3;
  if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new VerilensError('bad-parameter', `${o.label}: invalid frame size ${o.width}x${o.height}`);
  const child = spawnTool(o.ffmpeg ?? mediaToolPath('ffmpeg'), frameArgs(o));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let failure: unknown;
  const kill = (reason: unknown): void => {
    failure ??= reason;
    void terminate(child);
  };
  const onAbort = (): void => kill(o.signal.reason ?? new VerilensError('cancelled', 'analysis was cancelled'));
  o.signal.addEventListener('abort', onAbort, { once: true });
  const stallMs = o.stallMs ?? DEFAULT_STALL_MS;
  let stallTimer = setTimeout(() => kill(new VerilensError('media-timeout', `${o.label}: ffmpeg produced no frame for ${stallMs} ms (a hostile or damaged file); stopped`)), stallMs);
  const resetStall = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => kill(new VerilensError('media-timeout', `${o.label}: ffmpeg produced no frame for ${stallMs} ms (a hostile or damaged file); stopped`)), stallMs);
  };
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const exit = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });

  let buf = Buffer.allocUnsafe(frameBytes);
  let fill = 0;
  let index = 0;
  let waitMs = 0;
  const start = o.start ?? 0;
  try {
    const stdout = child.stdout;
    if (!stdout) throw new VerilensError('media-tool-failed', `${o.label}: ffmpeg has no output pipe`);
    const it = stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    for (;;) {
      const t0 = performance.now();
      const next = await it.next();
      waitMs += performance.now() - t0;
      if (next.done) break;
      resetStall();
      let chunk = next.value;
      while (chunk.length > 0) {
        const n = Math.min(chunk.length, frameBytes - fill);
        chunk.copy(buf, fill, 0, n);
        fill += n;
        chunk = chunk.subarray(n);
        if (fill === frameBytes) {
          const frame: RawFrame = { index, time: start + index / o.fps, image: { width: o.width, height: o.height, data: new Uint8Array(buf.buffer, buf.byteOffset, frameBytes) } };
          index++;
          buf = Buffer.allocUnsafe(frameBytes);
          fill = 0;
          if (failure) break;
          yield frame;
          o.signal.throwIfAborted();
        }
      }
      if (failure) break;
    }
    if (failure) stdout.destroy();
    const code = await exit;
    if (spawnError) throw new VerilensError('media-tool-failed', `${o.label}: could not start ffmpeg (${spawnError.message})`);
    if (failure) throw failure;
    const problem = code === 0 ? null : mainError(stderr) || `ffmpeg exit code ${String(code)}`;
    if (code !== 0 && index === 0) throw new VerilensError('media-unreadable', `${o.label}: no frame could be decoded (${problem})`);
    end?.({ frames: index, exitCode: code, problem, waitMs });
  } finally {
    clearTimeout(stallTimer);
    o.signal.removeEventListener('abort', onAbort);
    // Nobody reads any more: close our end so an ffmpeg blocked on a full pipe gets EPIPE at once.
    child.stdout?.destroy();
    await terminate(child);
  }
}
