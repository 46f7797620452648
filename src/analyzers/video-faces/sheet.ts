import sharp, { type OverlayOptions } from 'sharp';
import type { Box, RgbImage } from '../../models/preprocess.js';

/** One sampled frame kept for the contact sheet: a small copy plus its faces (display pixels). */
export interface SheetTile {
  time: number;
  thumb: RgbImage;
  /** Display pixels per thumbnail pixel. */
  scale: number;
  faces: { box: Box; main: boolean; spoof: number | null; swap: number | null }[];
}

export const SHEET = Object.freeze({ maxTiles: 24, thumbWidth: 240, columns: 6, label: 18 });

/** Downscale a frame for the sheet (sharp, antialiased). */
export async function thumbOf(img: RgbImage, displayWidth: number): Promise<{ thumb: RgbImage; scale: number }> {
  const w = Math.min(SHEET.thumbWidth, img.width);
  const h = Math.max(1, Math.round((img.height * w) / img.width));
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({ width: w, height: h, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { thumb: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }, scale: displayWidth / info.width };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();
const sc = (v: number | null): string => (v === null ? '-' : v.toFixed(2));

/** Contact sheet PNG: tiles in time order, main-face box green, other faces yellow, time and scores under each. */
export async function contactSheet(tiles: readonly SheetTile[]): Promise<{ png: Buffer; width: number; height: number } | null> {
  if (tiles.length === 0) return null;
  const tw = Math.max(...tiles.map((t) => t.thumb.width));
  const th = Math.max(...tiles.map((t) => t.thumb.height));
  const cols = Math.min(SHEET.columns, tiles.length);
  const rows = Math.ceil(tiles.length / cols);
  const cellH = th + SHEET.label;
  const W = cols * tw;
  const H = rows * cellH;
  const svg: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`];
  const layers: OverlayOptions[] = [];
  tiles.forEach((t, i) => {
    const left = (i % cols) * tw;
    const top = Math.floor(i / cols) * cellH;
    layers.push({ input: Buffer.from(t.thumb.data.buffer, t.thumb.data.byteOffset, t.thumb.data.length), raw: { width: t.thumb.width, height: t.thumb.height, channels: 3 }, left, top });
    for (const f of t.faces) {
      const b = f.box;
      svg.push(`<rect x="${f1(left + b.x / t.scale)}" y="${f1(top + b.y / t.scale)}" width="${f1(b.width / t.scale)}" height="${f1(b.height / t.scale)}" fill="none" stroke="${f.main ? '#1b9e77' : '#e6ab02'}" stroke-width="2"/>`);
    }
    const main = t.faces.find((f) => f.main);
    const label = main ? `${t.time.toFixed(1)} s  spoof ${sc(main.spoof)}  swap ${sc(main.swap)}` : `${t.time.toFixed(1)} s  ${t.faces.length ? 'other face' : 'no face'}`;
    svg.push(`<text x="${left + 4}" y="${top + th + 13}" fill="#ffffff">${esc(label)}</text>`);
  });
  svg.push('</svg>');
  layers.push({ input: Buffer.from(svg.join('')), left: 0, top: 0 });
  const png = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 24, g: 24, b: 24 } } })
    .composite(layers)
    .png({ compressionLevel: 6 })
    .toBuffer();
  return { png, width: W, height: H };
}
