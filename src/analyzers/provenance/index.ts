import { open } from 'node:fs/promises';
import { provenanceContract, type C2paReaderRun, type ProvenanceData } from '../../contract/analyzers/provenance.js';
import { defaultParams } from '../../contract/params.js';
import type { EvidenceInfo } from '../../contract/results.js';
import { defineAnalyzer } from '../../engine/analyzer.js';
import type { Evidence } from '../../evidence/intake.js';
import { VerilensError } from '../../util/errors.js';
import { emptySummary, isNoStoreError, remoteManifestUrl, summariseStore, unreadableStore, type C2paSummary } from './c2pa.js';
import { c2paHost, type C2paRead } from './c2pa-reader.js';
import { scanContainer, type TextEntry } from '../../evidence/containers.js';
import { readExifText } from './exif-text.js';
import { detectGenerator } from './generators.js';
import { interpretProvenance, type ProvenanceInterpretation } from './interpret.js';
import { bundledTrust, type LoadedTrust } from './trust.js';
import { readXmpDeclarations, xmpValues } from './xmp.js';
import { provenanceReport } from './report.js';

export { classifyStatus, summariseStore, type C2paSummary, type ValidationState } from './c2pa.js';
export { detectGenerator, type GeneratorTrace } from './generators.js';
export { scanContainer } from '../../evidence/containers.js';
export { buildTrust, TRUST_LISTS } from './trust.js';
export { C2paHost } from './c2pa-reader.js';

export interface ProvenanceOptions {
  /** Run the C2PA reader at all. */
  c2pa: boolean;
  c2paTimeoutMs: number;
  /** Files larger than this are not handed to the C2PA reader (wasm memory grows with the input). */
  c2paMaxBytes: number;
  signal?: AbortSignal;
  trust?: LoadedTrust;
}

export const DEFAULTS = defaultParams(provenanceContract.params);

/** c2pa-rs format names for the formats Verilens sniffs; absent formats have no C2PA binding c2pa-rs reads. */
const C2PA_MIME: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heic: 'image/heic',
  avif: 'image/avif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  avi: 'video/avi',
};

function c2paFromRead(r: C2paRead, marker: boolean, jumbf: boolean, trust: LoadedTrust): C2paSummary {
  if (r.ok) {
    let store: unknown;
    try {
      store = JSON.parse(r.json);
    } catch {
      return unreadableStore('the reader returned a manifest store that is not valid JSON');
    }
    return summariseStore(store, trust.lists);
  }
  const error = r.stopped === 'timeout' ? r.error : r.error.slice(0, 500);
  if (isNoStoreError(error) && !r.stopped) {
    const sum = emptySummary();
    sum.remoteManifestUrl = remoteManifestUrl(error);
    // A store the byte scan saw but the reader did not find is still reported as present and unreadable.
    return marker && !sum.remoteManifestUrl && /JumbfNotFound/.test(error) ? unreadableStore(`embedded JUMBF found but no manifest store (${error})`) : sum;
  }
  // Only a file that really embeds a store can have a broken one: fuzzed JPEGs make the reader fail
  // (InvalidAsset) without any C2PA in them. JUMBF/claim errors, a timeout or a crash mean there was a store.
  const containerOnly = /InvalidAsset|UnsupportedType|IoError/.test(error) && !r.stopped;
  if (marker || jumbf || !containerOnly) return unreadableStore(error);
  return emptySummary();
}

export interface ProvenanceResult extends ProvenanceInterpretation {
  data: ProvenanceData;
}

/** Everything but the runner glue: bytes in, interpretation and data out. Never throws for bad input. */
export async function analyzeProvenance(bytes: Buffer, info: Pick<EvidenceInfo, 'format' | 'kind' | 'bytes'>, opts: ProvenanceOptions): Promise<ProvenanceResult> {
  const trust = opts.trust ?? bundledTrust();
  const notes: string[] = [];
  const scan = scanContainer(info.format, bytes);
  notes.push(...scan.notes);

  // EXIF text: exifr reads JPEG/TIFF/HEIC/AVIF itself; WebP and PNG eXIf payloads come from our walkers.
  const exifEntries: TextEntry[] = [];
  const exifInputs = ['jpeg', 'tiff', 'heic', 'avif'].includes(info.format) ? [bytes] : scan.exif.slice(0, 4);
  for (const input of exifInputs) {
    const r = await readExifText(input);
    exifEntries.push(...r.entries);
    if (r.error) notes.push(r.error);
  }
  // XMP copies of text fields (some tools, e.g. Draw Things or converters, put generation settings there).
  const xmpEntries: TextEntry[] = [];
  for (const x of scan.xmp) {
    for (const [prop, key] of [['exif:UserComment', 'UserComment'], ['dc:description', 'Description'], ['tiff:ImageDescription', 'ImageDescription']] as const) {
      for (const v of xmpValues(x, prop)) xmpEntries.push({ source: 'xmp', key, value: v });
    }
  }
  const entries = [...scan.entries, ...exifEntries, ...xmpEntries];
  const generatorTrace = detectGenerator(entries);
  const xmp = readXmpDeclarations(scan.xmp);

  let c2pa = emptySummary();
  let c2paNotChecked: string | null = null;
  let reader: C2paReaderRun = { ran: false };
  const mime = C2PA_MIME[info.format];
  if (!opts.c2pa) c2paNotChecked = 'the C2PA check was turned off for this run';
  else if (!mime) {
    if (scan.c2paMarker) c2paNotChecked = `the file looks like it embeds C2PA data, but c2pa-rs cannot read ${info.format} files`;
  } else if (bytes.length > opts.c2paMaxBytes) {
    if (scan.c2paMarker) c2paNotChecked = `the file (${bytes.length} bytes) is above the C2PA reader's limit of ${opts.c2paMaxBytes} bytes`;
  } else {
    const t0 = performance.now();
    const r = await c2paHost(trust.settingsJson).read(mime, bytes, { timeoutMs: opts.c2paTimeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
    if (r.stopped === 'cancelled') throw new VerilensError('cancelled', 'analysis was cancelled');
    c2pa = c2paFromRead(r, scan.c2paMarker, scan.jumbf, trust);
    reader = {
      ran: true,
      engine: '@contentauth/c2pa-wasm 0.13 (c2pa-rs)',
      isolation: r.isolation,
      durationMs: Math.round(performance.now() - t0),
      blockedNetworkRequests: r.blockedFetches,
      ...(r.stopped ? { stopped: r.stopped } : {}),
      ...(r.isolationNote ? { isolationNote: r.isolationNote } : {}),
    };
  }
  if (scan.c2paMarker && !c2pa.present && c2paNotChecked) c2pa.present = true;
  const interp = interpretProvenance({
    c2pa,
    c2paNotChecked,
    generatorTrace,
    xmp,
    exifEntries,
    trustLists: trust.lists,
    trustProblems: trust.problems,
  });
  const data: ProvenanceData = {
    c2pa: {
      ...c2pa,
      reader,
      trustLists: trust.lists.map((l) => ({ id: l.id, title: l.title, date: l.date, source: l.source, licence: l.licence })),
      ...(trust.problems.length ? { trustProblems: trust.problems } : {}),
      offlineNote: 'Validated offline: no remote manifests, no OCSP or other network look-ups; trust only against the bundled lists.',
    },
    generator: interp.generator ? { ...interp.generator } : null,
    declarations: { ...xmp, markers: interp.markers },
    textEntries: entries.slice(0, 50).map((e) => ({ source: e.source, key: e.key, chars: e.value.length })),
    notes,
  };
  return { ...interp, data };
}

async function readVideoHead(path: string, max: number): Promise<Buffer | null> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size > max) return null;
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}


export const provenanceAnalyzer = defineAnalyzer({
  id: 'provenance',
  version: '1.0.0',
  report: provenanceReport,
  timeoutMs: 60_000,
  accepts: (info) => info.kind === 'image' || info.kind === 'video',
  async run(ev: Evidence, ctx) {
    const opts: ProvenanceOptions = { ...ctx.params, signal: ctx.signal };
    let bytes = ev.bytes;
    if (!bytes) {
      bytes = await readVideoHead(ev.path, opts.c2paMaxBytes);
      if (!bytes) {
        return { status: 'not-applicable', reason: `${ev.input}: video larger than the C2PA reader's limit (${opts.c2paMaxBytes} bytes); raise c2paMaxBytes to check it` };
      }
    }
    ctx.progress(0.1, 'reading provenance');
    const r = await analyzeProvenance(bytes, ev.info, opts);
    ctx.progress(1);
    return { status: 'ok', verdict: r.verdict, score: r.score, scoreInfo: r.scoreInfo, findings: r.findings, data: r.data };
  },
});
