/**
 * Date handling without time-zone guesses. EXIF stores local wall-clock time with no zone; the
 * zone comes, when it comes at all, from OffsetTime* tags (EXIF 2.31) or from an XMP value. We
 * never read a wall-clock time in the analyst's own zone: `wallMs` is the wall clock counted as
 * if it were UTC (only for comparing wall clocks), and `utcMs` exists only when the offset is known.
 */
export interface ParsedDate {
  /** Which tag, e.g. `exif.DateTimeOriginal`, `xmp.xmp.CreateDate`, `gps`. */
  field: string;
  raw: string;
  valid: boolean;
  /** Why it is not valid (e.g. `month 13`, `blank`, `unrecognised format`). */
  invalidReason?: string;
  /** Wall clock as if UTC, in ms; null when invalid. */
  wallMs: number | null;
  /** Offset from UTC in minutes, when the value itself or an OffsetTime tag gives it. */
  offsetMinutes: number | null;
  /** Absolute instant in ms, only when the offset is known. */
  utcMs: number | null;
  /** True when the value has seconds; XMP and IPTC dates may stop at minutes or days. */
  hasTime: boolean;
  hasSeconds: boolean;
  /** ISO 8601 with offset when the offset is known; otherwise the raw string unchanged. */
  display: string;
}

const DATE_RE = /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/u;
const OFFSET_RE = /^(Z|([+-])(\d{2}):?(\d{2}))$/u;

export function parseOffset(raw: string | null | undefined): number | null {
  if (typeof raw !== 'string') return null;
  const m = OFFSET_RE.exec(raw.trim());
  if (!m) return null;
  if (m[1] === 'Z') return 0;
  const mins = Number(m[3]) * 60 + Number(m[4]);
  if (Number(m[3]) > 14 || Number(m[4]) > 59) return null;
  return m[2] === '-' ? -mins : mins;
}

export function formatOffset(mins: number): string {
  const sign = mins < 0 ? '-' : '+';
  const a = Math.abs(mins);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function invalid(field: string, raw: string, reason: string): ParsedDate {
  return { field, raw, valid: false, invalidReason: reason, wallMs: null, offsetMinutes: null, utcMs: null, hasTime: false, hasSeconds: false, display: raw };
}

/**
 * Parse an EXIF (`2019:10:20 18:34:30`) or XMP/ISO (`2019-10-20T18:34:30+02:00`) date.
 * `offset` is the matching OffsetTime* tag, used only when the value carries no offset itself.
 */
export function parseDate(field: string, rawIn: string, offset?: string | null): ParsedDate {
  const raw = rawIn.replace(/\u0000+$/u, '').trim();
  if (raw === '' || /^[\s:0-]*$/u.test(raw)) return invalid(field, rawIn, 'blank (all zeros or spaces)');
  const m = DATE_RE.exec(raw);
  if (!m) return invalid(field, rawIn, 'unrecognised format');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hasTime = m[4] !== undefined;
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (mo < 1 || mo > 12) return invalid(field, rawIn, `month ${mo} does not exist`);
  if (d < 1 || d > daysInMonth(y, mo)) return invalid(field, rawIn, `day ${d} does not exist in ${y}-${String(mo).padStart(2, '0')}`);
  if (h > 23 || mi > 59 || s > 60) return invalid(field, rawIn, `time ${m[4]}:${m[5]}:${m[6] ?? '00'} does not exist`);
  const wallMs = Date.UTC(y, mo - 1, d, h, mi, s) + Math.round(frac);
  const own = m[8] !== undefined ? parseOffset(m[8]) : null;
  const offsetMinutes = own ?? (hasTime ? parseOffset(offset) : null);
  const utcMs = offsetMinutes === null ? null : wallMs - offsetMinutes * 60_000;
  let display = rawIn.replace(/\u0000+$/u, '').trim();
  if (offsetMinutes !== null) {
    const p2 = (n: number): string => String(n).padStart(2, '0');
    display = `${m[1]}-${m[2]}-${m[3]}T${p2(h)}:${p2(mi)}:${p2(s)}${m[7] ? `.${m[7]}` : ''}${formatOffset(offsetMinutes)}`;
  }
  return { field, raw: rawIn, valid: true, wallMs, offsetMinutes, utcMs, hasTime, hasSeconds: m[6] !== undefined, display };
}

/** GPS date (`2018:06:07`) and time ([h, m, s] or `01:20:11`) are UTC by definition. */
export function parseGpsDateTime(dateStamp: unknown, timeStamp: unknown): ParsedDate | null {
  if (typeof dateStamp !== 'string') return null;
  let time: [number, number, number] | null = null;
  if (Array.isArray(timeStamp) && timeStamp.length === 3 && timeStamp.every((n) => typeof n === 'number')) {
    time = [timeStamp[0] as number, timeStamp[1] as number, timeStamp[2] as number];
  } else if (typeof timeStamp === 'string') {
    const t = /^(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/u.exec(timeStamp.trim());
    if (t) time = [Number(t[1]), Number(t[2]), Number(t[3])];
  }
  if (!time) return null;
  const [h, mi, s] = time;
  const sec = Math.floor(s);
  const raw = `${dateStamp.trim()} ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(sec).padStart(2, '0')}Z`;
  const p = parseDate('gps', raw);
  if (!p.valid || p.wallMs === null) return p;
  const ms = p.wallMs + Math.round((s - sec) * 1000);
  return { ...p, wallMs: ms, utcMs: ms };
}

/** IPTC DateCreated (`20070815`) + TimeCreated (`101313+0100`). */
export function parseIptcDateTime(date: unknown, time: unknown): ParsedDate | null {
  if (typeof date !== 'string' || !/^\d{8}$/u.test(date.trim())) return null;
  const d = date.trim();
  const t = typeof time === 'string' ? /^(\d{2})(\d{2})(\d{2})([+-]\d{4})?$/u.exec(time.trim()) : null;
  const raw = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}${t ? `T${t[1]}:${t[2]}:${t[3]}${t[4] ?? ''}` : ''}`;
  return parseDate('iptc.DateCreated', raw);
}
