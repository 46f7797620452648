import type { JsonObject, JsonValue } from '../contract/json.js';
import { VerilensError } from '../util/errors.js';
import { mediaToolPath } from './binaries.js';
import { mainError, runTool } from './process.js';

/** One stream as ffprobe reports it, with numbers parsed and everything else kept as strings. */
export interface ProbeStream {
  [key: string]: JsonValue | undefined;
  index: number;
  codecType: string;
  codecName: string | null;
  codecTag: string | null;
  profile: string | null;
  width: number | null;
  height: number | null;
  pixFmt: string | null;
  /** Pixel shape, e.g. "1:1" or "4:3" (anamorphic); null when unknown. */
  sampleAspectRatio: string | null;
  /** Rationals exactly as ffprobe prints them, e.g. "30000/1001". */
  rFrameRate: string | null;
  avgFrameRate: string | null;
  timeBase: string | null;
  startTime: number | null;
  duration: number | null;
  nbFrames: number | null;
  bitRate: number | null;
  sampleRate: number | null;
  channels: number | null;
  tags: Record<string, string>;
  /** Side data entries (display matrix, spherical, ...), as ffprobe prints them. */
  sideData: JsonObject[];
  disposition: Record<string, number>;
}

export interface ProbeFormat {
  [key: string]: JsonValue | undefined;
  formatName: string;
  formatLongName: string | null;
  startTime: number | null;
  duration: number | null;
  size: number | null;
  bitRate: number | null;
  nbStreams: number;
  tags: Record<string, string>;
}

export interface ProbeChapter {
  [key: string]: JsonValue | undefined;
  id: number;
  start: number | null;
  end: number | null;
  tags: Record<string, string>;
}

export interface MediaProbe {
  format: ProbeFormat;
  streams: ProbeStream[];
  chapters: ProbeChapter[];
}

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Label for messages: the evidence path as the user gave it. */
  label: string;
  ffprobe?: string;
}

/** Bounds for hostile containers: ffprobe output above this is refused. */
export const PROBE_MAX_BYTES = 8 * 1024 * 1024;
export const PROBE_TIMEOUT_MS = 20_000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

/** ffprobe prints most numbers as strings ("2.000000", "N/A"). */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v.trim() === '' || v === 'N/A') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    const s = str(x);
    if (s !== null) out[k] = s;
  }
  return out;
}

function jsonSafe(v: unknown, depth = 0): JsonValue {
  if (depth > 8) return null;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.slice(0, 64).map((x) => jsonSafe(x, depth + 1));
  if (isObj(v)) {
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(v).slice(0, 64)) o[k] = jsonSafe(x, depth + 1);
    return o;
  }
  return null;
}

/** Parse ffprobe's `-print_format json` output (format, streams, chapters) into typed records. Pure. */
export function parseProbeJson(text: string): MediaProbe {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VerilensError('media-unreadable', `ffprobe printed invalid JSON (${(err as Error).message})`);
  }
  if (!isObj(doc)) throw new VerilensError('media-unreadable', 'ffprobe printed no JSON object');
  const f = isObj(doc['format']) ? doc['format'] : {};
  const rawStreams = Array.isArray(doc['streams']) ? doc['streams'] : [];
  const streams: ProbeStream[] = rawStreams.filter(isObj).map((s, i) => {
    const disposition: Record<string, number> = {};
    if (isObj(s['disposition'])) for (const [k, v] of Object.entries(s['disposition'])) if (typeof v === 'number') disposition[k] = v;
    return {
      index: num(s['index']) ?? i,
      codecType: str(s['codec_type']) ?? 'unknown',
      codecName: str(s['codec_name']),
      codecTag: str(s['codec_tag_string']),
      profile: str(s['profile']),
      width: num(s['width']),
      height: num(s['height']),
      pixFmt: str(s['pix_fmt']),
      sampleAspectRatio: str(s['sample_aspect_ratio']),
      rFrameRate: str(s['r_frame_rate']),
      avgFrameRate: str(s['avg_frame_rate']),
      timeBase: str(s['time_base']),
      startTime: num(s['start_time']),
      duration: num(s['duration']),
      nbFrames: num(s['nb_frames']),
      bitRate: num(s['bit_rate']),
      sampleRate: num(s['sample_rate']),
      channels: num(s['channels']),
      tags: tagsOf(s['tags']),
      sideData: Array.isArray(s['side_data_list']) ? s['side_data_list'].filter(isObj).slice(0, 32).map((x) => jsonSafe(x) as JsonObject) : [],
      disposition,
    };
  });
  const chapters: ProbeChapter[] = (Array.isArray(doc['chapters']) ? doc['chapters'] : []).filter(isObj).map((c, i) => ({
    id: num(c['id']) ?? i,
    start: num(c['start_time']),
    end: num(c['end_time']),
    tags: tagsOf(c['tags']),
  }));
  const format: ProbeFormat = {
    formatName: str(f['format_name']) ?? 'unknown',
    formatLongName: str(f['format_long_name']),
    startTime: num(f['start_time']),
    duration: num(f['duration']),
    size: num(f['size']),
    bitRate: num(f['bit_rate']),
    nbStreams: num(f['nb_streams']) ?? streams.length,
    tags: tagsOf(f['tags']),
  };
  return { format, streams, chapters };
}

/**
 * The input as a `file:` URL-ish argument so a path can never be read as a protocol
 * (`concat:`, `http:`) or an option (`-i`). ffmpeg's file protocol takes the path verbatim.
 */
export function fileArg(absPath: string): string {
  return `file:${absPath}`;
}

/** Input options shared by every ffmpeg/ffprobe call on evidence: local files only, nothing fetched. */
export const SAFE_INPUT_ARGS: readonly string[] = ['-protocol_whitelist', 'file'];

function probeError(label: string, stdout: Buffer, stderr: string, code: number | null): VerilensError {
  let why = mainError(stderr);
  try {
    const doc: unknown = JSON.parse(stdout.toString('utf8') || '{}');
    if (isObj(doc) && isObj(doc['error']) && typeof doc['error']['string'] === 'string') why = doc['error']['string'];
  } catch {
    /* keep stderr */
  }
  return new VerilensError('media-unreadable', `${label}: the container could not be read (${why || `ffprobe exit code ${String(code)}`})`);
}

/** ffprobe -show_format -show_streams -show_chapters, bounded in time and output size. */
export async function probeMedia(absPath: string, opts: ProbeOptions): Promise<MediaProbe> {
  const bin = opts.ffprobe ?? mediaToolPath('ffprobe');
  const args = ['-v', 'error', '-hide_banner', ...SAFE_INPUT_ARGS, '-print_format', 'json', '-show_error', '-show_format', '-show_streams', '-show_chapters', fileArg(absPath)];
  const out = await runTool(bin, args, { timeoutMs: opts.timeoutMs ?? PROBE_TIMEOUT_MS, maxStdoutBytes: PROBE_MAX_BYTES, label: opts.label, ...(opts.signal ? { signal: opts.signal } : {}) });
  if (out.code !== 0) throw probeError(opts.label, out.stdout, out.stderr, out.code);
  return parseProbeJson(out.stdout.toString('utf8'));
}

export interface PacketTime {
  pts: number | null;
  dts: number | null;
  duration: number | null;
  key: boolean;
}

/** The first `count` packets of the first video stream (timestamps only), for frame-rate regularity. */
export async function probePackets(absPath: string, count: number, opts: ProbeOptions): Promise<PacketTime[]> {
  const bin = opts.ffprobe ?? mediaToolPath('ffprobe');
  const n = Math.max(1, Math.min(5000, Math.floor(count)));
  const args = ['-v', 'error', '-hide_banner', ...SAFE_INPUT_ARGS, '-select_streams', 'v:0', '-read_intervals', `%+#${n}`, '-show_entries', 'packet=pts_time,dts_time,duration_time,flags', '-print_format', 'json', fileArg(absPath)];
  const out = await runTool(bin, args, { timeoutMs: opts.timeoutMs ?? PROBE_TIMEOUT_MS, maxStdoutBytes: 2 * 1024 * 1024, label: opts.label, ...(opts.signal ? { signal: opts.signal } : {}) });
  if (out.code !== 0) throw probeError(opts.label, out.stdout, out.stderr, out.code);
  let doc: unknown;
  try {
    doc = JSON.parse(out.stdout.toString('utf8'));
  } catch {
    return [];
  }
  const packets = isObj(doc) && Array.isArray(doc['packets']) ? doc['packets'] : [];
  return packets
    .filter(isObj)
    .slice(0, n)
    .map((p) => ({ pts: num(p['pts_time']), dts: num(p['dts_time']), duration: num(p['duration_time']), key: typeof p['flags'] === 'string' && p['flags'].includes('K') }));
}

/** ffprobe/ffmpeg version line (first line of `-version`), for provenance. */
export async function toolVersion(bin: string, label: string): Promise<string> {
  try {
    const out = await runTool(bin, ['-hide_banner', '-version'], { timeoutMs: 5000, maxStdoutBytes: 1 << 16, label });
    return out.stdout.toString('utf8').split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
