import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { analyzeMetadata, metadataAnalyzer } from '../../src/analyzers/metadata/index.js';
import { parseDate } from '../../src/analyzers/metadata/dates.js';
import { toJsonSafe } from '../../src/analyzers/metadata/json-safe.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { openEvidence } from '../../src/evidence/intake.js';
import { fixture } from '../helpers.js';

const NOW = Date.UTC(2026, 10, 23);
const exiftoolMissing = ((): string | false => {
  try {
    execFileSync('exiftool', ['-ver'], { stdio: 'pipe' });
    return false;
  } catch {
    return 'exiftool is not installed; it is needed to make the altered copies these tests check';
  }
})();

async function run(path: string): Promise<Awaited<ReturnType<typeof analyzeMetadata>>> {
  const ev = await openEvidence(path);
  return analyzeMetadata(ev.bytes!, ev.info, { now: NOW });
}
const codes = (r: { findings: Array<{ code: string; severity: string }> }): string[] => r.findings.map((f) => `${f.severity}:${f.code}`);

const tmp = mkdtempSync(join(tmpdir(), 'verilens-metadata-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Copy a real fixture into the temp dir and rewrite tags with exiftool; the name says what was altered. */
function altered(name: string, from: string, args: string[]): string {
  const out = join(tmp, name);
  writeFileSync(out, readFileSync(from));
  execFileSync('exiftool', ['-q', '-m', '-overwrite_original', ...args, out], { stdio: 'pipe' });
  return out;
}

describe('metadata: extraction on real camera files', () => {
  it('reads make, model, dates, orientation and grouped tags of a Canon photo, JSON-safe', async () => {
    const r = await run(fixture('images', 'img_1771.jpg'));
    assert.equal(r.data['make'], 'Canon');
    assert.equal(r.data['model'], 'Canon PowerShot S40');
    // No OffsetTime tags: the raw EXIF string is kept, never converted to UTC.
    assert.equal(r.data['dateTimeOriginal'], '2003:12:14 12:01:44');
    assert.equal(r.data['modifyDate'], '2003:12:14 12:01:44');
    assert.equal(r.data['orientation'], 1);
    assert.equal(r.data['hasThumbnail'], true);
    const tags = r.data['tags'] as Record<string, Record<string, unknown>>;
    for (const g of ['ifd0', 'exif', 'jfif', 'makerNote']) assert.ok(tags[g], `group ${g} present`);
    assert.deepEqual(Object.keys(tags['makerNote']!).sort(), ['bytes', 'hexHead']);
    assert.deepEqual(JSON.parse(JSON.stringify(r.data)), r.data);
    // The photo was downsized for exifr's fixtures while the camera's EXIF size stayed: a warning,
    // so the metadata no longer reads as an untouched capture.
    assert.ok(codes(r).includes('warn:exif-dimensions-mismatch'));
    assert.equal(r.verdict, 'inconclusive');
  });

  it('keeps the UTC offset of an iPhone HEIC in ISO form and reports GPS with altitude', async () => {
    const ev = await openEvidence(fixture('images', 'heic-single.heic'));
    const r0 = await analyzeMetadata(ev.bytes!, ev.info, { now: NOW });
    assert.equal(r0.verdict, 'inconclusive', 'heic-single has no metadata');
    const r = await run(fixture('images', 'png_png_with_exif_and_gps.png'));
    const gps = r.data['gps'] as { latitude: number; longitude: number };
    assert.ok(Math.abs(gps.latitude - 50.2996027777778) < 1e-6);
    assert.ok(Math.abs(gps.longitude - 14.8202944444444) < 1e-6);
    assert.ok(codes(r).includes('info:gps-present'));
    // EXIF capture time 2003 but GPS time 2018: exifr's test file combines two photos.
    assert.ok(codes(r).includes('warn:gps-time-mismatch'));
  });

  it('parses dates without time-zone guesses', () => {
    const a = parseDate('x', '2019:10:20 18:34:30', '+02:00');
    assert.equal(a.display, '2019-10-20T18:34:30+02:00');
    assert.equal(a.utcMs, Date.UTC(2019, 9, 20, 16, 34, 30));
    const b = parseDate('x', '2019:10:20 18:34:30');
    assert.equal(b.display, '2019:10:20 18:34:30');
    assert.equal(b.utcMs, null);
    assert.equal(parseDate('x', '2019:02:30 10:00:00').valid, false);
    assert.equal(parseDate('x', '0000:00:00 00:00:00').invalidReason?.startsWith('blank'), true);
  });

  it('makes binary, dates and huge values JSON-safe and says what it cut', () => {
    const v = toJsonSafe({ d: new Date(Date.UTC(2020, 0, 1)), b: new Uint8Array(1000), s: 'x'.repeat(5000), a: Array.from({ length: 100 }, (_, i) => i) }) as Record<string, unknown>;
    assert.equal(v['d'], '2020-01-01T00:00:00.000Z');
    assert.deepEqual(v['b'], { bytes: 1000, hexHead: '00'.repeat(32) });
    assert.match(String(v['s']), /truncated, 5000 characters/u);
    assert.match(String((v['a'] as unknown[])[64]), /36 more items cut/u);
  });
});

describe('metadata: red flags on real files', () => {
  it('warns on Photoshop in Software and XMP History (Bush-dog.tif)', async () => {
    const r = await run(fixture('images', 'Bush-dog.tif'));
    const f = r.findings.find((x) => x.code === 'software-editor');
    assert.ok(f);
    assert.equal(f.severity, 'warn');
    assert.match(f.message, /Adobe Photoshop/u);
    assert.equal(r.verdict, 'inconclusive', 'an editor named in the metadata is never consistent');
  });

  it('warns on GIMP and reports GPS coordinates (ela_modified.jpg)', async () => {
    const r = await run(fixture('images', 'ela_modified.jpg'));
    assert.ok(r.findings.some((x) => x.code === 'software-editor' && /GIMP/u.test(x.message)));
    const gps = r.data['gps'] as { latitude: number; longitude: number; altitude: number };
    assert.ok(Math.abs(gps.latitude - -23.5226029444444) < 1e-6);
    assert.ok(Math.abs(gps.longitude - -47.5044985) < 1e-6);
    assert.equal(gps.altitude, 605);
    assert.equal(r.data['gpsImpliedOffset'], '-03:00');
  });

  it('says stripped metadata is common after messaging apps (noexif.jpg), verdict inconclusive', async () => {
    const r = await run(fixture('images', 'noexif.jpg'));
    assert.deepEqual(codes(r), ['info:metadata-stripped']);
    assert.match(r.findings[0]!.message, /messaging apps/u);
    assert.equal(r.verdict, 'inconclusive');
  });

  it('flags capture times stored with different UTC offsets (broken1.jpg)', async () => {
    const r = await run(fixture('metadata', 'timezone-mismatch_broken1.jpg'));
    const f = r.findings.find((x) => x.code === 'timezone-mismatch');
    assert.ok(f, codes(r).join(' '));
    assert.match(f.message, /\+01:00/u);
    assert.match(f.message, /\+02:00/u);
    assert.ok(codes(r).includes('info:gps-incomplete'));
  });

  it('alerts when the kept camera thumbnail shows an uncropped picture (issue-exifr-41)', async () => {
    const r = await run(fixture('metadata', 'thumbnail-cropped_issue-exifr-41.jpg'));
    assert.ok(codes(r).includes('alert:thumbnail-aspect-mismatch'), codes(r).join(' '));
    assert.equal(r.verdict, 'suspicious');
    const t = r.data['thumbnail'] as { aspectDifference: number; correlation: number; meanAbsDiff: number };
    assert.ok(t.aspectDifference > 0.5);
    assert.equal(typeof t.correlation, 'number');
  });

  it('keeps a genuine thumbnail quiet and reports its figures (img_1771.jpg)', async () => {
    const r = await run(fixture('images', 'img_1771.jpg'));
    const t = r.data['thumbnail'] as { correlation: number; meanAbsDiff: number; comparable: boolean };
    assert.equal(t.comparable, true);
    assert.ok(t.correlation > 0.95, String(t.correlation));
    assert.ok(t.meanAbsDiff < 10, String(t.meanAbsDiff));
    assert.ok(!codes(r).some((c) => c.includes('thumbnail')));
  });
});

describe('metadata: red flags on altered copies of a real photo (made here with exiftool/sharp)', { skip: exiftoolMissing }, () => {
  const src = fixture('images', 'img_1771.jpg');

  it('date-original-after-modify', async () => {
    const p = altered('altered-dto-after-modify.jpg', src, ['-DateTimeOriginal=2010:05:01 10:00:00', '-ModifyDate=2005:01:01 10:00:00']);
    const r = await run(p);
    assert.ok(codes(r).includes('warn:date-original-after-modify'), codes(r).join(' '));
  });

  it('date-before-digital and date-in-future', async () => {
    const p = altered('altered-dates-1985-2099.jpg', src, ['-DateTimeOriginal=1985:05:01 10:00:00', '-ModifyDate=2099:01:01 10:00:00']);
    const r = await run(p);
    assert.ok(codes(r).includes('warn:date-before-digital'), codes(r).join(' '));
    assert.ok(codes(r).includes('warn:date-in-future'), codes(r).join(' '));
  });

  it('date-invalid', async () => {
    // exiftool refuses to write a month 13, so patch the EXIF bytes in place (same length).
    const bytes = readFileSync(src);
    const from = Buffer.from('2003:12:14 12:01:44');
    let n = 0;
    for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1), n++) bytes.write('2003:13:14', i, 'latin1');
    assert.ok(n >= 1);
    const p = join(tmp, 'altered-dates-month-13.jpg');
    writeFileSync(p, bytes);
    const r = await run(p);
    assert.ok(codes(r).includes('warn:date-invalid'), codes(r).join(' '));
  });

  it('camera-make-model-missing', async () => {
    const p = altered('altered-no-make-model.jpg', src, ['-Make=', '-Model=']);
    const r = await run(p);
    assert.ok(codes(r).includes('warn:camera-make-model-missing'), codes(r).join(' '));
    assert.equal(r.data['make'], null);
  });

  it('software-generator alerts (Stable Diffusion in Software)', async () => {
    const p = altered('altered-software-stable-diffusion.jpg', src, ['-Software=Stable Diffusion XL 1.0']);
    const r = await run(p);
    assert.ok(codes(r).includes('alert:software-generator'), codes(r).join(' '));
    assert.equal(r.verdict, 'suspicious');
  });

  it('timezone-mismatch between OffsetTimeOriginal and OffsetTimeDigitized; ISO with offset in data', async () => {
    const p = altered('altered-offsets-disagree.jpg', src, ['-OffsetTimeOriginal=+02:00', '-OffsetTimeDigitized=-05:00']);
    const r = await run(p);
    assert.ok(codes(r).includes('warn:timezone-mismatch'), codes(r).join(' '));
    assert.equal(r.data['dateTimeOriginal'], '2003-12-14T12:01:44+02:00');
  });

  it('thumbnail-mismatch when the main picture is edited and the old thumbnail kept', async () => {
    const thumb = execFileSync('exiftool', ['-b', '-ThumbnailImage', src]);
    const edited = await sharp(readFileSync(src)).flop().blur(4).jpeg({ quality: 90 }).toBuffer();
    const p = join(tmp, 'altered-main-edited-thumbnail-kept.jpg');
    writeFileSync(p, edited);
    const thumbPath = join(tmp, 'thumb.jpg');
    writeFileSync(thumbPath, thumb);
    execFileSync('exiftool', ['-q', '-m', '-overwrite_original', '-tagsfromfile', src, '-all:all', `-ThumbnailImage<=${thumbPath}`, p], { stdio: 'pipe' });
    const r = await run(p);
    assert.ok(codes(r).includes('alert:thumbnail-mismatch'), codes(r).join(' ') + JSON.stringify(r.data['thumbnail']));
  });
});

describe('metadata: hostile input and the analyzer contract', () => {
  it('a truncated JPEG gives a result, never a throw', async () => {
    const bytes = readFileSync(fixture('images', 'img_1771.jpg')).subarray(0, 3000);
    const r = await analyzeMetadata(bytes, { sha256: '', bytes: bytes.length, type: 'image/jpeg', kind: 'image', format: 'jpeg' }, { now: NOW });
    assert.ok(['consistent', 'inconclusive', 'suspicious'].includes(r.verdict));
    assert.deepEqual(JSON.parse(JSON.stringify(r.data)), r.data);
  });

  it('garbage after a JPEG header gives a result, never a throw', async () => {
    const junk = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]), Buffer.from('Exif\0\0MM\0*\0\0\0\x08\xff\xff'), Buffer.alloc(5000, 0xab)]);
    const r = await analyzeMetadata(junk, { sha256: '', bytes: junk.length, type: 'image/jpeg', kind: 'image', format: 'jpeg' }, { now: NOW });
    assert.ok(r.findings.length >= 1);
  });

  it('runs through the engine runner with provenance and JSON-safe data', async () => {
    const res = await analyzeFile(fixture('images', 'canon-dslr.jpg'), { analyzers: [metadataAnalyzer], artifacts: new MemoryArtifactStore() });
    const m = res.analyzers['metadata']!;
    assert.equal(m.status, 'ok', JSON.stringify(m.error));
    assert.equal(m.data['make'], 'Canon');
    assert.equal(m.data['model'], 'Canon EOS 1300D');
    assert.equal(m.provenance.analyzer, 'metadata');
    assert.equal(res.integrity?.unchanged, true);
  });
});

describe('metadata: verdict rule', () => {
  it('calls metadata with no warning consistent, and any warning inconclusive', async () => {
    const clean = await run(fixture('faces', 'image_T1.jpg'));
    assert.deepEqual(clean.findings.filter((f) => f.severity !== 'info'), []);
    assert.equal(clean.verdict, 'consistent');
    const resized = await run(fixture('images', 'img_1771.jpg'));
    assert.ok(resized.findings.some((f) => f.severity === 'warn'), 'img_1771 has a warning');
    assert.equal(resized.verdict, 'inconclusive');
  });
});
