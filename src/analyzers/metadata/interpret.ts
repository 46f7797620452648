import type { MetadataData, ThumbnailComparison } from '../../contract/analyzers/metadata.js';
import type { JsonObject } from '../../contract/json.js';
import type { EvidenceInfo, Finding, Verdict } from '../../contract/results.js';
import { formatOffset, parseDate, parseGpsDateTime, parseIptcDateTime, type ParsedDate } from './dates.js';
import type { RawMetadata } from './extract.js';
import { toJsonSafe } from './json-safe.js';
import { classifySoftware, GENERATOR_TEXT_KEYS, type SoftwareMatch } from './software.js';
import { THUMBNAIL_THRESHOLDS } from './thumbnail.js';

/** Everything the pure interpretation needs; gathered by the analyzer's I/O shell. */
export interface MetadataFacts {
  raw: RawMetadata;
  info: EvidenceInfo;
  /** PNG tEXt/zTXt/iTXt, read by us (exifr misses some iTXt). */
  pngText: Record<string, string>;
  /** Result of comparing the EXIF thumbnail with the main image, or why it could not be done. */
  thumbnail: ThumbnailComparison | { error: string } | null;
  /** Analysis time in ms (injected so tests are deterministic). */
  now: number;
}

export interface Interpretation {
  verdict: Verdict;
  findings: Finding[];
  data: MetadataData;
}

export const DATE_REPRESENTATION =
  'dateTimeOriginal/modifyDate/createDate are ISO 8601 with the UTC offset when the file states one (OffsetTime* tags or an offset in the value); otherwise they are the raw EXIF string (local camera time, zone unknown) and are never converted to UTC.';

const EARLIEST_DIGITAL = Date.UTC(1990, 0, 1);
const DAY = 86_400_000;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const group = (raw: RawMetadata, k: string): Rec => {
  const g = raw.groups[k];
  return isRec(g) ? g : {};
};
const str = (v: unknown): string | null => {
  if (typeof v === 'string') {
    const s = v.replace(/\u0000+$/u, '').trim();
    return s === '' ? null : s;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
};
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** All string values under an object whose key matches, depth-limited (XMP History is nested). */
function deepStrings(v: unknown, keyRe: RegExp, out: string[], depth = 0): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) deepStrings(x, keyRe, out, depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v as Rec)) {
    if (typeof x === 'string' && keyRe.test(k)) out.push(x);
    else deepStrings(x, keyRe, out, depth + 1);
  }
}

function fmtDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a >= 2 * DAY) return `${(a / DAY).toFixed(1)} days`;
  if (a >= 3_600_000) return `${(a / 3_600_000).toFixed(1)} hours`;
  if (a >= 60_000) return `${Math.round(a / 60_000)} minutes`;
  return `${Math.round(a / 1000)} seconds`;
}

const sameWall = (a: ParsedDate, b: ParsedDate): boolean => {
  if (a.wallMs === null || b.wallMs === null) return false;
  // XMP/IPTC values may stop at minutes; compare at the coarser precision.
  const tol = a.hasSeconds && b.hasSeconds ? 1500 : 60_000;
  return Math.abs(a.wallMs - b.wallMs) < tol;
};

function collectSoftware(raw: RawMetadata, pngText: Record<string, string>): SoftwareMatch[] {
  const fields: Array<[string, unknown]> = [];
  const ifd0 = group(raw, 'ifd0');
  for (const k of ['Software', 'ProcessingSoftware', 'HostComputer', 'ImageDescription', 'Artist', 'Make', 'Model']) fields.push([`ifd0.${k}`, ifd0[k]]);
  const iptc = group(raw, 'iptc');
  for (const k of ['OriginatingProgram', 'ProgramVersion']) fields.push([`iptc.${k}`, iptc[k]]);
  for (const k of ['Software', 'Source', 'Title', 'Comment', 'Description']) fields.push([`png.${k}`, pngText[k]]);
  for (const [ns, obj] of Object.entries(raw.xmp ?? {})) {
    if (isRec(obj)) for (const k of ['CreatorTool', 'Software']) fields.push([`xmp.${ns}.${k}`, obj[k]]);
    const agents: string[] = [];
    if (/^(xmpMM|xapMM)$/u.test(ns)) deepStrings(obj, /^softwareAgent$/u, agents);
    agents.forEach((a, i) => fields.push([`xmp.${ns}.History[${i}].softwareAgent`, a]));
  }
  const out: SoftwareMatch[] = [];
  for (const [field, v] of fields) {
    const s = str(v);
    if (!s) continue;
    const m = classifySoftware(field, s.slice(0, 20_000));
    if (m) out.push({ ...m, value: s.length > 200 ? `${s.slice(0, 200)}…` : s });
    // ComfyUI puts its graph anywhere there is room (in WebP: EXIF Make/Model).
    else if (/\b(?:KSampler|CLIPTextEncode|CheckpointLoaderSimple)\b/u.test(s)) out.push({ kind: 'generator', name: 'ComfyUI', field, value: `${s.slice(0, 120)}…` });
    else if (/\bSteps: \d+, Sampler: /u.test(s)) out.push({ kind: 'generator', name: 'Stable Diffusion web UI', field, value: `${s.slice(0, 120)}…` });
  }
  return out;
}

/** Turn extracted metadata into findings, a verdict and JSON-safe data. Pure: no I/O, no clock. */
export function interpretMetadata(f: MetadataFacts): Interpretation {
  const { raw, info } = f;
  const findings: Finding[] = [];
  const add = (severity: Finding['severity'], code: string, message: string): void => {
    findings.push({ severity, code, message });
  };
  const ifd0 = group(raw, 'ifd0');
  const exif = group(raw, 'exif');
  const gpsG = group(raw, 'gps');
  const iptc = group(raw, 'iptc');
  const make = str(ifd0['Make']);
  const model = str(ifd0['Model']);
  const xmpTool = Object.values(raw.xmp ?? {}).map((o) => (isRec(o) ? str(o['CreatorTool']) : null)).find((x) => x) ?? null;
  const software = str(ifd0['Software']) ?? xmpTool ?? str(f.pngText['Software']);
  const orientation = num(ifd0['Orientation']);

  const hasExif = Object.keys(ifd0).length > 0 || Object.keys(exif).length > 0;
  const generatorKeys = Object.keys(f.pngText).filter((k) => GENERATOR_TEXT_KEYS.has(k.replace(/#\d+$/u, '')));
  const hasAny = hasExif || Object.keys(gpsG).length > 0 || Object.keys(iptc).length > 0 || raw.xmp !== null || Object.keys(f.pngText).length > 0;

  // --- parse problems
  if (raw.errors.length) {
    add('warn', 'metadata-parse-error', `Part of the metadata could not be read (${raw.errors.slice(0, 3).join('; ')}), so the checks below may have missed something: ask for the original file if you can.`);
  }

  // --- software and generators
  const sw = collectSoftware(raw, f.pngText);
  const byName = new Map<string, SoftwareMatch[]>();
  for (const m of sw) byName.set(`${m.kind}:${m.name}`, [...(byName.get(`${m.kind}:${m.name}`) ?? []), m]);
  for (const ms of byName.values()) {
    const m = ms[0]!;
    const where = [...new Set(ms.map((x) => x.field))].join(', ');
    if (m.kind === 'generator') add('alert', 'software-generator', `The metadata names the image generator ${m.name} (in ${where}: "${m.value}"), so this picture was most likely made or altered by AI, not captured by a camera.`);
    else add('warn', 'software-editor', `The metadata names the editing program ${m.name} (in ${where}: "${m.value}"), so the file was saved by an editor after capture: check what was changed.`);
  }
  for (const k of generatorKeys) {
    const base = k.replace(/#\d+$/u, '');
    add('alert', 'generator-parameters', `The PNG text chunk "${k}" holds generation settings of ${GENERATOR_TEXT_KEYS.get(base) ?? 'an image generator'}, which only AI image tools write, so this picture was generated or altered by AI.`);
  }

  // --- camera identity / stripped metadata
  const exposureTags = ['ExposureTime', 'FNumber', 'ISO', 'ISOSpeedRatings', 'FocalLength', 'ShutterSpeedValue', 'ApertureValue'].filter((k) => exif[k] !== undefined);
  const cameraFormat = info.format === 'jpeg' || info.format === 'heic' || info.format === 'avif';
  if (!hasAny) {
    add('info', 'metadata-stripped', `The file carries no EXIF, XMP, IPTC or text metadata at all; this is common after messaging apps, social networks or screenshots strip it, so it proves nothing by itself but leaves nothing to verify.`);
  } else if (!make && !model && (exposureTags.length > 0 || (cameraFormat && hasExif && str(exif['DateTimeOriginal']) !== null))) {
    add('warn', 'camera-make-model-missing', `The file has camera-style EXIF${exposureTags.length ? ` (${exposureTags.slice(0, 3).join(', ')})` : ''} but no camera make or model, which a camera or phone always writes: the identity was removed or the EXIF was written by software.`);
  }

  // --- dates
  const dto = str(exif['DateTimeOriginal']);
  const cd = str(exif['CreateDate']) ?? str(exif['DateTimeDigitized']);
  const md = str(ifd0['ModifyDate']) ?? str(ifd0['DateTime']);
  const offOrig = str(exif['OffsetTimeOriginal']);
  const offDig = str(exif['OffsetTimeDigitized']);
  const offMod = str(exif['OffsetTime']);
  const pDto = dto ? parseDate('exif.DateTimeOriginal', dto, offOrig) : null;
  const pCd = cd ? parseDate('exif.CreateDate', cd, offDig) : null;
  const pMd = md ? parseDate('ifd0.ModifyDate', md, offMod) : null;
  const pGps = parseGpsDateTime(gpsG['GPSDateStamp'], gpsG['GPSTimeStamp']);
  const pIptc = parseIptcDateTime(iptc['DateCreated'], iptc['TimeCreated']);
  const xmpDates: ParsedDate[] = [];
  for (const [ns, obj] of Object.entries(raw.xmp ?? {})) {
    if (!isRec(obj)) continue;
    for (const k of ['DateTimeOriginal', 'DateTimeDigitized', 'CreateDate', 'DateCreated', 'ModifyDate']) {
      const s = str(obj[k]);
      if (s) xmpDates.push(parseDate(`xmp.${ns}.${k}`, s));
    }
  }
  const allDates = [pDto, pCd, pMd, pGps, pIptc, ...xmpDates].filter((d): d is ParsedDate => d !== null);
  for (const d of allDates) {
    if (!d.valid) {
      // Blank and invalid values are reported once per field.
      if (d.invalidReason?.startsWith('blank')) add('info', 'date-blank', `${d.field} is blank ("${d.raw}"), which cameras with an unset clock and some apps write; the capture time cannot be checked.`);
      else add('warn', 'date-invalid', `${d.field} holds "${d.raw}", which is not a real date (${d.invalidReason}): a camera does not write that, so the value was typed in or damaged.`);
      continue;
    }
    const t = d.utcMs ?? d.wallMs ?? 0;
    // Only EXIF dates: IPTC/XMP DateCreated may be the date of the scene (an old print), and DJI writes 1970 placeholders in XMP.
    if (t < EARLIEST_DIGITAL && /^(exif|ifd0)\./u.test(d.field)) add('warn', 'date-before-digital', `${d.field} says ${d.display}, before 1990 when digital cameras wrote EXIF, so the clock was never set or the date was edited.`);
    // One day of slack covers every time zone for a wall-clock value.
    if (t > f.now + DAY) add('warn', 'date-in-future', `${d.field} says ${d.display}, which is in the future at analysis time, so the date was edited or the camera clock is wrong.`);
  }
  if (pDto?.valid && pMd?.valid && pDto.wallMs !== null && pMd.wallMs !== null) {
    const both = pDto.utcMs !== null && pMd.utcMs !== null;
    const diff = both ? pDto.utcMs! - pMd.utcMs! : pDto.wallMs - pMd.wallMs;
    if (diff > 2000) add('warn', 'date-original-after-modify', `DateTimeOriginal (${pDto.display}) is ${fmtDuration(diff)} later than ModifyDate (${pMd.display}); a photo cannot be modified before it was taken, so one of the dates was edited.`);
  }

  // --- time zones
  const tzIssues: string[] = [];
  if (offOrig && offDig && offOrig !== offDig) tzIssues.push(`OffsetTimeOriginal ${offOrig} vs OffsetTimeDigitized ${offDig}`);
  if (offOrig && offMod && offOrig !== offMod && pDto && pMd && sameWall(pDto, pMd)) tzIssues.push(`OffsetTimeOriginal ${offOrig} vs OffsetTime ${offMod} for the same clock time`);
  const captureDates = [pDto, pCd, pIptc, ...xmpDates.filter((d) => !/ModifyDate$/u.test(d.field))].filter((d): d is ParsedDate => !!d && d.valid && d.offsetMinutes !== null && d.hasTime && (d.wallMs ?? 0) % DAY !== 0);
  // Midnight values are date-only placeholders in IPTC/XMP writers; their offsets say nothing.
  for (let i = 0; i < captureDates.length; i++) {
    for (let j = i + 1; j < captureDates.length; j++) {
      const a = captureDates[i]!;
      const b = captureDates[j]!;
      if (sameWall(a, b) && a.offsetMinutes !== b.offsetMinutes) tzIssues.push(`${a.field} ${formatOffset(a.offsetMinutes!)} vs ${b.field} ${formatOffset(b.offsetMinutes!)}`);
    }
  }
  if (tzIssues.length) add('warn', 'timezone-mismatch', `The same capture time is stored with different time-zone offsets (${[...new Set(tzIssues)].slice(0, 3).join('; ')}), which one camera does not do: the dates were rewritten by software or by hand.`);

  let gpsOffsetMinutes: number | null = null;
  if (pDto?.valid && pGps?.valid && pGps.utcMs !== null && pDto.wallMs !== null) {
    if (pDto.utcMs !== null) {
      const diff = pDto.utcMs - pGps.utcMs;
      if (Math.abs(diff) > 3_600_000) add('warn', 'gps-time-mismatch', `The GPS clock (${pGps.display}) and the capture time (${pDto.display}) are ${fmtDuration(diff)} apart although both give a time zone; a stale GPS fix can explain minutes, not this, so check whether the dates or the location were edited.`);
    } else {
      gpsOffsetMinutes = Math.round((pDto.wallMs - pGps.utcMs) / 60_000);
      if (gpsOffsetMinutes < -12 * 60 - 30 || gpsOffsetMinutes > 14 * 60 + 30) {
        add('warn', 'gps-time-mismatch', `The capture time (${pDto.display}, local) and the GPS time (${pGps.display}) are ${fmtDuration(gpsOffsetMinutes * 60_000)} apart, more than any time zone allows, so the camera clock, the GPS data or the dates were changed or copied from another photo.`);
      }
    }
  }

  // --- GPS
  let gps: MetadataData['gps'] = null;
  const lat = num(gpsG['latitude']);
  const lon = num(gpsG['longitude']);
  if (lat !== null && lon !== null) {
    gps = { latitude: lat, longitude: lon };
    const alt = num(gpsG['GPSAltitude']);
    if (alt !== null) gps['altitude'] = gpsG['GPSAltitudeRef'] === 1 || (ArrayBuffer.isView(gpsG['GPSAltitudeRef']) && (gpsG['GPSAltitudeRef'] as Uint8Array)[0] === 1) ? -alt : alt;
    if (lat === 0 && lon === 0) add('warn', 'gps-zero', 'The GPS position is exactly 0, 0 (in the ocean off Africa), which devices write when they had no fix or software wrote a placeholder: treat the location as unknown.');
    else add('info', 'gps-present', `The file records where it was taken: latitude ${lat.toFixed(6)}, longitude ${lon.toFixed(6)}; compare it with where the customer says they were.`);
  } else if (Object.keys(gpsG).length > 0) {
    add('info', 'gps-incomplete', `The file has a GPS block but no usable coordinates (only ${Object.keys(gpsG).slice(0, 4).join(', ')}), which is typical when a phone or app removes the location for privacy.`);
  }

  // --- EXIF dimensions vs pixels
  const ew = num(exif['ExifImageWidth']) ?? num(exif['PixelXDimension']);
  const eh = num(exif['ExifImageHeight']) ?? num(exif['PixelYDimension']);
  if (ew && eh && info.width && info.height) {
    const same = (ew === info.width && eh === info.height) || (ew === info.height && eh === info.width);
    if (!same) add('warn', 'exif-dimensions-mismatch', `EXIF says the picture is ${ew}x${eh} pixels but it is ${info.width}x${info.height}, so it was resized or cropped after the EXIF was written.`);
  }

  // --- thumbnail
  let thumbData: MetadataData['thumbnail'] = null;
  if (f.thumbnail && 'error' in f.thumbnail) {
    thumbData = { error: f.thumbnail.error };
    add('info', 'thumbnail-not-compared', `The embedded thumbnail could not be compared with the main image (${f.thumbnail.error}), so that check was not made.`);
  } else if (f.thumbnail) {
    const t = f.thumbnail;
    thumbData = { ...t, trimmed: { ...t.trimmed }, thresholds: { ...THUMBNAIL_THRESHOLDS } };
    if (!t.comparable) {
      add('info', 'thumbnail-not-compared', `The embedded thumbnail is too dark or flat (mean grey ${t.thumbMean}, spread ${t.thumbStd}) to compare with the main image, so that check was not made.`);
    } else if (t.aspectDifference > THUMBNAIL_THRESHOLDS.aspectDifference) {
      add('alert', 'thumbnail-aspect-mismatch', `The embedded thumbnail has a different shape (${t.thumbAspect}:1) from the main image (${t.mainAspect}:1), so the main image was cropped or replaced after capture while the camera's thumbnail was kept.`);
    } else if (t.correlation < THUMBNAIL_THRESHOLDS.minCorrelation || t.meanAbsDiff > THUMBNAIL_THRESHOLDS.maxMeanAbsDiff) {
      add('alert', 'thumbnail-mismatch', `The embedded thumbnail shows different content from the main image (correlation ${t.correlation}, mean difference ${t.meanAbsDiff}/255), so the main image was edited after capture while the original thumbnail was kept.`);
    }
  }

  // A warning (an editor named, dates out of order, a resized image...) means the metadata no longer
  // reads as an untouched capture: that is `inconclusive`, never `consistent`.
  const verdict: Verdict = findings.some((x) => x.severity === 'alert')
    ? 'suspicious'
    : !hasAny || findings.some((x) => x.severity === 'warn')
      ? 'inconclusive'
      : 'consistent';
  const tags: Record<string, JsonObject> = {};
  const tagGroup = (v: unknown): JsonObject => {
    const j = toJsonSafe(v);
    return j !== null && typeof j === 'object' && !Array.isArray(j) ? j : { value: j };
  };
  for (const [k, v] of Object.entries(raw.groups)) tags[k] = tagGroup(v);
  if (raw.xmp) tags['xmp'] = tagGroup(raw.xmp);
  if (Object.keys(f.pngText).length) tags['png'] = tagGroup(f.pngText);
  const dateJson = (d: ParsedDate | null): string | null => (d ? (d.valid ? d.display : d.raw) : null);

  const data: MetadataData = {
    make,
    model,
    software,
    dateTimeOriginal: dateJson(pDto),
    createDate: dateJson(pCd),
    modifyDate: dateJson(pMd),
    dateRepresentation: DATE_REPRESENTATION,
    gps,
    gpsImpliedOffset: gpsOffsetMinutes === null ? null : formatOffset(gpsOffsetMinutes),
    orientation,
    hasThumbnail: raw.thumbnail !== null,
    thumbnail: thumbData,
    softwareMatches: sw.map((m) => ({ kind: m.kind, name: m.name, field: m.field, value: m.value })),
    dates: allDates.map((d) => ({ field: d.field, raw: d.raw, valid: d.valid, value: d.display, offset: d.offsetMinutes === null ? null : formatOffset(d.offsetMinutes), ...(d.invalidReason ? { invalidReason: d.invalidReason } : {}) })),
    segments: [...Object.keys(raw.groups), ...(raw.xmp ? ['xmp'] : []), ...(Object.keys(f.pngText).length ? ['png'] : [])],
    source: raw.source,
    parseErrors: raw.errors,
    tags,
  };
  return { verdict, findings, data };
}
