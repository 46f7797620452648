import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sniff } from '../../src/evidence/sniff.js';
import { fixture } from '../helpers.js';

const head = (name: string): Buffer => readFileSync(fixture('images', name)).subarray(0, 4096);
const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const ftyp = (major: string, ...compat: string[]): Buffer => {
  const body = bytes('ftyp', major, [0, 0, 0, 0], ...compat);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length + 4);
  return Buffer.concat([size, body, Buffer.alloc(16)]);
};

describe('sniff (magic bytes, never the extension)', () => {
  it('detects the real fixture formats', () => {
    assert.equal(sniff(head('canon-dslr.jpg')).format, 'jpeg');
    assert.equal(sniff(head('png_png_with_exif_and_gps.png')).format, 'png');
    assert.equal(sniff(head('Bush-dog.tif')).format, 'tiff');
    assert.equal(sniff(head('avif_Irvine_CA.avif')).format, 'avif');
    assert.equal(sniff(head('heic-single.heic')).format, 'heic');
  });

  it('rejects a file named .png whose signature is corrupt, naming what it saw', () => {
    const s = sniff(head('not-png-bad-signature.png'));
    assert.equal(s.supported, false);
    assert.match(s.signature, /first bytes 09 50 4e 47/);
  });

  it('tells containers apart by brand and form', () => {
    assert.deepEqual([sniff(ftyp('qt  ')).format, sniff(ftyp('qt  ')).kind], ['mov', 'video']);
    assert.equal(sniff(ftyp('isom', 'iso2', 'avc1', 'mp41')).format, 'mp4');
    assert.equal(sniff(ftyp('mif1', 'avif', 'miaf')).format, 'avif');
    assert.equal(sniff(ftyp('heic', 'mif1')).format, 'heic');
    assert.equal(sniff(ftyp('crx ')).supported, false);
    assert.equal(sniff(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')).format, 'webp');
    assert.equal(sniff(bytes('RIFF', [0, 0, 0, 0], 'AVI LIST')).format, 'avi');
    assert.equal(sniff(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt ')).supported, false);
    assert.equal(sniff(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm')).format, 'webm');
    assert.equal(sniff(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], 'matroska')).format, 'mkv');
    assert.equal(sniff(bytes('GIF89a', [1, 0, 1, 0])).format, 'gif');
    assert.equal(sniff(bytes([0, 0, 0, 8], 'moov')).format, 'mov');
  });

  it('names common non-evidence signatures', () => {
    assert.deepEqual([sniff(bytes('%PDF-1.7')).supported, sniff(bytes('%PDF-1.7')).format], [false, 'pdf']);
    assert.equal(sniff(bytes('PK', [3, 4])).format, 'zip');
    assert.equal(sniff(bytes('<?xml version="1.0"?><svg ')).format, 'svg');
    assert.equal(sniff(bytes([0x7f], 'ELF')).format, 'elf');
    assert.equal(sniff(Buffer.alloc(0)).signature, 'empty file');
    assert.match(sniff(bytes('# Verilens notes\nline two')).signature, /^text starting "# Verilens notes line two"/);
  });
});
