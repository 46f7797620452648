/** Per-frame scores of the main face as an SVG line chart. Pure: data in, SVG text out. */

export interface TimelinePoint {
  time: number;
  /** null: no main face in this frame. */
  spoof: number | null;
  swap: number | null;
}

export interface TimelineInput {
  points: readonly TimelinePoint[];
  duration: number;
  spoofThreshold: number;
  swapThreshold: number;
  /** Times of box jumps and score flicker, drawn as ticks on the time axis. */
  events: readonly number[];
  /** Highlighted stretches (worst windows), seconds. */
  windows: readonly { start: number; end: number; label: string }[];
  title: string;
}

export const TIMELINE_SIZE = Object.freeze({ width: 960, height: 320 });
/** Colour-blind-safe pair (ColorBrewer Dark2), distinguished by dash pattern too. */
const SPOOF = '#d95f02';
const SWAP = '#7570b3';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

export function timelineSvg(inp: TimelineInput): string {
  const { width: W, height: H } = TIMELINE_SIZE;
  const L = 56;
  const R = 16;
  const T = 36;
  const B = 48;
  const pw = W - L - R;
  const ph = H - T - B;
  const dur = Math.max(inp.duration, inp.points.at(-1)?.time ?? 0, 0.001);
  const x = (t: number): number => L + (Math.max(0, Math.min(dur, t)) / dur) * pw;
  const y = (v: number): number => T + (1 - Math.max(0, Math.min(1, v))) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${L}" y="20" font-size="14" fill="#222">${esc(inp.title)}</text>`);
  for (const w of inp.windows) {
    out.push(`<rect x="${f1(x(w.start))}" y="${T}" width="${f1(Math.max(2, x(w.end) - x(w.start)))}" height="${ph}" fill="#fdd49e" opacity="0.6"><title>${esc(w.label)}</title></rect>`);
  }
  // Frames without a main face: grey bands, so a gap is not read as a low score.
  const step = inp.points.length > 1 ? dur / inp.points.length : dur;
  for (const p of inp.points) {
    if (p.spoof === null && p.swap === null) out.push(`<rect x="${f1(x(p.time - step / 2))}" y="${T}" width="${f1(Math.max(1, (step / dur) * pw))}" height="${ph}" fill="#e0e0e0"/>`);
  }
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${L}" x2="${L + pw}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#eeeeee"/>`);
    out.push(`<text x="${L - 8}" y="${f1(y(v) + 4)}" text-anchor="end" fill="#444">${v.toFixed(2)}</text>`);
  }
  const ticks = Math.min(10, Math.max(1, Math.floor(dur)));
  for (let i = 0; i <= ticks; i++) {
    const t = (dur * i) / ticks;
    out.push(`<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${T + ph}" y2="${T + ph + 5}" stroke="#444"/>`);
    out.push(`<text x="${f1(x(t))}" y="${T + ph + 18}" text-anchor="middle" fill="#444">${f1(t)} s</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  const thr = (v: number, colour: string): void => {
    out.push(`<line x1="${L}" x2="${L + pw}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="${colour}" stroke-dasharray="2 4" stroke-width="1.5"/>`);
  };
  thr(inp.spoofThreshold, SPOOF);
  if (inp.swapThreshold !== inp.spoofThreshold) thr(inp.swapThreshold, SWAP);
  const series = (get: (p: TimelinePoint) => number | null, colour: string, dash: string): void => {
    let d = '';
    let pen = false;
    for (const p of inp.points) {
      const v = get(p);
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f1(x(p.time))} ${f1(y(v))} `;
      pen = true;
    }
    if (d) out.push(`<path d="${d.trim()}" fill="none" stroke="${colour}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''}/>`);
    for (const p of inp.points) {
      const v = get(p);
      if (v !== null) out.push(`<circle cx="${f1(x(p.time))}" cy="${f1(y(v))}" r="2.5" fill="${colour}"/>`);
    }
  };
  series((p) => p.spoof, SPOOF, '');
  series((p) => p.swap, SWAP, '6 3');
  for (const t of inp.events) out.push(`<path d="M${f1(x(t))} ${T + ph} l-5 9 h10 z" fill="#e7298a"><title>temporal inconsistency at ${f1(t)} s</title></path>`);
  const ly = H - 10;
  out.push(`<line x1="${L}" x2="${L + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${SPOOF}" stroke-width="2"/><text x="${L + 30}" y="${ly}" fill="#222">spoof (1 - live)</text>`);
  out.push(`<line x1="${L + 160}" x2="${L + 184}" y1="${ly - 4}" y2="${ly - 4}" stroke="${SWAP}" stroke-width="2" stroke-dasharray="6 3"/><text x="${L + 190}" y="${ly}" fill="#222">face-swap</text>`);
  out.push(`<line x1="${L + 290}" x2="${L + 314}" y1="${ly - 4}" y2="${ly - 4}" stroke="#444" stroke-dasharray="2 4"/><text x="${L + 320}" y="${ly}" fill="#222">threshold</text>`);
  out.push(`<rect x="${L + 400}" y="${ly - 10}" width="14" height="10" fill="#e0e0e0"/><text x="${L + 420}" y="${ly}" fill="#222">no face</text>`);
  out.push(`<path d="M${L + 500} ${ly - 10} l-5 9 h10 z" fill="#e7298a"/><text x="${L + 510}" y="${ly}" fill="#222">jump / flicker</text>`);
  out.push(`<rect x="${L + 620}" y="${ly - 10}" width="14" height="10" fill="#fdd49e"/><text x="${L + 640}" y="${ly}" fill="#222">worst window</text>`);
  out.push('</svg>');
  return out.join('\n');
}
