/**
 * WebAssembly SIMD kernels for the per-pixel ELA pass. The plain JS loop spends ~15 ns per pixel
 * (branchy abs/max per channel, histogram stores); these do 16 pixels per step for the error and
 * a 4-way unrolled histogram, several times faster on the same core. The module is assembled here
 * from named opcodes (no build tool, no binary blob), and `simdKernels()` returns undefined when
 * the runtime cannot compile it, so callers fall back to the JS loops in compute.ts.
 */

// Value types and opcodes (WebAssembly core spec 2.0, binary format).
const I32 = 0x7f;
const V128 = 0x7b;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const br = (l: number): number[] => [0x0c, l];
const brIf = (l: number): number[] => [0x0d, l];
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const tee = (i: number): number[] => [0x22, i];
const SELECT = 0x1b;
const i32Load = (offset: number): number[] => [0x28, 2, ...uleb(offset)];
const i32Store = (offset: number): number[] => [0x36, 2, ...uleb(offset)];
const load8u = (offset: number): number[] => [0x2d, 0, ...uleb(offset)];
const i32Const = (v: number): number[] => [0x41, ...sleb(v)];
const EQZ = 0x45;
const LT_U = 0x49;
const GE_U = 0x4f;
const ADD = 0x6a;
const SUB = 0x6b;
const AND = 0x71;
const SHL = 0x74;
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128Load = (offset: number): number[] => simd(0x00, 0, ...uleb(offset));
const v128Store = (offset: number): number[] => simd(0x0b, 0, ...uleb(offset));
const shuffle = (lanes: readonly number[]): number[] => simd(0x0d, ...lanes);
const V_OR = simd(0x50);
const SUB_SAT_U = simd(0x73);
const MAX_U = simd(0x79);
const EXTADD_I8_U = simd(0x7d); // i16x8.extadd_pairwise_i8x16_u
const EXTADD_I16_U = simd(0x7f); // i32x4.extadd_pairwise_i16x8_u
const I32X4_ADD = simd(0xae);
const lane32 = (l: number): number[] => simd(0x1b, l); // i32x4.extract_lane

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/**
 * diff(a, b, out, groups): for `groups` runs of 16 RGB pixels, out = max over channels of |a - b|.
 * |a - b| per byte is (a -sat b) | (b -sat a); shuffles gather each channel of 16 pixels.
 */
function diffBody(): number[] {
  const [A, B, O, N] = [0, 1, 2, 3];
  const [X, Y, D0, D1, D2] = [4, 5, 6, 7, 8];
  const absdiff = (off: number, into: number): number[] => [
    ...get(A), ...v128Load(off), ...set(X),
    ...get(B), ...v128Load(off), ...set(Y),
    ...get(X), ...get(Y), ...SUB_SAT_U, ...get(Y), ...get(X), ...SUB_SAT_U, ...V_OR, ...set(into),
  ];
  // Channel k of pixel i sits at byte 3i + k of the 48 (d0 | d1 | d2); two shuffles per channel.
  const channel = (k: number): number[] => {
    const first: number[] = [];
    const second: number[] = [];
    for (let i = 0; i < 16; i++) {
      const src = 3 * i + k;
      first.push(src < 32 ? src : 0);
      second.push(src < 32 ? i : 16 + (src - 32));
    }
    return [...get(D0), ...get(D1), ...shuffle(first), ...get(D2), ...shuffle(second)];
  };
  const code = [
    ...BLOCK, ...LOOP,
    ...get(N), EQZ, ...brIf(1),
    ...absdiff(0, D0), ...absdiff(16, D1), ...absdiff(32, D2),
    ...get(O), ...channel(0), ...channel(1), ...MAX_U, ...channel(2), ...MAX_U, ...v128Store(0),
    ...get(A), ...i32Const(48), ADD, ...set(A),
    ...get(B), ...i32Const(48), ADD, ...set(B),
    ...get(O), ...i32Const(16), ADD, ...set(O),
    ...get(N), ...i32Const(1), SUB, ...set(N),
    ...br(0), END, END, END,
  ];
  return [...vec([[...uleb(5), V128]]), ...code];
}

/**
 * acc(p, width, rows, bs, sums, hist): for `rows` rows of an 8-bit plane starting at p, add each
 * value to a histogram (4 interleaved copies of 256 u32 at hist, so equal neighbours do not
 * serialise on one counter) and each block's row sums to sums[col] (u32).
 */
function accBody(): number[] {
  const [P, W, ROWS, BS, SUMS, HIST] = [0, 1, 2, 3, 4, 5];
  const [ROWEND, SP, BEND, BEND4, S, V, ADDR] = [6, 7, 8, 9, 10, 11, 12];
  // hist[copy][v]++ and s += v for the byte at p + k.
  const count = (k: number, copy: number): number[] => [
    ...get(P), ...load8u(k), ...tee(V),
    ...i32Const(2), SHL, ...get(HIST), ADD, ...tee(ADDR),
    ...get(ADDR), ...i32Load(copy * 1024), ...i32Const(1), ADD, ...i32Store(copy * 1024),
    ...get(S), ...get(V), ADD, ...set(S),
  ];
  const code = [
    ...BLOCK, ...LOOP,
    ...get(ROWS), EQZ, ...brIf(1),
    ...get(P), ...get(W), ADD, ...set(ROWEND),
    ...get(SUMS), ...set(SP),
    ...BLOCK, ...LOOP,
    ...get(P), ...get(ROWEND), GE_U, ...brIf(1),
    // bend = min(p + bs, rowEnd); bend4 = p + ((bend - p) & ~3)
    ...get(P), ...get(BS), ADD, ...get(ROWEND), ...get(P), ...get(BS), ADD, ...get(ROWEND), LT_U, SELECT, ...tee(BEND),
    ...get(P), SUB, ...i32Const(-4), AND, ...get(P), ADD, ...set(BEND4),
    ...i32Const(0), ...set(S),
    ...BLOCK, ...LOOP,
    ...get(P), ...get(BEND4), GE_U, ...brIf(1),
    ...count(0, 0), ...count(1, 1), ...count(2, 2), ...count(3, 3),
    ...get(P), ...i32Const(4), ADD, ...set(P),
    ...br(0), END, END,
    ...BLOCK, ...LOOP,
    ...get(P), ...get(BEND), GE_U, ...brIf(1),
    ...count(0, 0),
    ...get(P), ...i32Const(1), ADD, ...set(P),
    ...br(0), END, END,
    ...get(SP), ...get(SP), ...i32Load(0), ...get(S), ADD, ...i32Store(0),
    ...get(SP), ...i32Const(4), ADD, ...set(SP),
    ...br(0), END, END,
    ...get(ROWS), ...i32Const(1), SUB, ...set(ROWS),
    ...br(0), END, END, END,
  ];
  return [...vec([[...uleb(7), I32]]), ...code];
}

/** sad(a, b, groups) -> sum of |a - b| over `groups` runs of 16 bytes (callers keep it < 2^31). */
function sadBody(): number[] {
  const [A, B, N] = [0, 1, 2];
  const [X, Y, ACC] = [3, 4, 5]; // v128 locals start at zero
  const code = [
    ...BLOCK, ...LOOP,
    ...get(N), EQZ, ...brIf(1),
    ...get(ACC),
    ...get(A), ...v128Load(0), ...set(X),
    ...get(B), ...v128Load(0), ...set(Y),
    ...get(X), ...get(Y), ...SUB_SAT_U, ...get(Y), ...get(X), ...SUB_SAT_U, ...V_OR,
    ...EXTADD_I8_U, ...EXTADD_I16_U, ...I32X4_ADD, ...set(ACC),
    ...get(A), ...i32Const(16), ADD, ...set(A),
    ...get(B), ...i32Const(16), ADD, ...set(B),
    ...get(N), ...i32Const(1), SUB, ...set(N),
    ...br(0), END, END,
    ...get(ACC), ...lane32(0), ...get(ACC), ...lane32(1), ADD, ...get(ACC), ...lane32(2), ADD, ...get(ACC), ...lane32(3), ADD,
    END,
  ];
  return [...vec([[...uleb(3), V128]]), ...code];
}

function moduleBytes(): Uint8Array {
  const types = section(
    1,
    vec([
      [0x60, ...vec([[I32], [I32], [I32], [I32]]), 0],
      [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0],
      [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])],
    ]),
  );
  const imports = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, 0x01]]));
  const funcs = section(3, vec([[0], [1], [2]]));
  const exports = section(7, vec([[...name('diff'), 0x00, 0], [...name('acc'), 0x00, 1], [...name('sad'), 0x00, 2]]));
  const bodies = [diffBody(), accBody(), sadBody()].map((b) => [...uleb(b.length), ...b]);
  const code = section(10, vec(bodies));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}

const PAGE = 65536;
const HIST_BYTES = 4 * 1024;

export interface SimdKernels {
  /** Error of 3-channel rows (`a`, `b` interleaved RGB, `out` one byte per pixel). */
  diff(a: Uint8Array, b: Uint8Array, out: Uint8Array): void;
  /** Add whole rows of an 8-bit plane, image rows from `y0`, to `hist` and to the block sums (row-major, `bs` blocks). */
  acc(plane: Uint8Array, width: number, y0: number, bs: number, hist: Uint32Array, sums: Float64Array): void;
  /** diff then acc on the same rows, the error staying in wasm memory in between. */
  diffAcc(a: Uint8Array, b: Uint8Array, out: Uint8Array, width: number, y0: number, bs: number, hist: Uint32Array, sums: Float64Array): void;
  /** Sum of |a[i] - b[i]| over all bytes (the two arrays have the same length). */
  sumAbsDiff(a: Uint8Array, b: Uint8Array): number;
}

let cached: SimdKernels | null | undefined;

/** The kernels, or undefined when this runtime has no WebAssembly SIMD. */
export function simdKernels(): SimdKernels | undefined {
  if (cached === undefined) {
    try {
      cached = instantiate();
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/** The slice of the WebAssembly global used here (the project's TS lib has no DOM typings). */
interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

function instantiate(): SimdKernels {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const mem = new wasm.Memory({ initial: 64 });
  const inst = new wasm.Instance(new wasm.Module(moduleBytes()), { env: { mem } });
  const wDiff = inst.exports['diff'] as (a: number, b: number, o: number, groups: number) => void;
  const wAcc = inst.exports['acc'] as (p: number, w: number, rows: number, bs: number, sums: number, hist: number) => void;
  const wSad = inst.exports['sad'] as (a: number, b: number, groups: number) => number;
  let u8 = new Uint8Array(mem.buffer);
  const ensure = (bytes: number): void => {
    if (bytes > mem.buffer.byteLength) {
      mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / PAGE));
      u8 = new Uint8Array(mem.buffer);
    }
  };
  const up16 = (v: number): number => (v + 15) & ~15;

  // Layout: [hist 4 KiB][block sums of one row of blocks][plane rows][a][b]
  const planeAtFor = (width: number, bs: number): number => up16(HIST_BYTES + 4 * Math.ceil(width / bs));
  const runDiff = (a: Uint8Array, b: Uint8Array, n: number, planeAt: number): void => {
    const aAt = up16(planeAt + n);
    const bAt = up16(aAt + 3 * n);
    ensure(bAt + 3 * n);
    u8.set(a.subarray(0, 3 * n), aAt);
    u8.set(b.subarray(0, 3 * n), bAt);
    const groups = Math.floor(n / 16);
    wDiff(aAt, bAt, planeAt, groups);
    for (let i = groups * 16; i < n; i++) {
      const j = 3 * i;
      const d0 = Math.abs((u8[aAt + j] as number) - (u8[bAt + j] as number));
      const d1 = Math.abs((u8[aAt + j + 1] as number) - (u8[bAt + j + 1] as number));
      const d2 = Math.abs((u8[aAt + j + 2] as number) - (u8[bAt + j + 2] as number));
      u8[planeAt + i] = Math.max(d0, d1, d2);
    }
  };
  // Rows at planeAt (image rows y0..) into hist and sums, one call per row of blocks so the
  // u32 block sums in wasm memory stay far from overflow (at most 256 x 256 x 255).
  const runAcc = (planeAt: number, width: number, rows: number, y0: number, bs: number, hist: Uint32Array, sums: Float64Array): void => {
    const cols = Math.ceil(width / bs);
    const sumsAt = HIST_BYTES;
    u8.fill(0, 0, HIST_BYTES);
    for (let y = y0, at = planeAt; y < y0 + rows; ) {
      const n = Math.min(y0 + rows, (Math.floor(y / bs) + 1) * bs) - y;
      u8.fill(0, sumsAt, sumsAt + 4 * cols);
      wAcc(at, width, n, bs, sumsAt, 0);
      const s = new Uint32Array(mem.buffer, sumsAt, cols);
      const base = Math.floor(y / bs) * cols;
      for (let c = 0; c < cols; c++) sums[base + c]! += s[c] as number;
      y += n;
      at += n * width;
    }
    const h = new Uint32Array(mem.buffer, 0, 1024);
    for (let v = 0; v < 256; v++) hist[v]! += (h[v] as number) + (h[256 + v] as number) + (h[512 + v] as number) + (h[768 + v] as number);
  };

  return {
    diff(a, b, out) {
      const n = out.length;
      const planeAt = 16;
      ensure(planeAt + 7 * n + 64);
      runDiff(a, b, n, planeAt);
      out.set(u8.subarray(planeAt, planeAt + n));
    },
    acc(plane, width, y0, bs, hist, sums) {
      const rows = Math.floor(plane.length / width);
      const planeAt = planeAtFor(width, bs);
      ensure(planeAt + rows * width);
      u8.set(plane.subarray(0, rows * width), planeAt);
      runAcc(planeAt, width, rows, y0, bs, hist, sums);
    },
    sumAbsDiff(a, b) {
      const CHUNK = 1 << 20; // 2^20 x 255 stays below 2^31 in the kernel's i32 result
      let total = 0;
      for (let off = 0; off < a.length; off += CHUNK) {
        const n = Math.min(CHUNK, a.length - off);
        const bAt = up16(16 + n);
        ensure(bAt + n);
        u8.set(a.subarray(off, off + n), 16);
        u8.set(b.subarray(off, off + n), bAt);
        const groups = Math.floor(n / 16);
        total += wSad(16, bAt, groups) >>> 0;
        for (let i = groups * 16; i < n; i++) total += Math.abs((u8[16 + i] as number) - (u8[bAt + i] as number));
      }
      return total;
    },
    diffAcc(a, b, out, width, y0, bs, hist, sums) {
      const rows = Math.floor(out.length / width);
      const n = rows * width;
      const planeAt = planeAtFor(width, bs);
      ensure(planeAt + 7 * n + 64);
      runDiff(a, b, n, planeAt);
      runAcc(planeAt, width, rows, y0, bs, hist, sums);
      out.set(u8.subarray(planeAt, planeAt + n));
    },
  };
}
