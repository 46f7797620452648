import type { Box } from './common.js';
import { defineContract } from './define.js';

export type ScoreWindow = { start: number; end: number; mean: number };

export type TrackSummary = {
  id: number;
  samples: number;
  start: number;
  end: number;
  medianWidth: number;
  medianSpoof: number | null;
  medianSwap: number | null;
  worstSpoofWindow: ScoreWindow | null;
  worstSwapWindow: ScoreWindow | null;
};

export type TemporalStats = {
  /** Consecutive-observation pairs compared. */
  intervals: number;
  /** Box moves or size jumps between consecutive samples. */
  jumps: number;
  maxShift: number | null;
  /** Median change of box-normalised landmarks between consecutive samples. */
  landmarkJitter: number | null;
  /** Consecutive pairs where a score crosses its threshold with a large change. */
  spoofFlips: number;
  swapFlips: number;
};

/** One sampled frame: its time and the faces in it (work-image pixels). */
export type FrameRecord = {
  t: number;
  faces: { track: number; box: Box; det: number | null; spoof: number | null; swap: number | null }[];
};

export type DenseWindow = {
  start: number;
  end: number;
  fps: number;
  frames: number;
  temporal: TemporalStats | null;
  perFrame: FrameRecord[];
};

export type VideoFacesData = {
  video: {
    width: number;
    height: number;
    rotation: number | null;
    displayWidth: number;
    displayHeight: number;
    duration: number | null;
    codec: string | null;
    frameRate: string | null;
  };
  sampling: {
    fps: number;
    frames: number;
    framesWithFaces: number;
    maxFrames: number;
    capped: boolean;
    /** Pixel space of the per-frame boxes. */
    workWidth: number;
    workHeight: number;
    decodeProblem: string | null;
  };
  thresholds: { spoof: number; swap: number };
  mainTrack: number | null;
  tracks: TrackSummary[];
  temporal: (TemporalStats & { jumpTimes: number[]; flickerTimes: number[] }) | null;
  perFrame: FrameRecord[];
  dense: { windows: DenseWindow[] } | null;
  timing: { totalMs: number; decodeWaitMs: number; detectMs: number; classifyMs: number };
};

export const videoFacesContract = defineContract<VideoFacesData>()({
  id: 'video-faces',
  title: 'Faces through a video: liveness and face-swap per sampled frame, face tracking, temporal consistency, timeline',
  artifacts: ['timeline', 'contact-sheet'],
  params: {
    fps: { type: 'number', min: 0.05, max: 30, default: 2, flag: 'fps', help: 'video frames sampled per second for the face checks' },
    maxFrames: { type: 'integer', min: 1, max: 20_000, default: 600, help: 'most frames analysed per video' },
    maxFaces: { type: 'integer', min: 1, max: 50, default: 5, help: 'most faces detected per frame' },
    classifyFaces: { type: 'integer', min: 1, max: 10, default: 2, help: 'largest faces per frame that get the liveness and face-swap checks' },
    denseSeconds: { type: 'number', min: 0, max: 10, default: 0, zero: 'off', flag: 'dense', metavar: 'S', help: 'also check every frame within S seconds of the worst stretch' },
  },
  modelRoles: ['face-detector', 'liveness', 'face-swap'],
});
