import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeMetadata } from '../../src/analyzers/metadata/index.js';
import { openEvidence } from '../../src/evidence/intake.js';
import { corpus, fixture, needCorpus } from '../helpers.js';

const exiftoolMissing = ((): string | false => {
  try {
    execFileSync('exiftool', ['-ver'], { stdio: 'pipe' });
    return false;
  } catch {
    return 'exiftool is not installed, so there is no reference to cross-check against';
  }
})();

interface ExifToolRow {
  SourceFile: string;
  Make?: string | number;
  Model?: string | number;
  DateTimeOriginal?: string;
  ModifyDate?: string;
  GPSLatitude?: number | string;
  GPSLongitude?: number | string;
}

/** Cross-check camera identity, dates and GPS with exiftool on real camera files. */
async function crossCheck(files: string[]): Promise<number> {
  const rows = JSON.parse(
    execFileSync('exiftool', ['-json', '-n', '-q', '-q', '-IFD0:Make', '-IFD0:Model', '-ExifIFD:DateTimeOriginal', '-IFD0:ModifyDate', '-GPS:GPSLatitude', '-GPS:GPSLongitude', ...files], { maxBuffer: 64 << 20 }).toString(),
  ) as ExifToolRow[];
  let checked = 0;
  for (const row of rows) {
    const ev = await openEvidence(row.SourceFile);
    const r = await analyzeMetadata(ev.bytes!, ev.info, { thumbnail: false });
    const d = r.data;
    const name = row.SourceFile;
    assert.equal(d['make'], row.Make === undefined ? null : String(row.Make).trim(), `${name} make`);
    assert.equal(d['model'], row.Model === undefined ? null : String(row.Model).trim(), `${name} model`);
    // Without an offset our value is exiftool's raw string; with one it starts with the same wall clock.
    const wall = (v: unknown): string | null => (typeof v === 'string' ? v.replace(/^(\d{4})-(\d{2})-(\d{2})T/u, '$1:$2:$3 ').slice(0, 19) : null);
    if (row.DateTimeOriginal) assert.equal(wall(d['dateTimeOriginal']), row.DateTimeOriginal.slice(0, 19), `${name} DateTimeOriginal`);
    if (row.ModifyDate) assert.equal(wall(d['modifyDate']), row.ModifyDate.slice(0, 19), `${name} ModifyDate`);
    const gps = d['gps'] as { latitude: number; longitude: number } | null;
    if (typeof row.GPSLatitude === 'number' && typeof row.GPSLongitude === 'number') {
      assert.ok(gps, `${name} gps`);
      assert.ok(Math.abs(Math.abs(gps.latitude) - Math.abs(row.GPSLatitude)) < 1e-6, `${name} latitude ${gps.latitude} vs ${row.GPSLatitude}`);
      assert.ok(Math.abs(Math.abs(gps.longitude) - Math.abs(row.GPSLongitude)) < 1e-6, `${name} longitude`);
    }
    checked++;
  }
  return checked;
}

describe('metadata vs exiftool -json -n', { skip: exiftoolMissing }, () => {
  it('agrees on make, model, dates and GPS for the fixtures', async () => {
    const n = await crossCheck(['img_1771.jpg', 'canon-dslr.jpg', 'ela_modified.jpg', 'png_png_with_exif_and_gps.png', 'Bush-dog.tif', 'heic-single.heic'].map((f) => fixture('images', f)));
    assert.equal(n, 6);
  });

  it('agrees on the camera files of the shared corpus', { skip: needCorpus }, async () => {
    const dir = corpus('camera', 'exifr_fixtures');
    const files = readdirSync(dir)
      .filter((f) => /\.(jpe?g|heic|tiff?)$/iu.test(f) && !/maybebroken|RangeError|broken1/iu.test(f))
      .map((f) => join(dir, f));
    const n = await crossCheck(files);
    assert.ok(n >= 40, `checked ${n}`);
  });
});

describe('metadata on generator outputs and malformed files (shared corpus)', { skip: needCorpus }, () => {
  it('alerts on every generator PNG with parameters and stays quiet on stripped ones', async () => {
    const dir = corpus('ai-generated', 'sd-metadata');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.png'))) {
      const ev = await openEvidence(join(dir, f));
      const r = await analyzeMetadata(ev.bytes!, ev.info, { thumbnail: false });
      const stripped = ['empty.png', 'gimp.png', 'chatgpt-image2.png', 'gemini_3.1pro.png'].includes(f);
      assert.equal(r.verdict === 'suspicious', !stripped, `${f}: ${r.findings.map((x) => x.code).join(' ')}`);
    }
  });

  it('never throws on malformed files', async () => {
    const roots = [corpus('malformed', 'go_fuzz_corpus'), corpus('malformed', 'pngsuite'), corpus('camera', 'exiftool_t_images')];
    let n = 0;
    for (const root of roots) {
      const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).slice(0, 400);
      for (const e of files) {
        let ev;
        try {
          ev = await openEvidence(join(e.parentPath, e.name));
        } catch {
          continue; // intake refused it (unsupported/empty); not this analyzer's business
        }
        if (!ev.bytes) continue;
        const r = await analyzeMetadata(ev.bytes, ev.info);
        assert.ok(['consistent', 'inconclusive', 'suspicious'].includes(r.verdict));
        JSON.stringify(r.data);
        n++;
      }
    }
    assert.ok(n > 50, `swept ${n}`);
  });
});
