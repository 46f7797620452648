import { spawn, type ChildProcess } from 'node:child_process';
import { VerilensError } from '../util/errors.js';

/** Time a media tool gets to exit after SIGTERM before it is SIGKILLed. */
export const KILL_GRACE_MS = 750;

/** Children started here and not yet exited: lets tests (and shutdown code) prove none is left behind. */
const live = new Set<ChildProcess>();

export function liveMediaProcesses(): number[] {
  return [...live].map((c) => c.pid ?? -1);
}

/** Spawn a media tool with no stdin, no shell and a tracked lifetime. */
export function spawnTool(bin: string, args: readonly string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Resolves once the child has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export async function terminate(child: ChildProcess, graceMs = KILL_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
}

export interface RunToolOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** stdout beyond this many bytes kills the tool (hostile files can make ffprobe print a lot). */
  maxStdoutBytes: number;
  /** Only the tail of stderr is kept, for error messages. */
  maxStderrChars?: number;
  /** Used in error messages: the evidence path as the user gave it. */
  label: string;
}

export interface ToolOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Run a tool to completion with bounded output, a timeout and cancellation. The child is always
 * reaped before this settles, so a rejected call never leaves a process behind.
 */
export async function runTool(bin: string, args: readonly string[], opts: RunToolOptions): Promise<ToolOutput> {
  opts.signal?.throwIfAborted();
  const child = spawnTool(bin, args);
  const chunks: Buffer[] = [];
  let size = 0;
  let stderr = '';
  const maxErr = opts.maxStderrChars ?? 4000;
  let failure: VerilensError | undefined;
  const stop = (err: VerilensError): void => {
    failure ??= err;
    void terminate(child);
  };
  child.stdout?.on('data', (d: Buffer) => {
    if (failure) return;
    size += d.length;
    if (size > opts.maxStdoutBytes) {
      stop(new VerilensError('media-output-too-large', `${opts.label}: the media tool printed more than ${opts.maxStdoutBytes.toLocaleString('en-US')} bytes about this file (a hostile or absurd container); stopped`));
      return;
    }
    chunks.push(d);
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-maxErr);
  });
  const timer = setTimeout(() => stop(new VerilensError('media-timeout', `${opts.label}: the media tool did not finish within ${opts.timeoutMs} ms (a hostile or damaged container); stopped`)), opts.timeoutMs);
  const onAbort = (): void => {
    const r: unknown = opts.signal?.reason;
    stop(r instanceof VerilensError ? r : new VerilensError('cancelled', 'analysis was cancelled'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.once('close', (c, s) => resolve([c, s]));
      child.once('error', () => resolve([null, null]));
    });
    if (spawnError) throw new VerilensError('media-tool-failed', `${opts.label}: could not start ${bin} (${spawnError.message})`);
    if (failure) throw failure;
    return { code, signal, stdout: Buffer.concat(chunks), stderr };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await terminate(child);
  }
}

const GENERIC = [/^Error marking filters as finished/i, /^Conversion failed/i, /^Error while filtering/i, /^Exiting normally/i];

/** The most specific line of ffmpeg's stderr: the first that is not a generic follow-on error, without the "[demuxer @ 0x...]" prefix. */
export function mainError(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter(Boolean);
  const l = lines.find((x) => !GENERIC.some((g) => g.test(x))) ?? lines[0] ?? '';
  return l.length > 300 ? `${l.slice(0, 300)}...` : l;
}
