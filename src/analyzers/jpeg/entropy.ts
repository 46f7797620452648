/**
 * Baseline (sequential, Huffman, 8-bit) entropy decoder that collects histograms of the
 * quantised DCT coefficients of the first (luminance) component. No dequantisation or IDCT:
 * double-compression statistics work on the quantised values themselves.
 */
import type { HuffmanTableDef, ParsedJpeg, ScanInfo } from './parse.js';
import { ZIGZAG } from './quant.js';

/** Histogram half-width: values are counted in [-RANGE, RANGE]; larger magnitudes are clamped. */
export const HIST_RANGE = 64;

export type CoefficientHistograms = {
  /** Natural (row-major) coefficient indices the histograms cover. */
  positions: number[];
  /** One histogram per position, index v + HIST_RANGE. */
  counts: Int32Array[];
  blocks: number;
  /** Set when decoding stopped early; the histograms hold what was decoded before. */
  stoppedEarly: string | null;
  /** Entropy-coded bytes left unread after the last block (a correct decode ends within a few bytes of the marker). */
  bytesLeft: number;
};

export type DecodeOutcome = { ok: true; hist: CoefficientHistograms } | { ok: false; reason: string };

interface Huff {
  maxcode: Int32Array;
  valptr: Int32Array;
  mincode: Int32Array;
  symbols: number[];
  /** 9-bit lookahead: (length << 8) | symbol, 0 when the code is longer. */
  fast: Int32Array;
}

const FAST_BITS = 9;

function buildHuff(t: HuffmanTableDef): Huff {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  const fast = new Int32Array(1 << FAST_BITS);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = t.counts[l - 1] ?? 0;
    valptr[l] = k;
    mincode[l] = code;
    for (let i = 0; i < n; i++) {
      if (l <= FAST_BITS) {
        const shift = FAST_BITS - l;
        const base = code << shift;
        for (let j = 0; j < 1 << shift; j++) if (base + j < fast.length) fast[base + j] = (l << 8) | (t.symbols[k] ?? 0);
      }
      code++;
      k++;
    }
    maxcode[l] = n > 0 ? code - 1 : -1;
    code <<= 1;
  }
  return { maxcode, valptr, mincode, symbols: t.symbols, fast };
}

class BitReader {
  private acc = 0;
  private bits = 0;
  /** Set once a marker (or the end) was hit: from then on zeros are fed, as libjpeg does. */
  hitMarker = false;
  /** Zero bytes fed past a marker; more than a few means the data ran out before the image did. */
  zerosFed = 0;
  constructor(
    private readonly b: Buffer,
    public pos: number,
    private readonly end: number,
  ) {}

  private fill(): void {
    while (this.bits <= 16) {
      let byte = 0;
      if (!this.hitMarker && this.pos < this.end) {
        byte = this.b[this.pos]!;
        if (byte === 0xff) {
          const next = this.pos + 1 < this.end ? this.b[this.pos + 1]! : 0xd9;
          if (next === 0x00) this.pos += 2;
          else {
            this.hitMarker = true;
            this.zerosFed++;
            byte = 0;
          }
        } else this.pos++;
      } else {
        this.hitMarker = true;
        this.zerosFed++;
      }
      this.acc = ((this.acc << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  peek(n: number): number {
    if (this.bits < n) this.fill();
    return (this.acc >>> (this.bits - n)) & ((1 << n) - 1);
  }

  skip(n: number): void {
    this.bits -= n;
    this.acc &= (1 << this.bits) - 1;
  }

  read(n: number): number {
    if (n === 0) return 0;
    const v = this.peek(n);
    this.skip(n);
    return v;
  }

  get exhausted(): boolean {
    return this.zerosFed > 4;
  }

  /** Discard buffered bits and move past the next RSTn marker. */
  restart(): boolean {
    this.acc = 0;
    this.bits = 0;
    this.hitMarker = false;
    this.zerosFed = 0;
    let i = this.pos;
    while (i + 1 < this.end) {
      const ff = this.b.indexOf(0xff, i);
      if (ff < 0 || ff + 1 >= this.end) break;
      const n = this.b[ff + 1]!;
      if (n >= 0xd0 && n <= 0xd7) {
        this.pos = ff + 2;
        return true;
      }
      i = ff + 1;
    }
    return false;
  }
}

function decodeSymbol(r: BitReader, h: Huff): number {
  const look = r.peek(FAST_BITS);
  const f = h.fast[look]!;
  if (f !== 0) {
    r.skip(f >> 8);
    return f & 0xff;
  }
  let code = r.read(FAST_BITS);
  for (let l = FAST_BITS + 1; l <= 16; l++) {
    code = (code << 1) | r.read(1);
    if (code <= h.maxcode[l]!) return h.symbols[h.valptr[l]! + code - h.mincode[l]!] ?? -1;
  }
  return -1;
}

function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

export type LuminanceDecoder =
  | {
      ok: true;
      /** Decode up to `budget` units; true once finished (or stopped). */ step(budget: number): boolean;
      result(): CoefficientHistograms;
    }
  | { ok: false; reason: string };

/**
 * Decoder of the luminance coefficients, resumable so callers can yield between steps and honour
 * cancellation. Bounded: at most `maxBlocks` blocks. Returns a reason instead of throwing when the
 * file cannot be decoded.
 */
export function createLuminanceDecoder(
  b: Buffer,
  j: ParsedJpeg,
  positions: readonly number[],
  opts: { maxBlocks?: number } = {},
): LuminanceDecoder {
  const sof = j.sof;
  if (sof === null) return { ok: false, reason: 'no frame header' };
  if (sof.code !== 0xc0 && sof.code !== 0xc1)
    return { ok: false, reason: `${sof.process} coding is not decoded (only baseline/extended sequential Huffman)` };
  if (sof.precision !== 8) return { ok: false, reason: `${sof.precision}-bit samples are not decoded` };
  const luma = sof.components[0];
  if (luma === undefined || sof.width === 0 || sof.height === 0)
    return { ok: false, reason: 'the frame header has no usable size or components' };
  const scan: ScanInfo | undefined = j.scans.find((s) => s.components.some((c) => c.id === luma.id));
  if (scan === undefined) return { ok: false, reason: 'no scan carries the luminance component' };
  const comps = scan.components.map((sc) => {
    const fc = sof.components.find((c) => c.id === sc.id);
    const dcT = scan.dc[sc.td];
    const acT = scan.ac[sc.ta];
    return fc && dcT && acT ? { fc, dc: buildHuff(dcT), ac: buildHuff(acT), pred: 0, isLuma: sc.id === luma.id } : null;
  });
  if (comps.some((c) => c === null) || comps.length === 0)
    return { ok: false, reason: 'the scan references a missing component or Huffman table' };
  const cs = comps as NonNullable<(typeof comps)[number]>[];
  const hmax = Math.max(...sof.components.map((c) => c.h || 1));
  const vmax = Math.max(...sof.components.map((c) => c.v || 1));
  const maxBlocks = opts.maxBlocks ?? 4_000_000;

  const posIndex = new Int32Array(64).fill(-1);
  positions.forEach((p, i) => (posIndex[p] = i));
  const counts = positions.map(() => new Int32Array(2 * HIST_RANGE + 1));
  const r = new BitReader(b, scan.dataStart, scan.dataEnd);
  let blocks = 0;
  let stoppedEarly: string | null = null;

  const nz = new Int32Array(64);
  const decodeBlock = (c: (typeof cs)[number]): boolean => {
    const t = decodeSymbol(r, c.dc);
    if (t < 0 || t > 16) return false;
    if (t > 0) c.pred += extend(r.read(t), t);
    let nnz = 0;
    for (let k = 1; k < 64;) {
      const rs = decodeSymbol(r, c.ac);
      if (rs < 0) return false;
      const run = rs >> 4;
      const s = rs & 15;
      if (s === 0) {
        if (run !== 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) return false;
      const v = extend(r.read(s), s);
      if (c.isLuma) {
        const pi = posIndex[ZIGZAG[k]!]!;
        if (pi >= 0) {
          counts[pi]![Math.max(-HIST_RANGE, Math.min(HIST_RANGE, v)) + HIST_RANGE]!++;
          nz[nnz++] = pi;
        }
      }
      k++;
    }
    if (c.isLuma) {
      // Zeros are implicit: every covered position not written this block counts as 0.
      for (let i = 0; i < positions.length; i++) counts[i]![HIST_RANGE]!++;
      for (let i = 0; i < nnz; i++) counts[nz[i]!]![HIST_RANGE]!--;
      blocks++;
    }
    return true;
  };

  const interval = scan.restartInterval;
  let mcu = 0;
  const onMcuDone = (): boolean => {
    mcu++;
    if (interval > 0 && mcu % interval === 0) {
      if (!r.restart()) return false;
      for (const c of cs) c.pred = 0;
    }
    return true;
  };

  // One unit is one block (non-interleaved scan) or one MCU (interleaved); returns why decoding must stop, or null.
  let unit: (u: number) => string | null;
  let total: number;
  if (cs.length === 1) {
    const c = cs[0]!;
    const bw = Math.ceil(Math.ceil((sof.width * (c.fc.h || 1)) / hmax) / 8);
    const bh = Math.ceil(Math.ceil((sof.height * (c.fc.v || 1)) / vmax) / 8);
    total = bw * bh;
    unit = (u) => {
      if (!decodeBlock(c)) return `invalid Huffman code after ${blocks} blocks`;
      if (r.exhausted) return `the image data ended after ${u + 1} of ${total} blocks`;
      if (u + 1 < total && !onMcuDone()) return `missing restart marker after ${blocks} blocks`;
      return null;
    };
  } else {
    total = Math.ceil(sof.width / (8 * hmax)) * Math.ceil(sof.height / (8 * vmax));
    unit = (u) => {
      for (const c of cs) {
        const n = (c.fc.h || 1) * (c.fc.v || 1);
        for (let k = 0; k < n; k++) if (!decodeBlock(c)) return `invalid Huffman code after ${blocks} blocks`;
      }
      if (r.exhausted) return `the image data ended after ${u + 1} of ${total} MCUs`;
      if (u + 1 < total && !onMcuDone()) return `missing restart marker after ${blocks} blocks`;
      return null;
    };
  }
  let u = 0;
  const step = (budget: number): boolean => {
    const end = Math.min(total, u + budget);
    for (; u < end; u++) {
      if (blocks >= maxBlocks) {
        stoppedEarly = `stopped after ${maxBlocks} blocks`;
        u = total;
        break;
      }
      const why = unit(u);
      if (why !== null) {
        stoppedEarly = why;
        u = total;
        break;
      }
    }
    return u >= total;
  };
  const result = (): CoefficientHistograms => ({
    positions: [...positions],
    counts,
    blocks,
    stoppedEarly,
    bytesLeft: scan.dataEnd - r.pos,
  });
  return { ok: true, step, result };
}

/** Decode everything at once (synchronous). */
export function luminanceHistograms(
  b: Buffer,
  j: ParsedJpeg,
  positions: readonly number[],
  opts: { maxBlocks?: number } = {},
): DecodeOutcome {
  const d = createLuminanceDecoder(b, j, positions, opts);
  if (!d.ok) return d;
  d.step(Number.POSITIVE_INFINITY);
  return { ok: true, hist: d.result() };
}
