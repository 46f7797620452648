import { defineContract } from './define.js';

export type FrameRateFacts = {
  /** r_frame_rate: the lowest rate that represents every timestamp exactly. */
  real: number | null;
  /** avg_frame_rate: frames divided by duration. */
  average: number | null;
  mode: 'constant' | 'variable' | 'unknown';
  /** Packets sampled from the start of the first video stream. */
  sampledPackets: number;
  medianIntervalMs: number | null;
  /** Share of sampled intervals further than 10% from the median interval. */
  irregularShare: number | null;
  basis: string;
};

export type ContainerStream = {
  index: number;
  type: string;
  codec: string | null;
  codecTag: string | null;
  profile: string | null;
  width: number | null;
  height: number | null;
  pixFmt: string | null;
  sampleAspectRatio: string | null;
  rFrameRate: string | null;
  avgFrameRate: string | null;
  startTime: number | null;
  duration: number | null;
  frames: number | null;
  bitRate: number | null;
  sampleRate: number | null;
  channels: number | null;
  /** ffprobe's display-matrix rotation (degrees, counter-clockwise), or the legacy `rotate` tag. */
  rotation: number | null;
  tags: Record<string, string>;
};

export type EditEntry = {
  /** Seconds of presentation time this edit lasts (movie timescale). */
  segmentSeconds: number | null;
  /** Where in the media it starts, in seconds (media timescale); -1 marks an empty edit (a gap). */
  mediaTimeSeconds: number | null;
  mediaTime: number;
  rate: number;
};

export type TrackAtoms = {
  trackId: number | null;
  handlerType: string | null;
  handlerName: string | null;
  mediaTimescale: number | null;
  mediaDurationSeconds: number | null;
  trackDurationSeconds: number | null;
  creationTime: string | null;
  edits: EditEntry[];
  /** True when the edit list had more entries than were read. */
  editsTruncated: boolean;
};

/** The MP4/QuickTime box tree, as far as it matters for forensics. */
export type AtomSummary = {
  majorBrand: string | null;
  compatibleBrands: string[];
  movieTimescale: number | null;
  movieDurationSeconds: number | null;
  creationTime: string | null;
  modificationTime: string | null;
  tracks: TrackAtoms[];
  /** Top-level box types in file order (capped), e.g. ftyp, moov, mdat, uuid. */
  topLevel: string[];
  boxesRead: number;
  /** Set when the walk stopped early: a malformed size, the box cap, or a truncated file. */
  problem: string | null;
};

export type ContainerData = {
  format: string;
  formatLongName: string | null;
  duration: number | null;
  startTime: number | null;
  bitRate: number | null;
  size: number | null;
  streamCount: number;
  streams: ContainerStream[];
  videoStream: number | null;
  frameRate: FrameRateFacts;
  /** Clockwise rotation a player applies to the main video stream (0, 90, 180, 270 or odd values). */
  displayRotation: number | null;
  creationTime: string | null;
  encoder: string | null;
  handlers: string[];
  device: { make: string | null; model: string | null; software: string | null; androidVersion: string | null };
  formatTags: Record<string, string>;
  chapters: { id: number; start: number | null; end: number | null; title: string | null }[];
  /** MP4/MOV box tree (brands, header times, handlers, edit lists), when the file is one. */
  atoms: AtomSummary | null;
  tools: { ffprobe: string };
};

export const containerContract = defineContract<ContainerData>()({
  id: 'container',
  title: 'Video container forensics (ffprobe and MP4/QuickTime boxes): streams, timing, tags, edit lists',
  artifacts: [],
  params: {},
});
