import type { JsonObject } from '../json.js';
import { defineContract } from './define.js';

/** A generator (alert) or editor (warn) named in Software, CreatorTool, XMP History or PNG text. */
export type SoftwareMatch = {
  kind: 'generator' | 'editor';
  /** The product as findings name it. */
  name: string;
  /** Tag the text came from, e.g. `ifd0.Software`. */
  field: string;
  value: string;
};

export type MetadataDate = {
  /** Which tag, e.g. `exif.DateTimeOriginal`, `xmp.xmp.CreateDate`, `gps`. */
  field: string;
  raw: string;
  valid: boolean;
  /** ISO 8601 with the offset when the file gives one, else the raw wall-clock string. */
  value: string;
  /** `+02:00` style, when known. */
  offset: string | null;
  invalidReason?: string;
};

/** Figures from comparing the embedded EXIF thumbnail with the main image. */
export type ThumbnailComparison = {
  thumbWidth: number;
  thumbHeight: number;
  /** Black letterbox bars removed from the thumbnail before comparing (cameras pad 3:2 photos into 4:3 thumbnails). */
  trimmed: { top: number; bottom: number; left: number; right: number };
  thumbAspect: number;
  mainAspect: number;
  /** |log(thumbAspect / mainAspect)|: 0 when equal; 0.04 is about a 4% difference. */
  aspectDifference: number;
  /** Which main-image pixels matched best: as stored, or with the EXIF orientation applied. */
  orientation: 'stored' | 'displayed';
  comparedWidth: number;
  comparedHeight: number;
  /** Mean grey level of the thumbnail; below 20 padding cannot be told from picture. */
  thumbMean: number;
  /** Standard deviation of the thumbnail's grey levels; below 4 there is too little picture to compare. */
  thumbStd: number;
  /** False when the thumbnail is too dark or flat for the figures to mean anything. */
  comparable: boolean;
  /** Mean absolute difference of greyscale values, 0-255 (0 = identical). */
  meanAbsDiff: number;
  /** Pearson correlation of greyscale values, -1..1. */
  correlation: number;
};

export type ThumbnailThresholds = { aspectDifference: number; minCorrelation: number; maxMeanAbsDiff: number };

export type MetadataData = {
  make: string | null;
  model: string | null;
  software: string | null;
  dateTimeOriginal: string | null;
  createDate: string | null;
  modifyDate: string | null;
  /** How the three dates above are written (offsets kept, never converted to UTC). */
  dateRepresentation: string;
  gps: { latitude: number; longitude: number; altitude?: number } | null;
  /** UTC offset implied by the GPS time against the capture time, when both exist. */
  gpsImpliedOffset: string | null;
  orientation: number | null;
  hasThumbnail: boolean;
  thumbnail: (ThumbnailComparison & { thresholds: ThumbnailThresholds }) | { error: string } | null;
  softwareMatches: SoftwareMatch[];
  dates: MetadataDate[];
  /** Metadata blocks present (ifd0, exif, gps, iptc, icc, xmp, png...). */
  segments: string[];
  source: 'exifr' | 'webp-chunks' | 'none';
  parseErrors: string[];
  /** Every tag, grouped by block (`ifd0`, `exif`, `gps`, `iptc`, `icc`, `xmp`, `png`...): free-form, as the file has it. */
  tags: Record<string, JsonObject>;
};

export const metadataContract = defineContract<MetadataData>()({
  id: 'metadata',
  title: 'Metadata forensics (EXIF, GPS, IPTC, XMP, ICC, thumbnail)',
  artifacts: [],
  params: {
    compareThumbnail: { type: 'boolean', default: true, help: 'compare the embedded EXIF thumbnail with the main image' },
  },
});
