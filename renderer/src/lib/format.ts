export const shortSha = (sha: string): string => `${sha.slice(0, 8)}…${sha.slice(-4)}`;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export const formatScore = (s: number): string => s.toFixed(2);

export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** A JSON value as one readable line. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 4 : 2);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (v.length <= 16 && v.every((x) => typeof x !== 'object' || x === null)) return v.map(formatValue).join(', ');
    return `${v.length} items`;
  }
  return JSON.stringify(v);
}

/** Turn `camelCase` / `kebab-case` keys into words for trainees. */
export function humanize(key: string): string {
  return key
    .replace(/[-_]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase());
}

/** "897×708" as displayed (orientation applied), or '' when the size is not known (videos before analysis). */
export function sizeOf(info: { width?: number; height?: number; displayWidth?: number; displayHeight?: number }): string {
  const w = info.displayWidth ?? info.width;
  const h = info.displayHeight ?? info.height;
  return w && h ? `${w}×${h}` : '';
}
