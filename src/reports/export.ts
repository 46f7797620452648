import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { artifactName, CaseSession, hashStoredFile, loadCase } from '../cases/index.js';
import { resultEntries } from '../contract/analyzers/index.js';
import { canonicalJson } from '../util/canonical-json.js';
import { writeFileDurable } from '../util/durable.js';
import type { CaseState } from '../cases/types.js';
import type { AnalystKey } from '../keys/keyring.js';
import { VerilensError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { extensionFor } from '../engine/artifacts.js';
import { imagesOf } from './blocks.js';
import { buildReport, type ReportDocument } from './model.js';
import { renderReportPdf, type PdfImage, type ReportAssets } from './pdf.js';
import { analyzerBlocks } from './sections.js';
import { signReport, type SignatureFile } from './signature.js';

/** The three files of a report bundle, named after the PDF: `x.pdf`, `x.json`, `x.sig`. */
export interface BundlePaths {
  pdf: string;
  json: string;
  sig: string;
}

/** Bundle paths from any one of its files (or its stem). */
export function bundlePaths(anyFile: string): BundlePaths {
  const p = resolve(anyFile);
  const ext = extname(p).toLowerCase();
  const stem = ext === '.pdf' || ext === '.json' || ext === '.sig' ? p.slice(0, -ext.length) : p;
  return { pdf: `${stem}.pdf`, json: `${stem}.json`, sig: `${stem}.sig` };
}

const THUMB = 420;
const FIGURE = 800;
const CROP = 240;

async function toPdfImage(input: Buffer, max: number, fmt: 'jpeg' | 'png'): Promise<PdfImage> {
  const img = sharp(input, { failOn: 'none', limitInputPixels: 250_000_000 }).rotate().resize(max, max, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' });
  const { data, info } = await (fmt === 'jpeg' ? img.jpeg({ quality: 85 }) : img.png({ compressionLevel: 6 })).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Thumbnails of the evidence and the artifact images the PDF shows, re-hashed as they are read. */
export async function prepareAssets(dir: string, state: CaseState): Promise<ReportAssets> {
  const thumbnails = new Map<string, PdfImage | string>();
  const artifacts = new Map<string, PdfImage | string>();
  for (const e of state.evidence) {
    if (e.info.kind !== 'image') {
      thumbnails.set(e.sha256, `${e.info.format} video`);
      continue;
    }
    try {
      const bytes = await readFile(join(dir, e.stored));
      if (sha256Hex(bytes) !== e.sha256) throw new VerilensError('evidence-altered', 'the file no longer matches its SHA-256');
      thumbnails.set(e.sha256, await toPdfImage(bytes, THUMB, 'jpeg'));
    } catch (err) {
      thumbnails.set(e.sha256, err instanceof VerilensError ? err.message : `${e.info.format} cannot be decoded for a preview`);
    }
    const results = e.analysis?.analyzers ?? {};
    const entries = resultEntries(results);
    const refs = new Map(entries.flatMap((x) => x.result.artifacts.map((a) => [a.sha256, a] as const)));
    const blocks = [...analyzerBlocks(entries, results).values()].flat();
    for (const [sha, use] of imagesOf(blocks)) {
      const a = refs.get(sha);
      if (!a || artifacts.has(sha)) continue;
      const bytes = await readFile(join(dir, artifactName(sha, extensionFor(a.mime)))).catch(() => null);
      if (!bytes) artifacts.set(sha, 'the artifact file is missing from the case');
      else if (sha256Hex(bytes) !== sha) artifacts.set(sha, 'the artifact file was altered (its SHA-256 no longer matches)');
      // Gallery images (crops) stay lossless; figures (heatmaps) are noisy and would make the PDF huge as PNG.
      else artifacts.set(sha, await toPdfImage(bytes, use === 'gallery' ? CROP : FIGURE, use === 'gallery' ? 'png' : 'jpeg').catch(() => 'cannot be decoded'));
    }
  }
  return { thumbnails, artifacts };
}

/** The last custody entry a report describes: report exports and log repairs are not part of the case's content. */
export function reportSeq(types: readonly (string | undefined)[]): number {
  for (let i = types.length - 1; i >= 0; i--) {
    const t = types[i];
    if (t !== 'report-exported' && t !== 'log-recovered') return i + 1;
  }
  return 0;
}

export interface BuiltReport {
  document: ReportDocument;
  json: string;
  pdf: Buffer;
  signature: SignatureFile;
}

/** Build the whole bundle in memory from a case as of one custody entry. Pure apart from reading the case. */
export async function buildBundle(dir: string, key: AnalystKey, asOfSeq?: number): Promise<BuiltReport> {
  const full = await loadCase(dir);
  const seq = asOfSeq ?? reportSeq(full.lines.map((l) => l.entry?.type));
  if (seq < 1 || seq > full.lines.length) throw new VerilensError('bad-entry', `${dir}: custody entry ${seq} does not exist (the log has ${full.lines.length})`);
  const loaded = seq === full.lines.length ? full : await loadCase(dir, seq);
  if (loaded.breaks.length || loaded.problems.length) {
    const first = loaded.breaks[0]?.message ?? loaded.problems[0]?.message;
    throw new VerilensError('case-broken', `${dir}: the case has integrity problems (${first}); run 'verilens case verify' before reporting`);
  }
  for (const e of loaded.state.evidence) {
    const actual = await hashStoredFile(join(loaded.dir, e.stored));
    if (actual !== e.sha256) {
      const what = actual === 'not-a-file' ? 'is not a regular file (a symlink, pipe or device)' : actual ? `was altered (SHA-256 now ${actual})` : 'is missing';
      throw new VerilensError('evidence-altered', `${e.stored} (${e.names[0]}) ${what}; a report cannot be signed over it`);
    }
  }
  const lines = loaded.lines.slice(0, seq);
  const document = buildReport(loaded.state, lines, { analyst: key.analyst, fingerprint: key.fingerprint });
  const json = canonicalJson(document);
  const jsonSha256 = sha256Hex(json);
  const pdf = await renderReportPdf(document, await prepareAssets(loaded.dir, loaded.state), { jsonSha256 });
  const signature = signReport(
    {
      caseId: document.case.id,
      reportTime: document.reportTime,
      custodyEntries: document.custody.entries,
      custodyHead: document.custody.head,
      jsonSha256,
      pdfSha256: sha256Hex(pdf),
      signer: key.fingerprint,
    },
    key,
  );
  return { document, json, pdf, signature };
}

export interface ExportResult extends BuiltReport {
  paths: BundlePaths;
  custodySeq: number;
}

/** Export a signed report bundle for a case and record the export in its custody log. */
export async function exportReport(caseDir: string, out: string, key: AnalystKey, opts: { asOfSeq?: number; now?: () => Date } = {}): Promise<ExportResult> {
  if (extname(out).toLowerCase() !== '.pdf') throw new VerilensError('usage', `${out}: the report file must end in .pdf (the .json and .sig are written beside it)`);
  const paths = bundlePaths(out);
  const session = await CaseSession.open(caseDir, { analyst: key.analyst, purpose: 'report', ...(opts.now ? { now: opts.now } : {}) });
  try {
    const built = await buildBundle(session.dir, key, opts.asOfSeq);
    await mkdir(dirname(paths.pdf), { recursive: true });
    await writeFileDurable(paths.pdf, built.pdf);
    await writeFileDurable(paths.json, built.json);
    await writeFileDurable(paths.sig, `${canonicalJson(built.signature)}\n`);
    const entry = await session.recordReport({
      asOfSeq: built.document.custody.entries,
      asOfHead: built.document.custody.head,
      pdf: { name: basename(paths.pdf), sha256: built.signature.signed.pdfSha256 },
      json: { name: basename(paths.json), sha256: built.signature.signed.jsonSha256 },
      signer: key.fingerprint,
    });
    return { ...built, paths, custodySeq: entry.seq };
  } finally {
    await session.close();
  }
}
