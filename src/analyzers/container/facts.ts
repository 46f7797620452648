import type { ContainerData, ContainerStream, FrameRateFacts } from '../../contract/analyzers/container.js';
import type { Finding, Verdict } from '../../contract/results.js';
import type { AtomSummary } from '../../media/atoms.js';
import type { MediaProbe, PacketTime, ProbeStream } from '../../media/probe.js';

/** Above these a container is absurd for identity evidence (and a likely resource attack). */
export const ABSURD = Object.freeze({ maxSide: 16_384, maxDurationSeconds: 24 * 3600, maxStreams: 32 });
/** Stream durations differing by more than max(this, 5% of the longer) are reported. */
export const DURATION_TOLERANCE_S = 0.5;
/** Packet intervals further than this share from the median interval count as irregular. */
const IRREGULAR_INTERVAL = 0.1;
/** More than this share of irregular intervals makes a frame rate variable. */
const VARIABLE_SHARE = 0.05;

export type { ContainerData, ContainerStream, FrameRateFacts } from '../../contract/analyzers/container.js';

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** "30000/1001" -> 29.97; "0/0" or junk -> null. Pure. */
export function parseRational(s: string | null): number | null {
  if (!s) return null;
  const m = /^(-?\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const d = m[2] === undefined ? 1 : Number(m[2]);
  if (!Number.isFinite(n) || !Number.isFinite(d) || d === 0 || n === 0) return null;
  return n / d;
}

export function streamRotation(s: ProbeStream): number | null {
  for (const sd of s.sideData) {
    const r = sd['rotation'];
    if (typeof r === 'number' && Number.isFinite(r)) return r;
  }
  const t = s.tags['rotate'];
  if (t !== undefined && Number.isFinite(Number(t))) return -Number(t); // legacy tag is clockwise
  return null;
}

/** Regularity of frame timing from the first packets' timestamps. Pure. */
export function frameRateFacts(stream: ProbeStream | undefined, packets: readonly PacketTime[]): FrameRateFacts {
  const real = parseRational(stream?.rFrameRate ?? null);
  const average = parseRational(stream?.avgFrameRate ?? null);
  const pts = packets
    .map((p) => p.pts ?? p.dts)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  const deltas: number[] = [];
  for (let i = 1; i < pts.length; i++) {
    const d = (pts[i] as number) - (pts[i - 1] as number);
    if (d > 0) deltas.push(d);
  }
  let medianIntervalMs: number | null = null;
  let irregularShare: number | null = null;
  if (deltas.length >= 8) {
    const sorted = [...deltas].sort((a, b) => a - b);
    const med = sorted[Math.floor(sorted.length / 2)] as number;
    medianIntervalMs = round3(med * 1000);
    irregularShare = round3(deltas.filter((d) => Math.abs(d - med) > IRREGULAR_INTERVAL * med).length / deltas.length);
  }
  const ratesDiffer = real !== null && average !== null && Math.abs(real - average) / Math.max(real, average) > 0.01;
  let mode: FrameRateFacts['mode'] = 'unknown';
  let basis: string;
  if (irregularShare !== null) {
    mode = irregularShare > VARIABLE_SHARE ? 'variable' : 'constant';
    basis = `timestamps of the first ${pts.length} video packets (${Math.round(irregularShare * 100)}% of intervals more than 10% from the median)`;
    if (mode === 'constant' && ratesDiffer) {
      mode = 'variable';
      basis += `; r_frame_rate ${stream?.rFrameRate} and avg_frame_rate ${stream?.avgFrameRate} differ, so timing changes later in the file`;
    }
  } else if (real !== null && average !== null) {
    mode = ratesDiffer ? 'variable' : 'constant';
    basis = `r_frame_rate ${stream?.rFrameRate} vs avg_frame_rate ${stream?.avgFrameRate} (too few packet timestamps to sample)`;
  } else basis = 'no usable frame timing';
  return { real: real === null ? null : round3(real), average: average === null ? null : round3(average), mode, sampledPackets: pts.length, medianIntervalMs, irregularShare, basis };
}

function toStream(s: ProbeStream): ContainerStream {
  return {
    index: s.index,
    type: s.codecType,
    codec: s.codecName,
    codecTag: s.codecTag,
    profile: s.profile,
    width: s.width,
    height: s.height,
    pixFmt: s.pixFmt,
    sampleAspectRatio: s.sampleAspectRatio,
    rFrameRate: s.rFrameRate,
    avgFrameRate: s.avgFrameRate,
    startTime: s.startTime,
    duration: s.duration,
    frames: s.nbFrames,
    bitRate: s.bitRate,
    sampleRate: s.sampleRate,
    channels: s.channels,
    rotation: streamRotation(s),
    tags: s.tags,
  };
}

/** Case-insensitive tag lookup across a tag map. */
export function tag(tags: Readonly<Record<string, string>>, ...names: string[]): string | null {
  const lower = new Map(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
  for (const n of names) {
    const v = lower.get(n.toLowerCase());
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return null;
}

/** The first video stream that is real footage (not cover art / a thumbnail). */
export function mainVideoStream(streams: readonly ProbeStream[]): ProbeStream | undefined {
  const videos = streams.filter((s) => s.codecType === 'video');
  return videos.find((s) => !s.disposition['attached_pic'] && (s.width ?? 0) > 16) ?? videos[0];
}

/** Names that only synthesis or face-swap tools write into encoder/software/handler tags. */
const GENERATORS: readonly [RegExp, string][] = [
  [/\bdeep\s?face\s?lab\b/i, 'DeepFaceLab'],
  [/\bface\s?fusion\b/i, 'FaceFusion'],
  [/\bdeep[-\s]?live[-\s]?cam\b/i, 'Deep-Live-Cam'],
  [/\broop\b/i, 'roop'],
  [/\bavatarify\b/i, 'Avatarify'],
  [/\bsynthesia\b/i, 'Synthesia'],
  [/\bheygen\b/i, 'HeyGen'],
  [/\brunway(ml)?\b/i, 'Runway'],
  [/\bopenai\b|\bsora\b/i, 'OpenAI Sora'],
  [/\bpika(\s?labs)?\b/i, 'Pika'],
  [/\bkling\b/i, 'Kling'],
  [/\bdream machine\b/i, 'Luma Dream Machine'],
];
/** Screen-recording, streaming and virtual-camera tools: they sit between a camera and an app. */
const CAPTURE_TOOLS: readonly [RegExp, string][] = [
  [/\bobs(\s?studio)?\b|\bobs-output\b/i, 'OBS Studio'],
  [/\bmanycam\b/i, 'ManyCam'],
  [/\bsnap camera\b/i, 'Snap Camera'],
  [/\bxsplit\b/i, 'XSplit'],
  [/\bvirtual\s?cam(era)?\b/i, 'a virtual camera'],
];

function isoOf(s: string | null): number | null {
  if (!s) return null;
  // QuickTime creationdate uses "-0700" offsets; Date.parse needs "-07:00".
  const t = Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? null : t;
}

export interface ContainerInput {
  probe: MediaProbe;
  packets: readonly PacketTime[];
  atoms: AtomSummary | null;
  ffprobeVersion: string;
  /** Current time (ms) for "creation time in the future"; passed in to keep this pure. */
  now: number;
}

/** Turn ffprobe's view and the box tree into facts, red flags and a verdict. Pure. */
export function interpretContainer(inp: ContainerInput): { data: ContainerData; findings: Finding[]; verdict: Verdict } {
  const { probe, atoms } = inp;
  const f = probe.format;
  const findings: Finding[] = [];
  const add = (severity: Finding['severity'], code: string, message: string): void => {
    findings.push({ severity, code, message });
  };
  const video = mainVideoStream(probe.streams);
  const frameRate = frameRateFacts(video, inp.packets);
  const rotation = video ? streamRotation(video) : null;
  const displayRotation = rotation === null ? null : round3((((-rotation % 360) + 360) % 360));

  const allTags: Record<string, string>[] = [f.tags, ...probe.streams.map((s) => s.tags)];
  const encoder = tag(f.tags, 'encoder', 'software', 'encoded_by', 'encoding_tool', 'writing_app', 'muxing_app');
  const device = {
    make: tag(f.tags, 'com.apple.quicktime.make', 'com.android.manufacturer', 'make'),
    model: tag(f.tags, 'com.apple.quicktime.model', 'com.android.model', 'model'),
    software: tag(f.tags, 'com.apple.quicktime.software', 'com.android.capture.software'),
    androidVersion: tag(f.tags, 'com.android.version'),
  };
  const handlers = [...new Set(probe.streams.map((s) => tag(s.tags, 'handler_name')).filter((h): h is string => h !== null))];
  const creationTime = tag(f.tags, 'creation_time', 'date', 'com.apple.quicktime.creationdate') ?? probe.streams.map((s) => tag(s.tags, 'creation_time')).find((x) => x !== null) ?? atoms?.creationTime ?? null;

  // --- streams present
  if (!video) add('warn', 'no-video-stream', 'The file has no video stream, so there are no frames to check for faces; a "video" that is only audio or data is unusual evidence.');
  if (probe.streams.length > ABSURD.maxStreams) add('warn', 'many-streams', `The file declares ${probe.streams.length} streams, far more than any camera writes; it was built by a tool, possibly to attack the software reading it.`);
  for (const s of probe.streams) {
    if (s.codecType === 'video' && ((s.width ?? 0) > ABSURD.maxSide || (s.height ?? 0) > ABSURD.maxSide)) {
      add('warn', 'absurd-dimensions', `Stream ${s.index} declares ${s.width}x${s.height} pixels, beyond any camera; the header was crafted or damaged.`);
    }
  }
  if (f.duration !== null && f.duration > ABSURD.maxDurationSeconds) {
    add('warn', 'absurd-duration', `The container declares a duration of ${Math.round(f.duration / 3600)} hours, which no identity video has; the header was crafted or damaged.`);
  }

  // --- re-encoding and tools
  const lavf = [encoder, ...allTags.map((t) => tag(t, 'encoder'))].find((e) => e !== null && /^Lavf\d/i.test(e));
  const lavc = probe.streams.map((s) => tag(s.tags, 'encoder')).find((e) => e !== null && /^Lavc\d/i.test(e));
  if (lavc) add('warn', 'ffmpeg-encoded', `A stream was compressed by FFmpeg's libavcodec ("${lavc}"), so the pictures were re-encoded after capture, as face-swap and editing pipelines do; camera apps do not write this tag.`);
  if (lavf) add('warn', 'ffmpeg-muxed', `The container was written by FFmpeg's libavformat ("${lavf}"), so this is not the camera's original file: it was re-muxed or re-encoded, which deepfake pipelines commonly do.`);
  else if (handlers.some((h) => h === 'VideoHandler' || h === 'SoundHandler') && !lavc) {
    add('info', 'ffmpeg-handler-names', 'The track handler names ("VideoHandler"/"SoundHandler") are FFmpeg\'s defaults, a hint that FFmpeg wrote the file even though no encoder tag says so.');
  }
  const valuesOf = (keys: RegExp): string[] => allTags.flatMap((t) => Object.entries(t).filter(([k]) => keys.test(k)).map(([, v]) => v));
  // Only tags that name the writing software can raise an alert; free text (comments) only a warning.
  const toolText = valuesOf(/encoder|software|handler|writing|muxing|tool|creator|generator/i);
  const tagText = [...toolText, ...valuesOf(/comment|description/i)];
  for (const [re, name] of GENERATORS) {
    const hit = toolText.find((v) => re.test(v));
    if (hit) add('alert', 'generator-tag', `A tag names ${name} ("${hit.slice(0, 80)}"), a tool that synthesises or swaps faces in video.`);
  }
  for (const [re, name] of CAPTURE_TOOLS) {
    const hit = tagText.find((v) => re.test(v));
    if (hit) add('warn', 'capture-tool-tag', `A tag names ${name} ("${hit.slice(0, 80)}"), software that records screens or feeds a virtual camera, so this may not come straight from a camera.`);
  }

  // --- device tags
  if (device.make || device.model) {
    add('info', 'device-tags', `The file names the recording device (${[device.make, device.model].filter(Boolean).join(' ')}${device.software ? `, ${device.software}` : ''}); check it matches the device the subject claims to have used.`);
  } else if (/mov|mp4/.test(f.formatName) && video) {
    add('info', 'no-device-tags', 'No device make or model tags are present; phone camera apps usually write them, editors and messaging apps often drop them.');
  }

  // --- dates
  const ct = isoOf(creationTime);
  const appleDate = isoOf(tag(f.tags, 'com.apple.quicktime.creationdate'));
  const formatCt = isoOf(tag(f.tags, 'creation_time'));
  if (creationTime === null) {
    if (/mov|mp4/.test(f.formatName)) add('info', 'no-creation-time', 'The container has no creation time; cameras set one, some converters clear it.');
  } else if (ct !== null && new Date(ct).getUTCFullYear() < 1990) {
    add('warn', 'creation-time-zeroed', `The creation time is ${creationTime}, an empty (zeroed) value that re-muxing tools write instead of the real capture time.`);
  } else if (ct !== null && ct > inp.now + 86_400_000) {
    add('warn', 'creation-time-future', `The creation time ${creationTime} is in the future, so the device clock was wrong or the tag was edited.`);
  }
  if (appleDate !== null && formatCt !== null && Math.abs(appleDate - formatCt) > 120_000) {
    add('warn', 'creation-time-mismatch', `The QuickTime creation date (${tag(f.tags, 'com.apple.quicktime.creationdate')}) and the container creation time (${tag(f.tags, 'creation_time')}) disagree by ${Math.round(Math.abs(appleDate - formatCt) / 60000)} minutes; one of them was rewritten.`);
  }
  if (atoms?.creationTime && atoms.modificationTime) {
    const gap = Date.parse(atoms.modificationTime) - Date.parse(atoms.creationTime);
    if (gap > 3600_000) add('warn', 'modified-after-creation', `The movie header was modified ${gap > 2 * 86_400_000 ? `${Math.round(gap / 86_400_000)} days` : `${Math.round(gap / 3600_000)} hours`} after it was created (${atoms.creationTime} to ${atoms.modificationTime}); cameras write both at once, editors update the modification time.`);
  }

  // --- durations
  const timed = probe.streams.filter((s) => (s.codecType === 'video' || s.codecType === 'audio') && s.duration !== null && s.duration > 0 && !s.disposition['attached_pic']);
  if (timed.length >= 2) {
    const ds = timed.map((s) => s.duration as number);
    const hi = Math.max(...ds);
    const lo = Math.min(...ds);
    if (hi - lo > Math.max(DURATION_TOLERANCE_S, 0.05 * hi)) {
      const a = timed[ds.indexOf(hi)] as ProbeStream;
      const b = timed[ds.indexOf(lo)] as ProbeStream;
      add('warn', 'stream-duration-mismatch', `Stream ${a.index} (${a.codecType}) lasts ${hi.toFixed(2)} s but stream ${b.index} (${b.codecType}) only ${lo.toFixed(2)} s; tracks recorded together end together, so one was cut, replaced or added later.`);
    }
  }
  const longest = timed.length ? Math.max(...timed.map((s) => s.duration as number)) : null;
  if (longest !== null && f.duration !== null && Math.abs(f.duration - longest) > Math.max(DURATION_TOLERANCE_S, 0.05 * f.duration)) {
    add('warn', 'container-duration-mismatch', `The container says ${f.duration.toFixed(2)} s but its longest stream lasts ${longest.toFixed(2)} s; the header does not describe the media it holds.`);
  }

  const mvhd = atoms?.movieDurationSeconds ?? null;
  if (mvhd !== null && mvhd > 0 && f.duration !== null && Math.abs(mvhd - f.duration) > Math.max(1, 0.1 * f.duration)) {
    add('warn', 'header-duration-mismatch', `The movie header declares ${mvhd.toFixed(2)} s but the tracks play for ${f.duration.toFixed(2)} s; the header was altered or the file damaged.`);
  }
  if (mvhd !== null && mvhd > ABSURD.maxDurationSeconds && !(f.duration !== null && f.duration > ABSURD.maxDurationSeconds)) {
    add('warn', 'absurd-duration', `The movie header declares a duration of ${Math.round(mvhd / 3600)} hours, which no identity video has; the header was crafted or damaged.`);
  }

  // --- frame rate and rotation
  if (frameRate.mode === 'variable') add('info', 'variable-frame-rate', `The frame rate is variable (${frameRate.basis}); phones record this way, screen recorders and injected streams do too, so it is context rather than a red flag.`);
  if (rotation !== null && displayRotation !== null && displayRotation % 90 !== 0) {
    add('warn', 'odd-rotation', `The display matrix rotates the picture by ${displayRotation} degrees, which no camera writes; the matrix was edited.`);
  }

  // --- edit lists and structure (MP4/MOV)
  if (atoms) {
    for (const t of atoms.tracks) {
      const real = t.edits.filter((e) => e.mediaTime >= 0);
      if (t.edits.some((e) => e.rate !== 1 && e.mediaTime >= 0)) {
        add('warn', 'edit-list-speed', `Track ${t.trackId ?? '?'} (${t.handlerType ?? '?'}) has an edit that plays at a changed speed; cameras never write that, editors do.`);
      }
      if (real.length >= 3 || t.editsTruncated) {
        add('warn', 'edit-list-cuts', `Track ${t.trackId ?? '?'} (${t.handlerType ?? '?'}) has an edit list of ${t.edits.length} entries, so players show only chosen pieces of the recorded media: the video was cut in an editor without re-encoding.`);
      } else if (t.edits.length >= 2) {
        add('info', 'edit-list', `Track ${t.trackId ?? '?'} (${t.handlerType ?? '?'}) has ${t.edits.length} edit-list entries (common at the start of phone and screen recordings); the data lists them.`);
      }
    }
    if (atoms.problem) add('warn', 'container-structure', `The MP4/QuickTime box structure is damaged (${atoms.problem}); the file was truncated or altered at byte level.`);
  }
  if (probe.chapters.length) add('info', 'chapters', `The file has ${probe.chapters.length} chapter marker${probe.chapters.length > 1 ? 's' : ''}, which editors add and cameras do not.`);

  const verdict: Verdict = findings.some((x) => x.severity === 'alert') ? 'suspicious' : findings.some((x) => x.severity === 'warn') ? 'inconclusive' : 'consistent';
  const data: ContainerData = {
    format: f.formatName,
    formatLongName: f.formatLongName,
    duration: f.duration,
    startTime: f.startTime,
    bitRate: f.bitRate,
    size: f.size,
    streamCount: probe.streams.length,
    streams: probe.streams.slice(0, 64).map(toStream),
    videoStream: video ? video.index : null,
    frameRate,
    displayRotation,
    creationTime,
    encoder,
    handlers,
    device,
    formatTags: f.tags,
    chapters: probe.chapters.slice(0, 256).map((c) => ({ id: c.id, start: c.start, end: c.end, title: tag(c.tags, 'title') })),
    atoms,
    tools: { ffprobe: inp.ffprobeVersion },
  };
  return { data, findings, verdict };
}
