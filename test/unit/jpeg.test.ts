import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { DC_THRESHOLD, analyseJpegBytes, analyseJpegBytesAsync, jpegAnalyzer } from '../../src/analyzers/jpeg/index.js';
import { luminanceHistograms } from '../../src/analyzers/jpeg/entropy.js';
import { parseJpeg } from '../../src/analyzers/jpeg/parse.js';
import { STD_LUMINANCE, estimateIjgQuality, ijgScaledTable } from '../../src/analyzers/jpeg/quant.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { fixture } from '../helpers.js';

type Data = Record<string, unknown> & {
  qualityEstimate: number | null;
  standardTables: boolean;
  standardQuality: number | null;
  subsampling: string | null;
  progressive: boolean;
  trailingBytes: number;
  trailing: { kind: string; offset: number | null; jpegSignatures: number };
  quantTables: { id: number; bits: number; values: number[][]; role: string; quality: number; exactIjg: boolean; meanAbsError: number }[];
  appSegments: { marker: string; id: string | null; offset: number; length: number }[];
  sof: { marker: string; width: number; height: number } | null;
  doubleCompression: { analysed: boolean; score: number | null; reason: string | null; blocks: number; method: string };
  malformed: { offset: number; code: string }[];
  embeddedJpegs: { inAppSegments: Record<string, number> };
};

async function run(path: string): Promise<{ out: ReturnType<typeof analyseJpegBytes>; data: Data }> {
  const out = analyseJpegBytes(await readFile(path));
  return { out, data: out.data as Data };
}
const codes = (o: { findings?: { code: string }[] }): string[] => (o.findings ?? []).map((f) => f.code);

describe('jpeg quantisation tables', () => {
  it('recovers every IJG quality exactly from the scaled standard table', () => {
    for (let q = 1; q <= 100; q++) {
      const est = estimateIjgQuality(ijgScaledTable(STD_LUMINANCE, q), 'luminance');
      // Q=1..? clamp to 255 makes some low qualities identical; the estimate must then reproduce the same table.
      assert.deepEqual(ijgScaledTable(STD_LUMINANCE, est.quality), ijgScaledTable(STD_LUMINANCE, q));
      assert.equal(est.exact, true);
    }
  });

  it('reads the libjpeg test image as IJG quality 75, 4:2:0, baseline (as exiftool says), tables in natural order', async () => {
    const { out, data } = await run(fixture('jpeg', 'baseline-ijg-q75-420.jpg'));
    assert.equal(data.qualityEstimate, 75);
    assert.equal(data.standardTables, true);
    assert.equal(data.standardQuality, 75);
    assert.equal(data.subsampling, '4:2:0');
    assert.equal(data.progressive, false);
    const luma = data.quantTables.find((t) => t.role === 'luminance')!;
    // IJG q75 luminance, natural order: first row 8 6 5 8 12 20 26 31, first column 8 6 7 7 9 12 25 36.
    assert.deepEqual(luma.values[0], [8, 6, 5, 8, 12, 20, 26, 31]);
    assert.deepEqual(
      luma.values.map((r) => r[0]),
      [8, 6, 7, 7, 9, 12, 25, 36],
    );
    assert.equal(luma.bits, 8);
    assert.ok(codes(out).includes('ijg-standard-tables'));
    assert.match(out.findings!.find((f) => f.code === 'ijg-standard-tables')!.message, /quality 75/);
    assert.deepEqual(
      data.appSegments.map((s) => s.id),
      ['JFIF'],
    );
    assert.equal(data.trailingBytes, 0);
  });

  it('names custom camera tables and the camera subsampling (Canon DSLR, 4:2:2, EXIF thumbnail)', async () => {
    const { out, data } = await run(fixture('images', 'canon-dslr.jpg'));
    assert.equal(data.standardTables, false);
    assert.ok(codes(out).includes('custom-tables'));
    assert.ok((data.qualityEstimate ?? 0) >= 95, `quality ${data.qualityEstimate}`);
    assert.ok(data.quantTables.every((t) => t.meanAbsError > 0));
    assert.equal(data.subsampling, '4:2:2');
    assert.equal(data.sof?.width, 5184);
    assert.equal(data.appSegments[0]?.id, 'Exif');
    assert.ok((data.embeddedJpegs.inAppSegments['Exif'] ?? 0) >= 1);
    assert.ok(codes(out).includes('embedded-jpeg'));
  });
});

describe('jpeg coding processes', () => {
  it('reports arithmetic coding and does not pretend to analyse its coefficients', async () => {
    const { out, data } = await run(fixture('jpeg', 'arithmetic-sof9-ijg-q75.jpg'));
    assert.equal(data.sof?.marker, 'SOF9');
    assert.ok(codes(out).includes('unusual-coding'));
    assert.equal(data.doubleCompression.analysed, false);
    assert.equal(out.score, undefined);
    assert.equal(out.verdict, 'inconclusive');
  });

  it('reports 12-bit extended sequential as not decoded', async () => {
    const { data } = await run(fixture('jpeg', 'extended-sof1-12bit.jpg'));
    assert.equal(data.sof?.marker, 'SOF1');
    assert.match(data.doubleCompression.reason ?? '', /12-bit/);
  });

  it('flags progressive JPEG and skips the coefficient check for it', async () => {
    const { out, data } = await run(fixture('images', 'ela_original.jpg'));
    assert.equal(data.progressive, true);
    assert.ok(codes(out).includes('progressive'));
    assert.match(data.doubleCompression.reason ?? '', /progressive/);
  });
});

describe('jpeg malformed input', () => {
  const cases: [string, string, number][] = [
    ['garbage-between-markers.jpg', 'garbage', 43],
    ['dqt-tables-cut-short.jpg', 'bad-dqt', 6],
    ['segment-length-below-two.jpg', 'bad-length', 2],
    ['dht-invalid-progressive-grey.jpg', 'bad-dht', 19],
    ['sof-component-count-past-segment.jpg', 'truncated', 2],
  ];
  for (const [file, code, offset] of cases)
    it(`${file}: partial result and a malformed finding naming offset ${offset}`, async () => {
      const { out, data } = await run(fixture('jpeg', file));
      assert.equal(out.status, 'ok');
      assert.equal(data.malformed[0]?.code, code);
      assert.equal(data.malformed[0]?.offset, offset);
      const f = out.findings!.find((x) => x.code === 'malformed');
      assert.ok(f);
      assert.match(f.message, new RegExp(`offset ${offset}\\b`));
      assert.notEqual(out.verdict, 'consistent');
    });

  it('reads 16-bit quantisation entries big-endian, even from a segment that runs past the end of the file', async () => {
    const b = await readFile(fixture('jpeg', 'dqt-16bit-length-past-eof.jpg'));
    const j = parseJpeg(b);
    const t = j.quantTables[0]!;
    assert.equal(t.bits, 16);
    assert.equal(t.id, 1);
    assert.equal(t.values[0], b.readUInt16BE(t.offset + 1));
    assert.equal(t.values[1], b.readUInt16BE(t.offset + 3)); // zig-zag index 1 is natural index 1
    assert.equal(t.values[8], b.readUInt16BE(t.offset + 5)); // zig-zag index 2 is natural index 8
    assert.deepEqual(j.problems[0], { offset: 42, code: 'truncated', message: j.problems[0]!.message });
    assert.match(j.problems[0]!.message, /claims 52739 bytes/);
  });

  it('a camera file cut inside its image data still gives tables and a truncation finding', async () => {
    const full = await readFile(fixture('images', 'canon-dslr.jpg'));
    const cut = full.subarray(0, Math.floor(full.length * 0.6));
    const out = analyseJpegBytes(cut);
    const data = out.data as Data;
    assert.equal(data.malformed[0]?.code, 'truncated');
    assert.equal(data.malformed[0]?.offset, cut.length);
    assert.ok((data.qualityEstimate ?? 0) >= 95);
    assert.ok(data.doubleCompression.blocks > 0);
    // The decoder notices the data ran out instead of inventing the missing blocks.
    assert.match(data.doubleCompression.reason ?? '', /image data ended after \d+ of 139968 MCUs/);
  });

  it('survives 400 deterministic byte mutations of a real baseline file without throwing', async () => {
    const src = await readFile(fixture('jpeg', 'restart-interval-50-adobe.jpg'));
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    let flagged = 0;
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(src);
      for (let k = 0, n = 1 + rnd(8); k < n; k++) b[rnd(b.length)] = [0xff, 0x00, 0xd8, 0xd9, 0xda, rnd(256)][rnd(6)]!;
      const out = analyseJpegBytes(b);
      assert.equal(out.status, 'ok');
      if (out.score !== undefined) assert.ok(out.score >= 0 && out.score <= 1);
      if ((out.data as Data).malformed.length > 0) flagged++;
    }
    assert.ok(flagged > 0);
  });

  it('the parser never throws on any prefix of a real file (every cut point of a small JPEG)', async () => {
    const b = await readFile(fixture('jpeg', 'baseline-ijg-q75-420.jpg'));
    for (let n = 0; n <= b.length; n += 7) {
      const out = analyseJpegBytes(b.subarray(0, n));
      assert.equal(out.status, 'ok');
    }
  });
});

describe('jpeg entropy decoder', () => {
  it('decodes every block and ends exactly at the next marker, across restart intervals', async () => {
    const files: [string, number][] = [
      [fixture('jpeg', 'baseline-ijg-q75-420.jpg'), 0],
      [fixture('jpeg', 'restart-interval-50-adobe.jpg'), 50],
      [fixture('images', 'canon-dslr.jpg'), 0],
    ];
    for (const [f, dri] of files) {
      const b = await readFile(f);
      const j = parseJpeg(b);
      assert.equal(j.restartInterval, dri, f);
      const sof = j.sof!;
      const y = sof.components[0]!;
      const hmax = Math.max(...sof.components.map((c) => c.h));
      const vmax = Math.max(...sof.components.map((c) => c.v));
      // Interleaved scans code whole MCUs, so luminance blocks = MCUs x (h x v).
      const expected = Math.ceil(sof.width / (8 * hmax)) * Math.ceil(sof.height / (8 * vmax)) * y.h * y.v;
      const h = luminanceHistograms(b, j, [1]);
      assert.ok(h.ok, f);
      assert.equal(h.hist.stoppedEarly, null, f);
      assert.equal(h.hist.blocks, expected, f);
      // A desynchronised Huffman decode fails or stops far from the marker; a correct one uses up the data.
      assert.ok(h.hist.bytesLeft >= 0 && h.hist.bytesLeft <= 2, `${f}: ${h.hist.bytesLeft} bytes left`);
      if (dri > 0) assert.equal(j.scans[0]!.restartMarkers, Math.ceil(expected / (y.h * y.v) / dri) - 1, f);
    }
  });
});

describe('jpeg trailing data', () => {
  it('names a metadata trailer (AFCP) as a warning, not an alert', async () => {
    const { out, data } = await run(fixture('jpeg', 'trailer-afcp.jpg'));
    assert.equal(data.trailing.kind, 'metadata-trailer');
    assert.equal(data.trailingBytes, 859);
    const f = out.findings!.find((x) => x.code === 'trailing-data')!;
    assert.equal(f.severity, 'warn');
    assert.match(f.message, /AFCP/);
  });

  it('treats a stray newline after EOI as padding, and another JPEG appended after EOI as an alert', async () => {
    const a = await readFile(fixture('images', 'noexif.jpg'));
    const b = await readFile(fixture('images', 'img_1771.jpg'));
    const padded = analyseJpegBytes(Buffer.concat([a, Buffer.from('\n\0\0')]));
    assert.equal((padded.data as Data).trailing.kind, 'padding');
    assert.notEqual(padded.verdict, 'suspicious');
    const appended = analyseJpegBytes(Buffer.concat([a, b]));
    const d = appended.data as Data;
    assert.equal(d.trailing.kind, 'jpeg');
    assert.equal(d.trailingBytes, b.length);
    assert.equal(d.trailing.offset, a.length);
    assert.equal(appended.verdict, 'suspicious');
    assert.equal(appended.findings!.find((f) => f.code === 'trailing-data')?.severity, 'alert');
  });
});

describe('jpeg double compression (weak signal)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verilens-jpeg-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scores a single-compressed photo low and its re-save at a higher quality above the threshold', async () => {
    const src = await readFile(fixture('images', 'img_1771.jpg'));
    const single = analyseJpegBytes(src);
    assert.equal((single.data as Data).doubleCompression.analysed, true);
    assert.ok((single.score ?? 1) < DC_THRESHOLD, `single ${single.score}`);
    assert.equal(single.scoreInfo?.strength, 'weak');
    assert.ok(codes(single).includes('no-double-compression-sign'));
    const path = join(dir, 'resaved-q90.jpg');
    await writeFile(path, await sharp(src).jpeg({ quality: 90 }).toBuffer());
    const again = analyseJpegBytes(await readFile(path));
    assert.ok((again.score ?? 0) >= DC_THRESHOLD, `re-saved ${again.score}`);
    assert.equal(again.verdict, 'suspicious');
    assert.ok(codes(again).includes('double-compression'));
    assert.match(again.scoreInfo?.method ?? '', /Popescu & Farid/);
  });

  it('cannot see a re-save at a lower quality than the original, and says the signal is weak', async () => {
    const src = await readFile(fixture('images', 'img_1771.jpg'));
    const lower = analyseJpegBytes(await sharp(src).jpeg({ quality: 60 }).toBuffer());
    assert.ok((lower.score ?? 0) < DC_THRESHOLD);
    assert.match(lower.scoreInfo?.limits ?? '', /lower quality/);
    // Resizing before the re-save breaks the 8x8 grid alignment the method relies on.
    const resized = analyseJpegBytes(await sharp(src).resize({ width: 432 }).jpeg({ quality: 90 }).toBuffer());
    assert.ok((resized.score ?? 0) < DC_THRESHOLD, `resized ${resized.score}`);
    assert.match(resized.scoreInfo?.limits ?? '', /resizing/);
  });
});

describe('jpeg analyzer in the runner', () => {
  it('runs on JPEG evidence through the engine and does not apply to other formats', async () => {
    const r = await analyzeFile(fixture('jpeg', 'baseline-ijg-q75-420.jpg'), {
      analyzers: [jpegAnalyzer],
      artifacts: new MemoryArtifactStore(),
    });
    assert.equal(r.analyzers['jpeg']?.status, 'ok');
    assert.equal((r.analyzers['jpeg']?.data as Data).qualityEstimate, 75);
    const png = await analyzeFile(fixture('images', 'png_png_with_exif_and_gps.png'), {
      analyzers: [jpegAnalyzer],
      artifacts: new MemoryArtifactStore(),
    });
    assert.equal(png.analyzers['jpeg']?.status, 'not-applicable');
  });

  it('recognises a C2PA manifest in APP11', async () => {
    const { out, data } = await run(fixture('jpeg', 'app11-c2pa-ijg-q92.jpg'));
    assert.deepEqual(
      data.appSegments.map((s) => `${s.marker}:${s.id}`),
      ['APP0:JFIF', ...data.appSegments.slice(1).map(() => 'APP11:C2PA')],
    );
    assert.ok(codes(out).includes('c2pa-present'));
    assert.equal(data.standardQuality, 92);
  });

  it('decodes in slices that yield to the event loop, gives the same result, and stops on cancellation', async () => {
    const b = await readFile(fixture('images', 'canon-dslr.jpg'));
    const sliced = await analyseJpegBytesAsync(b, new AbortController().signal);
    assert.deepEqual(sliced, analyseJpegBytes(b));
    const ac = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 2) ac.abort(new Error('cancelled by the test'));
    }, 1);
    try {
      await assert.rejects(analyseJpegBytesAsync(b, ac.signal), /cancelled by the test/);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 2, 'timers ran while decoding, so the event loop was not blocked');
  });

  it('lists every APPn segment in order with its identifier, and reads the comment', async () => {
    const { out, data } = await run(fixture('jpeg', 'many-app-segments-exiftool.jpg'));
    const ids = data.appSegments.map((s) => s.id);
    for (const id of ['Exif', 'JFIF', 'XMP', 'ICC_PROFILE', 'FPXR', 'MPF', 'JUMBF', 'Ducky', 'Photoshop IRB', 'Adobe'])
      assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
    assert.ok(ids.indexOf('Exif') < ids.indexOf('JFIF'), 'file order kept (this file puts Exif first)');
    const offsets = data.appSegments.map((s) => s.offset);
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
    );
    assert.deepEqual(data.comments, ['a comment']);
    assert.ok(codes(out).includes('comment'));
    assert.ok(codes(out).includes('jumbf-present'));
    assert.ok(codes(out).includes('adobe-save-for-web'));
    assert.equal(data.trailing.kind, 'metadata-trailer');
  });

  it('parses APPn identifiers in file order with offsets and lengths', async () => {
    const b = await readFile(fixture('images', 'img_1771.jpg'));
    const j = parseJpeg(b);
    const apps = j.segments.filter((s) => s.marker.startsWith('APP'));
    assert.ok(apps.length >= 1);
    for (const s of apps) assert.equal(b.readUInt16BE(s.offset + 2), s.length);
    assert.deepEqual(
      apps.slice(0, 2).map((s) => s.id),
      ['JFIF', 'Exif'],
    );
  });
});
