import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { okData, type ProvenanceData, type ResultOf } from '../../src/contract/analyzers/index.js';
import type { AnalysisDocument } from '../../src/contract/results.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { analyzeProvenance, DEFAULTS, provenanceAnalyzer, type ProvenanceResult } from '../../src/analyzers/provenance/index.js';
import { C2paHost, c2paHost } from '../../src/analyzers/provenance/c2pa-reader.js';
import { buildTrust, bundledTrust, TRUST_DIR_REL } from '../../src/analyzers/provenance/trust.js';
import { dataOf, fixture, ROOT } from '../helpers.js';
import { runCli } from '../cli-helpers.js';

const c2 = (f: string): string => fixture('provenance', 'c2pa', f);
const HAVE_EXIFTOOL = spawnSync('exiftool', ['-ver']).status === 0;
const needExiftool: string | false = HAVE_EXIFTOOL ? false : 'exiftool not installed (apt-get install libimage-exiftool-perl)';

after(() => c2paHost(bundledTrust().settingsJson).close());

async function run(path: string): Promise<{ a: ResultOf<'provenance'> | undefined; d: ProvenanceData | undefined; error?: string; ms: number }> {
  const t0 = performance.now();
  const r = await analyzeFile(path, { analyzers: [provenanceAnalyzer], artifacts: new MemoryArtifactStore() });
  return { a: r.analyzers.provenance, d: okData(r.analyzers, 'provenance'), ...(r.error ? { error: r.error.code } : {}), ms: performance.now() - t0 };
}
const c2paOf = (a: ResultOf<'provenance'>): ProvenanceData['c2pa'] => dataOf({ provenance: a }, 'provenance').c2pa;
const alerts = (a: { findings: { severity: string; code: string }[] }): string[] => a.findings.filter((f) => f.severity === 'alert').map((f) => f.code);

async function onBytes(bytes: Buffer, format: string): Promise<ProvenanceResult> {
  return analyzeProvenance(bytes, { format, kind: 'image', bytes: bytes.length }, { ...DEFAULTS });
}

/** Offsets of JPEG APP11 (JUMBF) segments. */
function app11(b: Buffer): number[] {
  const out: number[] = [];
  let p = 2;
  while (p + 4 <= b.length && b[p] === 0xff && b[p + 1] !== 0xda) {
    if (b[p + 1] === 0xeb) out.push(p);
    p += 2 + b.readUInt16BE(p + 2);
  }
  return out;
}

function crc32(b: Buffer): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

/** `depth` JUMBF superboxes nested inside each other, each with a c2pa description box. */
function nestedJumbf(depth: number): Buffer {
  const jumd = Buffer.concat([Buffer.alloc(4), Buffer.from('jumd'), Buffer.from('6332706100110010800000aa00389b71', 'hex'), Buffer.from([3]), Buffer.from('c2pa\0')]);
  jumd.writeUInt32BE(jumd.length, 0);
  const unit = 8 + jumd.length;
  const out = Buffer.alloc(unit * depth);
  for (let i = 0; i < depth; i++) {
    const off = i * unit;
    out.writeUInt32BE(unit * (depth - i), off);
    out.write('jumb', off + 4, 'latin1');
    jumd.copy(out, off + 8);
  }
  return out;
}

describe('provenance: hostile C2PA data gives a clear result in bounded time', () => {
  const ca = readFileSync(c2('CA.jpg'));
  const png = readFileSync(c2('trustnxt-icon.png'));
  const first = app11(ca)[0]!;
  const boxAt = first + 4 + 8; // APP11: marker, length, 'JP', instance, sequence, then the JUMBF box
  const hostile: [string, string, () => Buffer][] = [
    ['truncated inside the JUMBF', 'jpeg', () => ca.subarray(0, first + 3000)],
    ['a description box claiming 2 GB', 'jpeg', () => {
      const b = Buffer.from(ca);
      b.writeUInt32BE(0x7fffffff, boxAt + 8);
      return b;
    }],
    ['a superbox with a 64-bit length of 256 TB', 'jpeg', () => {
      const b = Buffer.from(ca);
      b.writeUInt32BE(1, boxAt);
      b.writeBigUInt64BE(0xffffffffffffn, boxAt + 8);
      return b;
    }],
    ['100 000 nested superboxes (PNG caBX)', 'png', () => Buffer.concat([png.subarray(0, 33), pngChunk('caBX', nestedJumbf(100_000)), png.subarray(33)])],
    ['a caBX chunk that runs past the end of the file', 'png', () => {
      const chunk = pngChunk('caBX', nestedJumbf(3));
      chunk.writeUInt32BE(0x7ffffff0, 0);
      return Buffer.concat([png.subarray(0, 33), chunk]);
    }],
  ];
  for (const [what, format, make] of hostile) {
    it(`${what}: broken manifest alert, no crash`, async () => {
      const t0 = performance.now();
      const r = await onBytes(make(), format);
      const c = r.data.c2pa;
      assert.ok(performance.now() - t0 < 10_000);
      assert.equal(c.present, true, 'the embedded store is still reported');
      assert.equal(c.validationState, 'invalid');
      assert.ok(c.integrityFailures.length > 0);
      assert.ok((c.readerError ?? '').length > 5, 'the reason is given');
      assert.ok(alerts(r).includes('c2pa-unreadable'));
      assert.equal(r.verdict, 'suspicious');
    });
  }

  it('stops a read that overruns its timeout, reports it, and recovers for the next file', async () => {
    const host = new C2paHost(bundledTrust().settingsJson);
    try {
      const slow = await host.read('image/jpeg', ca, { timeoutMs: 1 });
      assert.equal(slow.ok, false);
      assert.equal(slow.stopped, 'timeout');
      assert.match(slow.ok ? '' : slow.error, /did not finish within 1 ms/);
      const ac = new AbortController();
      ac.abort();
      const cancelled = await host.read('image/jpeg', ca, { timeoutMs: 20_000, signal: ac.signal });
      assert.equal(cancelled.stopped, 'cancelled');
      const ok = await host.read('image/jpeg', ca, { timeoutMs: 20_000 });
      assert.equal(ok.ok, true);
      assert.equal(ok.isolation, 'worker');
    } finally {
      await host.close();
    }
  });
});

describe('provenance: bundled trust lists are pinned', () => {
  it('refuses an altered list, says so, and no longer calls its signers trusted', async () => {
    const dir = join(ROOT, TRUST_DIR_REL);
    const altered = buildTrust(dir, (p) => {
      const b = readFileSync(p);
      return basename(p) === 'interim-anchors.pem' ? Buffer.concat([b, Buffer.from('\n# appended\n')]) : b;
    });
    assert.deepEqual(altered.lists.map((l) => l.id), ['c2pa-trust-list', 'c2pa-tsa-trust-list']);
    assert.match(altered.problems[0] ?? '', /interim-anchors\.pem does not match its pinned SHA-256/);
    const bytes = readFileSync(c2('ocsp.jpg'));
    const r = await analyzeProvenance(bytes, { format: 'jpeg', kind: 'image', bytes: bytes.length }, { ...DEFAULTS, trust: altered });
    assert.equal(r.data.c2pa.validationState, 'valid');
    assert.ok(r.findings.some((f) => f.code === 'c2pa-trust-lists-unavailable' && f.severity === 'warn'));
    await c2paHost(altered.settingsJson).close();
  });

  it('bundles exactly the pinned files with their licences', () => {
    const t = buildTrust(join(ROOT, TRUST_DIR_REL));
    assert.deepEqual(t.problems, []);
    assert.equal(t.lists.length, 3);
    const names = readdirSync(join(ROOT, TRUST_DIR_REL));
    for (const n of ['LICENSE-conformance-public-CC-BY-4.0.txt', 'LICENSE-APACHE-verify-site.txt', 'README.md']) assert.ok(names.includes(n), n);
  });
});

describe('provenance: declarations written by a real tool (exiftool) into a camera photo copy', { skip: needExiftool }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'verilens-prov-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const make = (name: string, args: string[]): string => {
    const p = join(tmp, name);
    copyFileSync(fixture('images', 'canon-dslr.jpg'), p);
    execFileSync('exiftool', ['-q', '-overwrite_original', ...args, p]);
    return p;
  };

  it('alerts on an IPTC/XMP DigitalSourceType of trainedAlgorithmicMedia', async () => {
    const { a, d } = await run(make('dst-ai.jpg', ['-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia']));
    assert.ok(a);
    assert.ok(alerts(a).includes('iptc-declares-ai'));
    assert.deepEqual(d?.declarations.digitalSourceTypes, ['trainedAlgorithmicMedia']);
    assert.equal(a.verdict, 'suspicious');
  });

  it('does not alert on a declared digital capture', async () => {
    const { a } = await run(make('dst-capture.jpg', ['-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture']));
    assert.ok(a);
    assert.deepEqual(alerts(a), []);
  });

  it('reads A1111 parameters from a UTF-16 EXIF UserComment', async () => {
    const text = 'a portrait テスト\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Model: sd15, Version: v1.6.0';
    const { d } = await run(make('usercomment.jpg', [`-UserComment=${text}`]));
    const g = d?.generator;
    assert.ok(g);
    assert.equal(g.name, 'AUTOMATIC1111 Stable Diffusion web UI');
    assert.match(g.evidence, /^EXIF UserComment: /);
    assert.equal(g.prompt, 'a portrait テスト');
  });

  it('reads generation settings that a tool left in XMP (exif:UserComment)', async () => {
    const text = 'castle at dusk\nSteps: 30, Sampler: DPM++ 2M, CFG scale: 6, Seed: 7, Size: 768x768, App: SD.Next, Version: abc123';
    const { d } = await run(make('xmp-usercomment.jpg', [`-XMP-exif:UserComment=${text}`]));
    const g = d?.generator;
    assert.ok(g);
    assert.equal(g.name, 'SD.Next');
    assert.match(g.evidence, /^XMP UserComment: /);
    assert.equal(g.prompt, 'castle at dusk');
  });
});

describe('provenance: the real CLI', () => {
  it('prints the provenance result in --json', async () => {
    const r = await runCli(['analyze', '--json', '--only', 'provenance', c2('E-sig-CA.jpg')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as AnalysisDocument;
    const a = doc.results[0]?.analyzers.provenance;
    assert.equal(a?.verdict, 'suspicious');
    assert.equal(c2paOf(a!).validationState, 'invalid');
    assert.equal(c2paOf(a!).integrityFailures[0]?.code, 'claimSignature.mismatch');
    const reader = c2paOf(a!).reader;
    assert.equal(reader.ran && reader.isolation, 'worker');
  });
});
