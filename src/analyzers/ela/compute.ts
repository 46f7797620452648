/**
 * Pure ELA arithmetic on raw 8-bit planes: no I/O, no sharp, testable on decoded real files.
 * Everything works on Uint8Array planes and typed arrays sized by the block grid, never on
 * per-pixel JS arrays, so a 50 MP image stays within a few hundred MB. The per-pixel loops run in
 * WebAssembly SIMD when the runtime has it (simd.ts); the JS loops below are the fallback and the
 * reference the kernels are tested against.
 */
import { simdKernels } from './simd.js';

/**
 * Per-pixel error: the largest absolute channel difference between `a` (decoded evidence) and `b`
 * (its recompressed copy), interleaved with `channels` per pixel, written to `out` (one byte per pixel).
 */
export function maxAbsDiff(a: Uint8Array, b: Uint8Array, out: Uint8Array, channels: number): Uint8Array {
  const pixels = out.length;
  if (a.length < pixels * channels || b.length < pixels * channels) throw new RangeError('ELA planes are shorter than width x height x channels');
  const k = channels === 3 ? simdKernels() : undefined;
  if (k) {
    k.diff(a.subarray(0, pixels * 3), b.subarray(0, pixels * 3), out);
  } else if (channels === 1) {
    for (let i = 0; i < pixels; i++) {
      const d = (a[i] as number) - (b[i] as number);
      out[i] = d < 0 ? -d : d;
    }
  } else if (channels === 3) {
    for (let i = 0, j = 0; i < pixels; i++, j += 3) {
      let d0 = (a[j] as number) - (b[j] as number);
      let d1 = (a[j + 1] as number) - (b[j + 1] as number);
      let d2 = (a[j + 2] as number) - (b[j + 2] as number);
      if (d0 < 0) d0 = -d0;
      if (d1 < 0) d1 = -d1;
      if (d2 < 0) d2 = -d2;
      out[i] = d0 > d1 ? (d0 > d2 ? d0 : d2) : d1 > d2 ? d1 : d2;
    }
  } else {
    throw new RangeError(`ELA expects 1 or 3 channels, got ${channels}`);
  }
  return out;
}

/** Row bands for strip-wise recompression: [y0, y1) kept, [e0, e1) encoded (with context rows). */
export interface Strip {
  y0: number;
  y1: number;
  e0: number;
  e1: number;
}

/**
 * Split `height` rows into strips of about `rows` rows on the 16-row MCU grid, each encoded with
 * `margin` extra rows either side: JPEG blocks are independent, but chroma upsampling on decode
 * reads neighbouring rows, so the margin makes every kept row match a whole-image recompression.
 */
export function strips(height: number, rows: number, margin = 16): Strip[] {
  const step = Math.max(16, Math.floor(rows / 16) * 16);
  const out: Strip[] = [];
  for (let y0 = 0; y0 < height; y0 += step) {
    const y1 = Math.min(height, y0 + step);
    out.push({ y0, y1, e0: Math.max(0, y0 - margin), e1: Math.min(height, y1 + margin) });
  }
  return out;
}

export interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Apply EXIF orientation (1..8) to a single-channel plane so it matches the image as displayed.
 * ELA itself runs in stored orientation, where the JPEG 8x8 grid of the evidence lies.
 */
export function orientPlane(p: Plane, orientation: number): Plane {
  const { data, width: w, height: h } = p;
  if (orientation < 2 || orientation > 8) return p;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  // Source index of display (0,0), and its change per display step in x and in y.
  let s0: number;
  let dx: number;
  let dy: number;
  switch (orientation) {
    case 2: [s0, dx, dy] = [w - 1, -1, w]; break;
    case 3: [s0, dx, dy] = [(h - 1) * w + w - 1, -1, -w]; break;
    case 4: [s0, dx, dy] = [(h - 1) * w, 1, -w]; break;
    case 5: [s0, dx, dy] = [0, w, 1]; break;
    case 6: [s0, dx, dy] = [(h - 1) * w, -w, 1]; break;
    case 7: [s0, dx, dy] = [(h - 1) * w + w - 1, -w, -1]; break;
    default: [s0, dx, dy] = [w - 1, w, -1]; break; // 8
  }
  const out = new Uint8Array(W * H);
  for (let y = 0, o = 0; y < H; y++) {
    let s = s0 + y * dy;
    for (let x = 0; x < W; x++, o++, s += dx) out[o] = data[s] as number;
  }
  return { data: out, width: W, height: H };
}

export interface PlaneStats {
  mean: number;
  p95: number;
  p99: number;
  max: number;
}

/** Mean, 95th/99th percentile and max of an 8-bit plane, through a 256-bin histogram. */
export function planeStats(data: Uint8Array): PlaneStats {
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i] as number]!++;
  return statsFromHistogram(hist);
}

export function statsFromHistogram(hist: Uint32Array): PlaneStats {
  let n = 0;
  let sum = 0;
  let max = 0;
  for (let v = 0; v < 256; v++) {
    const c = hist[v] as number;
    n += c;
    sum += c * v;
    if (c > 0) max = v;
  }
  const pct = (q: number): number => {
    const target = q * n;
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += hist[v] as number;
      if (acc >= target) return v;
    }
    return max;
  };
  return { mean: n ? sum / n : 0, p95: pct(0.95), p99: pct(0.99), max };
}

/** Smallest block size (a multiple of the 8x8 JPEG grid) that keeps the grid at or under `maxBlocks`. */
export function chooseBlockSize(width: number, height: number, maxBlocks = 16384): number {
  for (const bs of [16, 32, 64, 128, 256]) if (Math.ceil(width / bs) * Math.ceil(height / bs) <= maxBlocks) return bs;
  return 256;
}

export interface BlockGrid {
  blockSize: number;
  cols: number;
  rows: number;
  /** Mean error per block, row-major; edge blocks average the pixels they have. */
  means: Float64Array;
}

/** Running histogram and per-block sums, fed row band by row band (e.g. as strips finish). */
export class ErrorAccumulator {
  readonly hist = new Uint32Array(256);
  readonly cols: number;
  readonly rows: number;
  private readonly sums: Float64Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly blockSize: number,
    /** false forces the JS loops (the reference the SIMD kernels are tested against). */
    private readonly useSimd = true,
  ) {
    this.cols = Math.ceil(width / blockSize);
    this.rows = Math.ceil(height / blockSize);
    this.sums = new Float64Array(this.cols * this.rows);
  }

  /** Add rows [y0, y0 + rows.length / width) of the error plane. */
  add(rows: Uint8Array, y0: number): void {
    const { width: w, blockSize: bs, cols, hist, sums } = this;
    const n = Math.floor(rows.length / w);
    const k = this.useSimd ? simdKernels() : undefined;
    if (k) {
      k.acc(rows.subarray(0, n * w), w, y0, bs, hist, sums);
      return;
    }
    for (let y = 0; y < n; y++) {
      const rowBase = Math.floor((y0 + y) / bs) * cols;
      let o = y * w;
      for (let c = 0; c < cols; c++) {
        const end = Math.min(w, (c + 1) * bs);
        let s = 0;
        for (let x = c * bs; x < end; x++, o++) {
          const v = rows[o] as number;
          s += v;
          hist[v]!++;
        }
        sums[rowBase + c]! += s;
      }
    }
  }

  /**
   * Fused pass for the common case (3 channels, display = stored orientation): writes the error
   * of rows [y0, ...) into `out` and adds them to the histogram and block sums in the same loop.
   */
  addDiff(a: Uint8Array, b: Uint8Array, out: Uint8Array, y0: number): void {
    const { width: w, blockSize: bs, cols, hist, sums } = this;
    const n = Math.floor(out.length / w);
    if (a.length < n * w * 3 || b.length < n * w * 3) throw new RangeError('ELA planes are shorter than width x height x 3');
    const k = this.useSimd ? simdKernels() : undefined;
    if (k) {
      k.diffAcc(a.subarray(0, n * w * 3), b.subarray(0, n * w * 3), out.subarray(0, n * w), w, y0, bs, hist, sums);
      return;
    }
    for (let y = 0; y < n; y++) {
      const rowBase = Math.floor((y0 + y) / bs) * cols;
      let o = y * w;
      let j = o * 3;
      for (let c = 0; c < cols; c++) {
        const end = Math.min(w, (c + 1) * bs);
        let s = 0;
        for (let x = c * bs; x < end; x++, o++, j += 3) {
          let d0 = (a[j] as number) - (b[j] as number);
          let d1 = (a[j + 1] as number) - (b[j + 1] as number);
          let d2 = (a[j + 2] as number) - (b[j + 2] as number);
          if (d0 < 0) d0 = -d0;
          if (d1 < 0) d1 = -d1;
          if (d2 < 0) d2 = -d2;
          const e = d0 > d1 ? (d0 > d2 ? d0 : d2) : d1 > d2 ? d1 : d2;
          out[o] = e;
          hist[e]!++;
          s += e;
        }
        sums[rowBase + c]! += s;
      }
    }
  }

  grid(): BlockGrid {
    const { width: w, height: h, blockSize: bs, cols, rows, sums } = this;
    const means = new Float64Array(cols * rows);
    for (let r = 0; r < rows; r++) {
      const bh = Math.min(h, (r + 1) * bs) - r * bs;
      for (let c = 0; c < cols; c++) {
        const bw = Math.min(w, (c + 1) * bs) - c * bs;
        means[r * cols + c] = (sums[r * cols + c] as number) / (bw * bh);
      }
    }
    return { blockSize: bs, cols, rows, means };
  }

  stats(): PlaneStats {
    return statsFromHistogram(this.hist);
  }
}

export function blockMeans(p: Plane, blockSize: number): BlockGrid {
  const acc = new ErrorAccumulator(p.width, p.height, blockSize);
  acc.add(p.data, 0);
  return acc.grid();
}

export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

export interface RobustZ {
  median: number;
  mad: number;
  /** Scale actually used: 1.4826 x MAD, floored so near-constant maps do not explode. */
  scale: number;
  z: Float64Array;
}

/** Robust z-score of each block: (mean - median) / (1.4826 x MAD), with the scale floored at `minScale`. */
export function robustZ(means: Float64Array, minScale = 0.25): RobustZ {
  const med = median(means);
  const dev = new Float64Array(means.length);
  for (let i = 0; i < means.length; i++) dev[i] = Math.abs((means[i] as number) - med);
  const mad = median(dev);
  const scale = Math.max(1.4826 * mad, minScale);
  const z = new Float64Array(means.length);
  for (let i = 0; i < means.length; i++) z[i] = ((means[i] as number) - med) / scale;
  return { median: med, mad, scale, z };
}

export interface OutlierCluster {
  /** Block count in the cluster (8-connected outlier blocks). */
  blocks: number;
  /** Bounding box in blocks. */
  col: number;
  row: number;
  cols: number;
  rows: number;
  maxZ: number;
  meanZ: number;
  /** Mean error over the cluster's blocks. */
  meanError: number;
}

/** Outlier blocks (z >= zMin and at least `minDelta` grey levels above the median), grouped 8-connected, largest first. */
export function outlierClusters(grid: BlockGrid, rz: RobustZ, zMin: number, minDelta: number): { outliers: Uint8Array; clusters: OutlierCluster[] } {
  const { cols, rows, means } = grid;
  const n = cols * rows;
  const outliers = new Uint8Array(n);
  for (let i = 0; i < n; i++) if ((rz.z[i] as number) >= zMin && (means[i] as number) - rz.median >= minDelta) outliers[i] = 1;
  const seen = new Uint8Array(n);
  const clusters: OutlierCluster[] = [];
  const stack: number[] = [];
  for (let start = 0; start < n; start++) {
    if (!outliers[start] || seen[start]) continue;
    seen[start] = 1;
    stack.push(start);
    let count = 0;
    let c0 = cols;
    let r0 = rows;
    let c1 = -1;
    let r1 = -1;
    let zMax = -Infinity;
    let zSum = 0;
    let eSum = 0;
    while (stack.length) {
      const i = stack.pop() as number;
      const r = Math.floor(i / cols);
      const c = i - r * cols;
      count++;
      c0 = Math.min(c0, c);
      c1 = Math.max(c1, c);
      r0 = Math.min(r0, r);
      r1 = Math.max(r1, r);
      const z = rz.z[i] as number;
      zMax = Math.max(zMax, z);
      zSum += z;
      eSum += means[i] as number;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
          const j = rr * cols + cc;
          if (outliers[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    clusters.push({ blocks: count, col: c0, row: r0, cols: c1 - c0 + 1, rows: r1 - r0 + 1, maxZ: zMax, meanZ: zSum / count, meanError: eSum / count });
  }
  clusters.sort((x, y) => y.blocks - x.blocks || y.maxZ - x.maxZ);
  return { outliers, clusters };
}

/**
 * Palette for a heatmap whose pixels are raw errors (grey levels): error v gets the colour of
 * min(1, v / fullScale). The amplification lives in the palette, so no pass over the pixels.
 */
export function amplifiedPalette(lut256: Uint8Array, fullScale: number): Uint8Array {
  const pal = new Uint8Array(256 * 3);
  const k = 255 / Math.max(1, fullScale);
  for (let v = 0; v < 256; v++) {
    const i = Math.min(255, Math.round(v * k));
    pal[v * 3] = lut256[i * 3] as number;
    pal[v * 3 + 1] = lut256[i * 3 + 1] as number;
    pal[v * 3 + 2] = lut256[i * 3 + 2] as number;
  }
  return pal;
}

/** Block map as palette indices: each block a `cell` x `cell` square, outliers framed with index `frame`. */
export function blockMapIndices(grid: BlockGrid, outliers: Uint8Array, fullScale: number, cell: number, frame: number, levels: number): { data: Uint8Array; width: number; height: number } {
  const { cols, rows, means } = grid;
  const width = cols * cell;
  const height = rows * cell;
  const data = new Uint8Array(width * height);
  const border = Math.max(1, Math.floor(cell / 6));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const v = Math.min(levels - 1, Math.round(((means[i] as number) / Math.max(1e-9, fullScale)) * (levels - 1)));
      const hot = outliers[i] === 1;
      for (let y = 0; y < cell; y++) {
        const row = (r * cell + y) * width + c * cell;
        for (let x = 0; x < cell; x++) {
          const edge = x < border || y < border || x >= cell - border || y >= cell - border;
          data[row + x] = hot && edge ? frame : v;
        }
      }
    }
  }
  return { data, width, height };
}
