import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { DC_THRESHOLD, analyseJpegBytes } from '../../src/analyzers/jpeg/index.js';
import { corpus, needCorpus } from '../helpers.js';

const jpegsIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => /\.jpe?g$/i.test(f))
    .map((f) => join(dir, f));

describe('jpeg analyzer on the shared corpus', { skip: needCorpus }, () => {
  it('gives a JSON-safe result for every go-fuzz JPEG, with a malformed finding naming an offset when broken', () => {
    const files = jpegsIn(corpus('malformed', 'go_fuzz_corpus', 'jpeg'));
    assert.ok(files.length > 200);
    let malformed = 0;
    for (const f of files) {
      const out = analyseJpegBytes(readFileSync(f));
      assert.equal(out.status, 'ok', f);
      assert.deepEqual(JSON.parse(JSON.stringify(out.data)), out.data, f);
      const m = out.findings?.find((x) => x.code === 'malformed');
      if (m) {
        malformed++;
        assert.match(m.message, /at offset \d+/, f);
        assert.notEqual(out.verdict, 'consistent', f);
      }
      if (out.score !== undefined) assert.ok(out.score >= 0 && out.score <= 1 && out.scoreInfo, f);
    }
    assert.ok(malformed > 100, `${malformed} malformed`);
  });

  it('agrees with exiftool on coding process and subsampling for camera files', () => {
    const dir = corpus('camera', 'exifr_fixtures');
    const names = ['canon-dslr.jpg', 'IMG_20180725_163423-tiny.jpg', 'empty-imagedesc-in-ifd0.jpg', 'Bush-dog.jpg', 'broken1.jpg'];
    const ex = JSON.parse(
      execFileSync('exiftool', ['-j', '-EncodingProcess', '-YCbCrSubSampling', ...names.map((n) => join(dir, n))], { encoding: 'utf8' }),
    ) as {
      EncodingProcess?: string;
      YCbCrSubSampling?: string;
    }[];
    names.forEach((n, i) => {
      const d = analyseJpegBytes(readFileSync(join(dir, n))).data as { progressive: boolean; subsampling: string | null };
      const e = ex[i]!;
      assert.equal(d.progressive, /Progressive/.test(e.EncodingProcess ?? ''), n);
      if (e.YCbCrSubSampling)
        assert.ok(e.YCbCrSubSampling.includes(d.subsampling ?? '?'), `${n}: ${e.YCbCrSubSampling} vs ${d.subsampling}`);
    });
  });

  it('keeps single-compressed raw-converter photos below the threshold and flags their re-saves at quality 95', async () => {
    // KPhotoAlbum demo photos: written once by a raw converter at IJG quality 80 (measured only, not copied).
    const files = jpegsIn(corpus('faces', 'real-kphotoalbum'));
    let flagged = 0;
    for (const f of files) {
      const src = readFileSync(f);
      const single = analyseJpegBytes(src);
      assert.ok((single.score ?? 0) < DC_THRESHOLD, `${f}: ${single.score}`);
      const resaved = analyseJpegBytes(await sharp(src).jpeg({ quality: 95 }).toBuffer());
      if ((resaved.score ?? 0) >= DC_THRESHOLD) flagged++;
    }
    assert.equal(flagged, files.length, `${flagged}/${files.length} re-saves flagged`);
  });
});
