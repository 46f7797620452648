import sharp, { type Sharp } from 'sharp';
import type { ThumbnailComparison } from '../../contract/analyzers/metadata.js';

export type { ThumbnailComparison } from '../../contract/analyzers/metadata.js';

/** Documented thresholds; see the metadata section of README and the unit tests that pin them on real files. */
export const THUMBNAIL_THRESHOLDS = { aspectDifference: 0.05, minCorrelation: 0.8, maxMeanAbsDiff: 40 } as const;

const COMPARE_LONG_SIDE = 64;
const SHARP_OPTS = { failOn: 'none', limitInputPixels: 268_402_689 } as const;

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

async function grey(input: Sharp): Promise<Grey> {
  const { data, info } = await input.greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Rows/columns at the edges that are almost black and flat: padding, not picture. */
export function findBars(g: Grey): { top: number; bottom: number; left: number; right: number } {
  const rowDark = (y: number): boolean => {
    let sum = 0;
    let max = 0;
    for (let x = 0; x < g.width; x++) {
      const v = g.data[y * g.width + x] ?? 0;
      sum += v;
      if (v > max) max = v;
    }
    return sum / g.width < 6 && max < 24;
  };
  const colDark = (x: number, y0: number, y1: number): boolean => {
    let sum = 0;
    let max = 0;
    for (let y = y0; y < y1; y++) {
      const v = g.data[y * g.width + x] ?? 0;
      sum += v;
      if (v > max) max = v;
    }
    return sum / Math.max(1, y1 - y0) < 6 && max < 24;
  };
  let top = 0;
  while (top < g.height / 3 && rowDark(top)) top++;
  let bottom = 0;
  while (bottom < g.height / 3 && rowDark(g.height - 1 - bottom)) bottom++;
  let left = 0;
  while (left < g.width / 3 && colDark(left, top, g.height - bottom)) left++;
  let right = 0;
  while (right < g.width / 3 && colDark(g.width - 1 - right, top, g.height - bottom)) right++;
  // Bars come in symmetric pairs; a dark picture edge on one side only is picture, not padding.
  if (Math.abs(top - bottom) > 2) top = bottom = 0;
  if (Math.abs(left - right) > 2) left = right = 0;
  return { top, bottom, left, right };
}

export function compareGrey(a: Buffer, b: Buffer): { meanAbsDiff: number; correlation: number } {
  const n = Math.min(a.length, b.length);
  let sad = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    sad += Math.abs(x - y);
    sa += x;
    sb += y;
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] ?? 0) - ma;
    const y = (b[i] ?? 0) - mb;
    cov += x * y;
    va += x * x;
    vb += y * y;
  }
  // Two flat images are the same picture; one flat and one not have no defined correlation: call it 0.
  const correlation = va === 0 && vb === 0 ? 1 : va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
  return { meanAbsDiff: sad / n, correlation };
}

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Compare the EXIF thumbnail with the main image at a small common size. Throws (sharp's own
 * error) when either cannot be decoded; the caller turns that into a finding.
 */
export async function compareThumbnail(thumb: Buffer, main: Buffer, orientation: number | undefined): Promise<ThumbnailComparison> {
  const t = await grey(sharp(thumb, SHARP_OPTS));
  let sum = 0;
  let sq = 0;
  for (const v of t.data) {
    sum += v;
    sq += v * v;
  }
  const thumbMean = sum / t.data.length;
  const thumbStd = Math.sqrt(Math.max(0, sq / t.data.length - thumbMean * thumbMean));
  const comparable = thumbMean >= 20 && thumbStd >= 4;
  const bars = comparable ? findBars(t) : { top: 0, bottom: 0, left: 0, right: 0 };
  const tw = t.width - bars.left - bars.right;
  const th = t.height - bars.top - bars.bottom;
  const thumbAspect = tw / th;
  const scale = Math.min(1, COMPARE_LONG_SIDE / Math.max(tw, th));
  const cw = Math.max(1, Math.round(tw * scale));
  const ch = Math.max(1, Math.round(th * scale));
  const thumbSmall = await grey(
    sharp(thumb, SHARP_OPTS).extract({ left: bars.left, top: bars.top, width: tw, height: th }).resize(cw, ch, { fit: 'fill', kernel: 'cubic' }),
  );
  // A truncated main image decodes as grey filler; comparing that would invent a mismatch.
  const MAIN_OPTS = { ...SHARP_OPTS, failOn: 'truncated' } as const;
  const meta = await sharp(main, MAIN_OPTS).metadata();
  const W = meta.width ?? 0;
  const H = meta.height ?? 0;
  const candidates: Array<'stored' | 'displayed'> = orientation && orientation > 1 ? ['stored', 'displayed'] : ['stored'];
  let best: ThumbnailComparison | null = null;
  for (const which of candidates) {
    const swapped = which === 'displayed' && (orientation ?? 1) >= 5;
    const mainAspect = swapped ? H / W : W / H;
    const pipeline = which === 'displayed' ? sharp(main, MAIN_OPTS).rotate() : sharp(main, MAIN_OPTS);
    const m = await grey(pipeline.resize(cw, ch, { fit: 'fill', kernel: 'cubic' }));
    const cmp = compareGrey(thumbSmall.data, m.data);
    const c: ThumbnailComparison = {
      thumbWidth: t.width,
      thumbHeight: t.height,
      trimmed: bars,
      thumbAspect: round(thumbAspect),
      mainAspect: round(mainAspect),
      aspectDifference: round(Math.abs(Math.log(thumbAspect / mainAspect))),
      orientation: which,
      thumbMean: round(thumbMean, 2),
      thumbStd: round(thumbStd, 2),
      comparable,
      comparedWidth: cw,
      comparedHeight: ch,
      meanAbsDiff: round(cmp.meanAbsDiff, 2),
      correlation: round(cmp.correlation),
    };
    if (!best || c.correlation > best.correlation) best = c;
  }
  if (!best) throw new Error('no comparison was made');
  return best;
}
