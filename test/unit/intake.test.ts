import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { openEvidence } from '../../src/evidence/intake.js';
import { fixture } from '../helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'verilens-intake-'));

describe('evidence intake', () => {
  it('hashes the exact bytes and reads size and orientation without changing the file', async () => {
    const p = fixture('images', 'canon-dslr.jpg');
    const before = statSync(p);
    const ev = await openEvidence(p);
    const expected = createHash('sha256').update(readFileSync(p)).digest('hex');
    assert.equal(ev.info.sha256, expected);
    assert.equal(ev.info.bytes, before.size);
    assert.equal(ev.info.type, 'image/jpeg');
    assert.ok(ev.info.width && ev.info.height);
    const after = statSync(p);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(after.size, before.size);
  });

  it('applies EXIF orientation to the display size', async () => {
    const ev = await openEvidence(fixture('images', 'orientation_f6t.jpg'));
    assert.equal(ev.info.orientation, 6);
    assert.equal(ev.info.displayWidth, ev.info.height);
    assert.equal(ev.info.displayHeight, ev.info.width);
  });

  it('detects the type from content even when the extension lies', async () => {
    const p = join(scratch, 'really-a-jpeg.png');
    writeFileSync(p, readFileSync(fixture('images', 'noexif.jpg')));
    const ev = await openEvidence(p);
    assert.equal(ev.info.type, 'image/jpeg');
  });

  it('refuses unsupported, empty and missing files with a coded error naming the file', async () => {
    const pdf = join(scratch, 'doc.jpg');
    writeFileSync(pdf, '%PDF-1.4\n%fake');
    await assert.rejects(openEvidence(pdf), (e: Error & { code: string }) => e.code === 'unsupported-type' && e.message.includes(pdf) && /PDF/.test(e.message));
    const empty = join(scratch, 'empty.jpg');
    writeFileSync(empty, '');
    await assert.rejects(openEvidence(empty), { code: 'empty' });
    await assert.rejects(openEvidence(join(scratch, 'nope.jpg')), { code: 'not-found' });
    await assert.rejects(openEvidence(scratch), { code: 'not-a-file' });
  });

  it('stops a decompression bomb at the header, before decoding', async () => {
    // A 6000x5000 PNG of one colour compresses to ~90 KB but decodes to 90 MB; with a 10 MP limit it is a bomb.
    const bomb = join(scratch, 'bomb.png');
    const png = await sharp({ create: { width: 6000, height: 5000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
    writeFileSync(bomb, png);
    assert.ok(png.length < 200_000);
    await assert.rejects(openEvidence(bomb, { maxPixels: 10_000_000 }), (e: Error & { code: string }) => e.code === 'too-many-pixels' && e.message.includes('30,000,000') && e.message.includes(bomb));
    const ev = await openEvidence(bomb);
    assert.equal(ev.info.width, 6000);
  });

  it('enforces the byte limit', async () => {
    await assert.rejects(openEvidence(fixture('images', 'canon-dslr.jpg'), { maxImageBytes: 1000 }), { code: 'too-large' });
  });
});
