import PDFDocument from 'pdfkit';
import { resultsFrom } from '../contract/analyzers/index.js';
import type { AnalyzerResult, Finding, ScoreInfo } from '../contract/results.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { RecordedAnnotation } from '../cases/types.js';
import { describeAnnotation } from '../cases/custody.js';
import { shortFingerprint } from '../keys/ed25519.js';
import { assertNever } from '../util/errors.js';
import type { ReportBlock } from './blocks.js';
import type { ReportAnalyzer, ReportDocument, ReportEvidence } from './model.js';
import { analyzerBlocks } from './sections.js';

/** Images prepared for the PDF (pdfkit draws synchronously): decoded once, size known. */
export interface PdfImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface ReportAssets {
  /** Thumbnail per evidence SHA-256, or why there is none. */
  thumbnails: ReadonlyMap<string, PdfImage | string>;
  /** Artifact images by artifact SHA-256, or why they cannot be shown (missing, altered). */
  artifacts: ReadonlyMap<string, PdfImage | string>;
}

export interface PdfMeta {
  /** SHA-256 of report.json, printed so the paper copy names its machine-readable twin. */
  jsonSha256: string;
}

// Layout (points; A4).
const PAGE = { width: 595.28, height: 841.89 };
const M = { top: 78, bottom: 70, left: 56, right: 56 };
const W = PAGE.width - M.left - M.right;
const BOTTOM = PAGE.height - M.bottom;

const INK = '#1d2430';
const MUTED = '#5b6472';
const RULE = '#c9ced6';
const SHADE = '#f1f3f6';
const HEAD = '#e3e7ed';
const ACCENT = '#1f3a5f';
const VERDICT_COLOR: Record<string, string> = { suspicious: '#a3161a', consistent: '#1e6b34', inconclusive: '#8a5a00', 'not-analysed': MUTED };
const SEVERITY_COLOR: Record<string, string> = { alert: '#a3161a', warn: '#8a5a00', info: MUTED };

const SANS = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const ITALIC = 'Helvetica-Oblique';
const MONO = 'Courier';

/** The standard PDF fonts cover WinAnsi only; anything else is shown as '?' rather than as garbage. */
export function pdfText(s: string): string {
  return s.replace(/[^\n\x20-\x7e\xa0-\xff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?');
}

export function utc(iso: string): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '-';
}

function bytesText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]} (${n.toLocaleString('en-US')} bytes)`;
}

function verdictLabel(v: string): string {
  return v === 'not-analysed' ? 'not analysed' : v;
}

interface Cell {
  text: string;
  font?: string;
  color?: string;
  size?: number;
}
type CellIn = string | Cell;
interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right' | 'center';
}

class Writer {
  readonly doc: PDFKit.PDFDocument;
  /** Score methods, each printed once at the end and referred to as M1, M2... */
  readonly methods = new Map<string, { n: number; analyzer: string; version: string; info: ScoreInfo }>();

  methodNote(analyzer: string, version: string, info: ScoreInfo): number {
    const key = canonicalJson({ analyzer, version, info });
    const have = this.methods.get(key);
    if (have) return have.n;
    const n = this.methods.size + 1;
    this.methods.set(key, { n, analyzer, version, info });
    return n;
  }

  constructor(readonly report: ReportDocument) {
    const created = new Date(report.reportTime || report.case.created || 0);
    this.doc = new PDFDocument({
      size: 'A4',
      margins: M,
      bufferPages: true,
      autoFirstPage: true,
      compress: true,
      // Fixed metadata: the same case gives the same bytes (pdfkit derives /ID from this info).
      info: {
        Title: pdfText(`Case report ${report.case.id}: ${report.case.title}`),
        Author: pdfText(report.signer.analyst),
        Subject: `Verilens case report, custody entry ${report.custody.entries}`,
        Creator: `Verilens ${report.generator.version}`,
        Producer: `Verilens ${report.generator.version} (PDFKit)`,
        CreationDate: created,
        ModDate: created,
      },
    });
    this.doc.fillColor(INK).font(SANS).fontSize(9.5);
  }

  get y(): number {
    return this.doc.y;
  }

  ensure(h: number): void {
    if (this.doc.y + h > BOTTOM) this.newPage();
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.x = M.left;
    this.doc.y = M.top;
  }

  gap(h: number): void {
    this.doc.y += h;
  }

  h1(text: string): void {
    this.ensure(60);
    this.doc.font(BOLD).fontSize(16).fillColor(ACCENT).text(pdfText(text), M.left, this.doc.y, { width: W });
    const y = this.doc.y + 3;
    this.doc.moveTo(M.left, y).lineTo(M.left + W, y).lineWidth(1).strokeColor(ACCENT).stroke();
    this.doc.y = y + 10;
    this.doc.font(SANS).fontSize(9.5).fillColor(INK);
  }

  h2(text: string, after = 4): void {
    this.ensure(48);
    this.gap(6);
    this.doc.font(BOLD).fontSize(11.5).fillColor(ACCENT).text(pdfText(text), M.left, this.doc.y, { width: W });
    this.doc.y += after;
    this.doc.font(SANS).fontSize(9.5).fillColor(INK);
  }

  h3(text: string): void {
    this.ensure(80);
    this.gap(4);
    this.doc.font(BOLD).fontSize(10).fillColor(INK).text(pdfText(text), M.left, this.doc.y, { width: W });
    this.doc.y += 3;
    this.doc.font(SANS).fontSize(9.5);
  }

  para(text: string, opts: { color?: string; font?: string; size?: number; x?: number; width?: number } = {}): void {
    const size = opts.size ?? 9.5;
    const width = opts.width ?? W;
    this.doc.font(opts.font ?? SANS).fontSize(size);
    const h = this.doc.heightOfString(pdfText(text), { width, lineGap: 1.5 });
    this.ensure(Math.min(h, 120));
    this.doc.fillColor(opts.color ?? INK).text(pdfText(text), opts.x ?? M.left, this.doc.y, { width, lineGap: 1.5 });
    this.doc.y += 4;
    this.doc.font(SANS).fontSize(9.5).fillColor(INK);
  }

  private cellHeight(c: Cell, width: number): number {
    this.doc.font(c.font ?? SANS).fontSize(c.size ?? 8.8);
    return this.doc.heightOfString(pdfText(c.text || ' '), { width: width - 8, lineGap: 1 });
  }

  private drawRow(cols: readonly Column[], cells: readonly Cell[], y: number, h: number, fill: string | null, header: boolean): void {
    if (fill) this.doc.rect(M.left, y, W, h).fill(fill);
    let x = M.left;
    cols.forEach((col, i) => {
      const c = cells[i] ?? { text: '' };
      this.doc
        .font(header ? BOLD : (c.font ?? SANS))
        .fontSize(c.size ?? 8.8)
        .fillColor(header ? INK : (c.color ?? INK))
        .text(pdfText(c.text), x + 4, y + 4, { width: col.width - 8, align: col.align ?? 'left', lineGap: 1 });
      x += col.width;
    });
    this.doc.moveTo(M.left, y + h).lineTo(M.left + W, y + h).lineWidth(0.5).strokeColor(RULE).stroke();
  }

  /** A table that breaks across pages, repeating its header. */
  table(cols: readonly Column[], rows: readonly (readonly CellIn[])[], opts: { zebra?: boolean } = {}): void {
    const total = cols.reduce((s, c) => s + c.width, 0);
    const scale = W / total;
    const cs = cols.map((c) => ({ ...c, width: c.width * scale }));
    const headCells = cs.map((c) => ({ text: c.header }));
    const headH = Math.max(...cs.map((c, i) => this.cellHeight({ ...headCells[i]!, font: BOLD }, c.width))) + 8;
    const drawHead = (): void => {
      const y = this.doc.y;
      this.drawRow(cs, headCells, y, headH, HEAD, true);
      this.doc.y = y + headH;
    };
    const norm = rows.map((r) => r.map((c) => (typeof c === 'string' ? { text: c } : c)));
    const firstH = norm[0] ? Math.max(...cs.map((c, i) => this.cellHeight(norm[0]![i] ?? { text: '' }, c.width))) + 8 : 0;
    this.ensure(headH + firstH + 2);
    drawHead();
    norm.forEach((cells, ri) => {
      const h = Math.max(...cs.map((c, i) => this.cellHeight(cells[i] ?? { text: '' }, c.width))) + 8;
      if (this.doc.y + h > BOTTOM) {
        this.newPage();
        drawHead();
      }
      const y = this.doc.y;
      this.drawRow(cs, cells, y, h, opts.zebra !== false && ri % 2 === 1 ? SHADE : null, false);
      this.doc.y = y + h;
    });
    this.doc.y += 8;
    this.doc.x = M.left;
    this.doc.font(SANS).fontSize(9.5).fillColor(INK);
  }

  /** Label/value pairs as a two-column table. */
  facts(rows: readonly [string, CellIn][], opts: { x?: number; width?: number; labelWidth?: number } = {}): void {
    const x0 = opts.x ?? M.left;
    const width = opts.width ?? W;
    const lw = opts.labelWidth ?? 120;
    for (const [label, v] of rows) {
      const c = typeof v === 'string' ? { text: v } : v;
      const h = Math.max(this.cellHeight({ text: label, font: BOLD }, lw), this.cellHeight(c, width - lw)) + 6;
      this.ensure(h);
      const y = this.doc.y;
      this.doc.font(BOLD).fontSize(8.8).fillColor(MUTED).text(pdfText(label), x0 + 4, y + 3, { width: lw - 8 });
      this.doc
        .font(c.font ?? SANS)
        .fontSize(c.size ?? 8.8)
        .fillColor(c.color ?? INK)
        .text(pdfText(c.text), x0 + lw + 4, y + 3, { width: width - lw - 8, lineGap: 1 });
      this.doc.moveTo(x0, y + h).lineTo(x0 + width, y + h).lineWidth(0.4).strokeColor(RULE).stroke();
      this.doc.y = y + h;
    }
    this.doc.y += 6;
    this.doc.x = M.left;
    this.doc.font(SANS).fontSize(9.5).fillColor(INK);
  }

  badge(text: string, color: string, x: number, y: number): number {
    this.doc.font(BOLD).fontSize(9);
    const w = this.doc.widthOfString(pdfText(text.toUpperCase())) + 14;
    this.doc.roundedRect(x, y, w, 16, 3).fill(color);
    this.doc.fillColor('#ffffff').text(pdfText(text.toUpperCase()), x + 7, y + 4.2, { lineBreak: false });
    this.doc.font(SANS).fontSize(9.5).fillColor(INK);
    return w;
  }

  image(img: PdfImage, x: number, y: number, maxW: number, maxH: number, maxScale = 1.5): { w: number; h: number } {
    const k = Math.min(maxW / img.width, maxH / img.height, maxScale);
    const w = img.width * k;
    const h = img.height * k;
    this.doc.image(img.data, x, y, { width: w, height: h });
    this.doc.rect(x, y, w, h).lineWidth(0.5).strokeColor(RULE).stroke();
    return { w, h };
  }

  /** Header and footer on every page, with "page N of M" (drawn last, when the count is known). */
  decorate(): void {
    const range = this.doc.bufferedPageRange();
    const r = this.report;
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const saved = this.doc.page.margins;
      this.doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
      this.doc.font(BOLD).fontSize(8.5).fillColor(ACCENT).text('VERILENS CASE REPORT', M.left, 34, { lineBreak: false });
      this.doc.font(SANS).fontSize(8.5).fillColor(MUTED);
      const right = fitText(this.doc, `${r.case.id}  |  ${r.case.title}`, W - 140);
      this.doc.text(right, M.left + W - this.doc.widthOfString(right), 34, { lineBreak: false });
      this.doc.moveTo(M.left, 48).lineTo(M.left + W, 48).lineWidth(0.6).strokeColor(RULE).stroke();
      const fy = PAGE.height - 46;
      this.doc.moveTo(M.left, fy - 6).lineTo(M.left + W, fy - 6).lineWidth(0.6).strokeColor(RULE).stroke();
      this.doc
        .font(SANS)
        .fontSize(7.8)
        .fillColor(MUTED)
        .text(pdfText(`${r.case.id}  |  as of entry ${r.custody.entries}, ${utc(r.reportTime)}  |  signer ${shortFingerprint(r.signer.fingerprint)}`), M.left, fy, { lineBreak: false });
      this.doc.text(`Page ${i - range.start + 1} of ${range.count}`, M.left + W - 80, fy, { width: 80, align: 'right', lineBreak: false });
      this.doc.page.margins = saved;
    }
  }
}

/** Shorten text with an ellipsis so it fits on one line of `width` points in the current font. */
function fitText(doc: PDFKit.PDFDocument, text: string, width: number): string {
  let t = pdfText(text);
  if (doc.widthOfString(t) <= width) return t;
  while (t.length > 1 && doc.widthOfString(`${t}...`) > width) t = t.slice(0, -1);
  return `${t}...`;
}

function scoreText(r: AnalyzerResult): string {
  if (r.score === undefined) return '-';
  const t = r.scoreInfo?.threshold;
  return `${r.score.toFixed(3)}${t !== undefined ? ` (threshold ${t})` : ''}`;
}

function findingRows(a: ReportAnalyzer): CellIn[][] {
  return a.result.findings.map((f: Finding, i) => {
    // A mark addresses one finding (index); a mark without one predates that and covers the whole code.
    const marks = a.marks.filter((m) => m.finding === f.code && !m.stale && (m.index === null || m.index === i));
    const markText = marks.map((m) => `\nAnalyst (${m.analyst}, ${utc(m.time)}): ${m.mark}${m.comment ? `: ${m.comment}` : ''}`).join('');
    const region = f.region ? ` [region x ${Math.round(f.region.x)}, y ${Math.round(f.region.y)}, ${Math.round(f.region.width)}x${Math.round(f.region.height)}]` : '';
    return [
      { text: f.severity.toUpperCase(), font: BOLD, color: SEVERITY_COLOR[f.severity] ?? INK },
      { text: f.code, font: MONO, size: 8 },
      `${f.message}${region}${markText}`,
    ];
  });
}

function annotationRows(list: readonly RecordedAnnotation[]): CellIn[][] {
  return list.map((a) => [`#${a.seq}`, utc(a.time), a.analyst, a.annotation.kind, describeAnnotation(a.annotation)]);
}

function coverPage(w: Writer, r: ReportDocument, meta: PdfMeta): void {
  const d = w.doc;
  d.font(BOLD).fontSize(24).fillColor(ACCENT).text('Case report', M.left, M.top + 6, { width: W });
  d.font(SANS).fontSize(14).fillColor(INK).text(pdfText(r.case.title), M.left, d.y + 4, { width: W });
  d.y += 14;
  w.facts([
    ['Case', { text: r.case.id, font: BOLD }],
    ['Lead analyst', r.case.analyst],
    ['Case opened', utc(r.case.created)],
    ['Report as of', `${utc(r.reportTime)} (custody entry ${r.custody.entries})`],
    ['Signed by', `${r.signer.analyst}, key ${shortFingerprint(r.signer.fingerprint)}`],
    ['Generated by', `Verilens ${r.generator.version}, offline`],
    ['Machine-readable twin', { text: `report.json, SHA-256 ${meta.jsonSha256}`, font: MONO, size: 8 }],
  ]);
  w.h2('Summary');
  const s = r.summary;
  w.para(
    `${s.evidence} evidence file${s.evidence === 1 ? '' : 's'}: ${s.suspicious} suspicious, ${s.inconclusive} inconclusive, ${s.consistent} consistent${s.notAnalysed ? `, ${s.notAnalysed} not analysed` : ''}. ${s.annotations} analyst annotation${s.annotations === 1 ? '' : 's'}.`,
  );
  w.table(
    [
      { header: '#', width: 22 },
      { header: 'File', width: 150 },
      { header: 'Type', width: 70 },
      { header: 'Size', width: 75 },
      { header: 'Verdict', width: 150 },
    ],
    r.evidence.map((e) => [
      String(e.index),
      e.names.join(', '),
      `${e.info.format}${e.info.width && e.info.height ? ` ${e.info.width}x${e.info.height}` : ''}`,
      bytesText(e.info.bytes).replace(/ \(.*\)$/, ''),
      { text: `${verdictLabel(e.verdict.verdict)}${e.verdict.overridden ? ' (analyst)' : ''}`, font: BOLD, color: VERDICT_COLOR[e.verdict.verdict] ?? INK },
    ]),
  );
  if (r.case.notes) {
    w.h2('Case notes');
    w.para(r.case.notes);
  }
  w.h2('How to read this report');
  w.para(
    'Each evidence file was copied into the case as a read-only copy identified by its SHA-256 and analysed offline. Every score lies between 0 and 1, and a higher score always means stronger evidence of manipulation, synthesis or spoofing. A verdict is "suspicious" only when a score passes its documented threshold or a finding is an alert. Each score is printed with its method, what it was measured on, its known limits and its strength; a weak signal does not establish manipulation on its own. Analyst overrides and comments are shown beside the automated results and never replace them.',
    { color: MUTED, size: 8.8 },
  );
}

function evidenceSection(w: Writer, r: ReportDocument, e: ReportEvidence, assets: ReportAssets): void {
  w.newPage();
  w.h1(`Evidence ${e.index} of ${r.evidence.length}: ${e.names[0] ?? e.sha256}`);
  const top = w.y;
  const thumb = assets.thumbnails.get(e.sha256);
  const TW = 150;
  if (thumb && typeof thumb !== 'string') {
    w.image(thumb, M.left, top, TW, 170);
  } else {
    w.doc.rect(M.left, top, TW, 100).fill(SHADE);
    w.doc.font(ITALIC).fontSize(8.5).fillColor(MUTED).text(pdfText(`No preview: ${thumb ?? 'not available'}`), M.left + 8, top + 40, { width: TW - 16, align: 'center' });
  }
  const thumbBottom = top + (thumb && typeof thumb !== 'string' ? Math.min(170, (thumb.height * TW) / thumb.width, thumb.height * 1.5) : 100);
  w.doc.y = top;
  const fx = M.left + TW + 14;
  const fw = W - TW - 14;
  const v = e.verdict;
  const bw = w.badge(verdictLabel(v.verdict), VERDICT_COLOR[v.verdict] ?? INK, fx + 4, top);
  if (v.overridden) w.doc.font(ITALIC).fontSize(8.5).fillColor(MUTED).text('set by the analyst', fx + bw + 12, top + 4, { lineBreak: false });
  w.doc.y = top + 24;
  const facts: [string, CellIn][] = [
    ['SHA-256', { text: e.sha256, font: MONO, size: 8 }],
    ['Size', bytesText(e.info.bytes)],
    ['Type', `${e.info.type} (${e.info.format}, detected from content)`],
  ];
  if (e.info.width && e.info.height) facts.push(['Pixels', `${e.info.width} x ${e.info.height}${e.info.orientation && e.info.orientation !== 1 ? `, EXIF orientation ${e.info.orientation}` : ''}`]);
  if (e.names.length > 1) facts.push(['Also added as', e.names.slice(1).join(', ')]);
  facts.push(['Added to case', utc(e.addedAt)]);
  facts.push(['Copied from', e.sources.map((s) => s.path).join('\n')]);
  facts.push(['Analysed', e.analysis ? analysedText(e.analysis) : 'not analysed']);
  if (v.overridden && v.reason) facts.push(['Analyst reason', v.reason]);
  else if (v.reason) facts.push(['Verdict basis', v.reason]);
  w.facts(facts, { x: fx, width: fw, labelWidth: 86 });
  w.doc.y = Math.max(w.doc.y, thumbBottom + 12);

  if (!e.analysis) {
    w.para('This file has not been analysed.', { color: MUTED });
  } else {
    if (!e.analysis.unchanged) w.para('ALERT: the file changed on disk while it was being analysed; these results may not describe the evidence.', { color: VERDICT_COLOR['suspicious'], font: BOLD });
    w.h2('Results by analyzer');
    w.table(
      [
        { header: 'Analyzer', width: 80 },
        { header: 'Version', width: 48 },
        { header: 'Status', width: 62 },
        { header: 'Verdict', width: 90 },
        { header: 'Score', width: 92 },
        { header: 'Strength', width: 58 },
        { header: 'Findings', width: 50, align: 'right' },
      ],
      e.analysis.analyzers.map((a) => {
        const r0 = a.result;
        const verdict = a.override ? `${a.override.verdict} (analyst; tool: ${r0.verdict ?? '-'})` : (r0.verdict ?? '-');
        const vColor = VERDICT_COLOR[a.override?.verdict ?? r0.verdict ?? ''] ?? INK;
        return [
          { text: a.id, font: BOLD },
          r0.provenance.version,
          r0.status,
          { text: verdict, color: vColor, font: BOLD },
          scoreText(r0),
          r0.scoreInfo?.strength ?? '-',
          String(r0.findings.length),
        ];
      }),
    );
    const blocks = analyzerBlocks(e.analysis.analyzers, resultsFrom(e.analysis.analyzers));
    for (const a of e.analysis.analyzers) analyzerDetail(w, a, assets, blocks.get(a.id) ?? []);
  }
  if (e.annotations.length) {
    w.h2('Analyst annotations on this file');
    w.table(
      [
        { header: 'Entry', width: 40 },
        { header: 'Time', width: 95 },
        { header: 'Analyst', width: 60 },
        { header: 'Kind', width: 75 },
        { header: 'Annotation', width: 210 },
      ],
      annotationRows(e.annotations),
    );
  }
}

/** When and by which custody entry; after a partial re-run, which run produced which analyzer's result. */
function analysedText(an: NonNullable<ReportEvidence['analysis']>): string {
  const byRun = new Map<number, { time: string; ids: string[] }>();
  for (const a of an.analyzers) {
    const r = byRun.get(a.run.seq) ?? byRun.set(a.run.seq, { time: a.run.time, ids: [] }).get(a.run.seq)!;
    r.ids.push(a.id);
  }
  if (byRun.size <= 1) return `${utc(an.time)} (custody entry ${an.seq})`;
  return [...byRun.entries()].sort((x, y) => y[0] - x[0]).map(([seq, r]) => `${utc(r.time)} (custody entry ${seq}): ${r.ids.join(', ')}`).join('\n');
}

function analyzerDetail(w: Writer, a: ReportAnalyzer, assets: ReportAssets, blocks: readonly ReportBlock[]): void {
  const r = a.result;
  const models = r.provenance.models;
  if (!r.findings.length && !r.scoreInfo && !r.error && !models.length && !blocks.length && !a.override && !a.marks.length) return;
  w.h3(`${a.id} ${r.provenance.version}: ${r.status}${r.verdict ? `, ${r.verdict}` : ''}${r.score !== undefined ? `, score ${r.score.toFixed(3)}` : ''}`);
  if (a.override) w.para(`Analyst override: ${a.override.verdict}. Reason: ${a.override.reason}`, { font: BOLD, color: VERDICT_COLOR[a.override.verdict] ?? INK });
  if (r.error) w.para(`${r.status === 'unavailable' ? 'Unavailable' : 'Error'} (${r.error.code}): ${r.error.message}`, { color: VERDICT_COLOR['inconclusive'] });
  if (r.findings.length) {
    w.table(
      [
        { header: 'Severity', width: 56 },
        { header: 'Code', width: 120 },
        { header: 'Finding', width: 304 },
      ],
      findingRows(a),
    );
  }
  for (const m of a.marks.filter((x) => x.stale)) {
    w.para(`Analyst (${m.analyst}, ${utc(m.time)}) marked a ${m.finding} finding of an earlier analysis ${m.mark}${m.comment ? `: ${m.comment}` : ''}; this analysis no longer reports that finding.`, { size: 8.5, color: MUTED });
  }
  if (r.scoreInfo) {
    const si = r.scoreInfo;
    const n = w.methodNote(a.id, r.provenance.version, si);
    w.para(
      `Reading the score: ${si.strength} signal${si.threshold !== undefined ? `, suspicious at or above ${si.threshold}` : ''}. Method, what it was calibrated on and its limits: note M${n} under "Methods, calibration and limits".`,
      { size: 8.5, color: MUTED },
    );
  }
  // Text blocks (facts about the result) come before the model table, images after it.
  for (const b of blocks) if (b.kind === 'para' || b.kind === 'facts') drawBlock(w, b, assets);
  if (models.length) {
    w.table(
      [
        { header: 'Model', width: 82 },
        { header: 'Version', width: 112 },
        { header: 'SHA-256 of the model file', width: 246 },
        { header: 'Trust', width: 40 },
      ],
      models.map((m) => [m.id, { text: m.version, size: 7.5 }, { text: m.sha256, font: MONO, size: 6.6 }, m.trust]),
    );
  }
  for (const b of blocks) if (b.kind === 'figure' || b.kind === 'gallery') drawBlock(w, b, assets);
}

/** Draw one block of an analyzer's own section. */
function drawBlock(w: Writer, b: ReportBlock, assets: ReportAssets): void {
  switch (b.kind) {
    case 'para':
      w.para(b.text, { ...(b.bold ? { font: BOLD } : {}), ...(b.size ? { size: b.size } : {}) });
      return;
    case 'facts':
      w.facts(b.rows, b.labelWidth ? { labelWidth: b.labelWidth } : {});
      return;
    case 'figure': {
      const img = assets.artifacts.get(b.artifact);
      if (img === undefined || typeof img === 'string') {
        w.para(`${b.label} ${b.artifact.slice(0, 16)}... cannot be shown: ${img ?? 'not found in the case'}`, { color: VERDICT_COLOR['suspicious'] });
        return;
      }
      const maxH = 260;
      // Small images are enlarged at most 4x (pixels stay visible, the page stays readable).
      const k = Math.min(W / img.width, maxH / img.height, 4);
      w.ensure(img.height * k + 44);
      const y = w.y;
      const { h: dh } = w.image(img, M.left, y, img.width * k, img.height * k, 4);
      w.doc.y = y + dh + 3;
      w.para(b.caption, { color: MUTED, size: 8 });
      return;
    }
    case 'gallery': {
      const size = 96;
      let x = M.left;
      w.ensure(size + 40);
      let y = w.y;
      let rowBottom = y;
      for (const item of b.items) {
        if (x + size > M.left + W) {
          x = M.left;
          y = rowBottom + 8;
          if (y + size + 30 > BOTTOM) {
            w.newPage();
            y = w.y;
          }
        }
        const img = assets.artifacts.get(item.artifact);
        if (img && typeof img !== 'string') {
          const { h } = w.image(img, x, y, size, size);
          w.doc.font(SANS).fontSize(7).fillColor(MUTED).text(pdfText(item.lines.join('\n')), x, y + h + 2, { width: size });
          rowBottom = Math.max(rowBottom, w.doc.y);
        } else {
          w.doc.font(ITALIC).fontSize(7.5).fillColor(VERDICT_COLOR['suspicious'] ?? INK).text(pdfText(`crop ${item.artifact.slice(0, 12)}...: ${img ?? 'missing'}`), x, y, { width: size });
          rowBottom = Math.max(rowBottom, w.doc.y);
        }
        x += size + 12;
      }
      w.doc.y = rowBottom + 8;
      w.doc.x = M.left;
      return;
    }
    default:
      assertNever(b, 'report block');
  }
}

function closingSections(w: Writer, r: ReportDocument, meta: PdfMeta): void {
  w.newPage();
  w.h1('Models and analyzers');
  if (r.models.length) {
    w.para('Every score that came from a model was produced by exactly these model files (SHA-256 of the bytes that were loaded). "pinned" models are fixed by digest in Verilens itself; "signed" models come from an organisation manifest signed by a trusted key.', { color: MUTED, size: 8.8 });
    w.table(
      [
        { header: 'Model', width: 76 },
        { header: 'Version', width: 96 },
        { header: 'SHA-256', width: 206 },
        { header: 'Trust', width: 38 },
        { header: 'Used by', width: 64 },
      ],
      r.models.map((m) => [m.id, { text: m.version, size: 7.5 }, { text: m.sha256, font: MONO, size: 6.6 }, m.trust, m.usedBy.join(', ')]),
    );
  } else {
    w.para('No machine-learning model contributed to any result in this report.', { color: MUTED });
  }
  const versions = new Map<string, Set<string>>();
  for (const e of r.evidence) for (const a of e.analysis?.analyzers ?? []) (versions.get(a.id) ?? versions.set(a.id, new Set()).get(a.id)!).add(a.result.provenance.version);
  if (versions.size) {
    w.table(
      [
        { header: 'Analyzer', width: 140 },
        { header: 'Version(s) that produced the results', width: 340 },
      ],
      [...versions.entries()].map(([id, vs]) => [id, [...vs].join(', ')]),
    );
  }
  if (r.notes.length) {
    w.h2('Analyst notes');
    w.table(
      [
        { header: 'Entry', width: 40 },
        { header: 'Time', width: 95 },
        { header: 'Analyst', width: 60 },
        { header: 'Note', width: 285 },
      ],
      r.notes.map((n) => [`#${n.seq}`, utc(n.time), n.analyst, n.annotation.kind === 'note' ? n.annotation.text : describeAnnotation(n.annotation)]),
    );
  }
  if (w.methods.size) {
    w.h1('Methods, calibration and limits');
    w.para('What each score means, what it was measured on and where it fails, as recorded by the analyzer that produced it. Evidence sections refer to these notes.', { color: MUTED, size: 8.8 });
    for (const m of w.methods.values()) {
      w.h3(`M${m.n}: ${m.analyzer} ${m.version}`);
      w.facts(
        [
          ['Method', m.info.method],
          ['Measured on', m.info.measuredOn],
          ['Limits', m.info.limits],
          ['Strength', `${m.info.strength}${m.info.threshold !== undefined ? `; suspicious at or above ${m.info.threshold}` : ''}`],
        ],
        { labelWidth: 86 },
      );
    }
  }
  w.h1('Chain of custody');
  w.para(
    `The case's custody log is append-only: each entry records the SHA-256 of the entry before it, so changing, removing or reordering any entry breaks the chain. This report covers entries 1 to ${r.custody.entries}; the last of them hashes to:`,
    { size: 8.8 },
  );
  w.para(r.custody.head, { font: MONO, size: 8.5 });
  w.table(
    [
      { header: 'Entry', width: 30 },
      { header: 'Time (UTC)', width: 86 },
      { header: 'Analyst', width: 58 },
      { header: 'Event', width: 236 },
      { header: 'Entry hash', width: 70 },
    ],
    r.custody.log.map((l) => [String(l.seq), { text: utc(l.time).replace(' UTC', ''), size: 8 }, l.analyst, l.summary, { text: l.sha256.slice(0, 12), font: MONO, size: 7 }]),
  );
  w.h1('Verification');
  w.facts([
    ['Signed by', r.signer.analyst],
    ['Key fingerprint', { text: `${shortFingerprint(r.signer.fingerprint)}\n${r.signer.fingerprint}`, font: MONO, size: 8 }],
    ['Signature', 'Ed25519, in report.sig beside this PDF'],
    ['Signature covers', 'the SHA-256 of report.json (canonical JSON, this report\'s full content) and the SHA-256 of this PDF'],
    ['report.json SHA-256', { text: meta.jsonSha256, font: MONO, size: 8 }],
  ]);
  w.para('To check this report offline, with the three files of the bundle (report.pdf, report.json, report.sig) in one folder:', { size: 9 });
  w.para(
    `1. Obtain the signer's public key through a channel you trust and compare its fingerprint with ${shortFingerprint(r.signer.fingerprint)}.\n2. verilens keys trust signer.pub.pem --for reports\n3. verilens verify report.pdf --evidence <folder with the original files>`,
    { font: MONO, size: 8.5, x: M.left + 10, width: W - 10 },
  );
  w.para('The result is VALID only when the signature is correct, the signer is in your trust store, the PDF and JSON are unchanged and, with --evidence, every evidence file still has the SHA-256 recorded here. A paper copy cannot be verified by itself; it points to the signed bundle.', { color: MUTED, size: 8.5 });
  w.h2('Analyst sign-off');
  w.para(`I, ${r.signer.analyst}, examined the evidence listed in this report with the results and annotations shown, and signed this report with the key above.`, { size: 9 });
  w.ensure(70);
  w.gap(10);
  const y = w.y;
  w.doc.moveTo(M.left, y + 40).lineTo(M.left + 210, y + 40).lineWidth(0.6).strokeColor(INK).stroke();
  w.doc.moveTo(M.left + 270, y + 40).lineTo(M.left + W, y + 40).stroke();
  w.doc.font(SANS).fontSize(8.5).fillColor(MUTED).text(pdfText(`${r.signer.analyst}, analyst`), M.left, y + 44, { width: 210 });
  w.doc.text('Date', M.left + 270, y + 44, { width: W - 270 });
  w.doc.y = y + 60;
}

/** Render the report PDF. Deterministic: the same document and assets give the same bytes. */
export function renderReportPdf(report: ReportDocument, assets: ReportAssets, meta: PdfMeta): Promise<Buffer> {
  const w = new Writer(report);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    w.doc.on('data', (c: Buffer) => chunks.push(c));
    w.doc.on('end', () => resolve(Buffer.concat(chunks)));
    w.doc.on('error', reject);
  });
  coverPage(w, report, meta);
  for (const e of report.evidence) evidenceSection(w, report, e, assets);
  closingSections(w, report, meta);
  w.decorate();
  w.doc.end();
  return done;
}
