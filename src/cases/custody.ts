import { sha256Hex } from '../util/hash.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { Annotation } from './types.js';
import type { EvidenceInfo, ModelUse } from '../contract/results.js';

/** The hash a first entry records as its predecessor. */
export const GENESIS = '0'.repeat(64);

export interface Actor {
  analyst: string;
  host: string;
}

export interface CaseCreatedData {
  id: string;
  title: string;
  analyst: string;
  notes: string;
}

export interface EvidenceAddedData {
  sha256: string;
  bytes: number;
  /** Original file name (basename) as the analyst had it. */
  name: string;
  /** Absolute path the copy was taken from. */
  source: string;
  /** Where the read-only copy lives, relative to the case folder. */
  stored: string;
  info: EvidenceInfo;
}

export interface AnalyzerRunSummary {
  id: string;
  version: string;
  status: string;
  models: ModelUse[];
}

export interface AnalysisRunData {
  evidence: string;
  analyzers: AnalyzerRunSummary[];
  /** Content-addressed JSON file with the full results, relative to the case folder. */
  results: { sha256: string; path: string };
  /** The evidence re-hashed after analysis matched its recorded SHA-256. */
  unchanged: boolean;
  /**
   * The analyzers asked for (`--only`): a partial run updates these results and keeps the others
   * from earlier runs. Absent on a full run, whose results replace the earlier ones.
   */
  only?: string[];
}

export interface ReportExportedData {
  /** The custody entry the report describes the case as of. */
  asOfSeq: number;
  asOfHead: string;
  pdf: { name: string; sha256: string };
  json: { name: string; sha256: string };
  signer: string;
}

export interface LogRecoveredData {
  /** Bytes of an incomplete last line (a write cut off by a crash) that were removed. */
  discardedBytes: number;
  discardedSha256: string;
}

export type CustodyEvent =
  | { type: 'case-created'; data: CaseCreatedData }
  | { type: 'evidence-added'; data: EvidenceAddedData }
  | { type: 'analysis-run'; data: AnalysisRunData }
  | { type: 'annotation'; data: { annotation: Annotation } }
  | { type: 'report-exported'; data: ReportExportedData }
  | { type: 'log-recovered'; data: LogRecoveredData };

export type CustodyEntry = CustodyEvent & {
  /** 1-based; equals the line number in custody.log. */
  seq: number;
  /** ISO-8601 UTC. */
  time: string;
  actor: Actor;
  /** SHA-256 of the previous line's exact bytes (without its newline); GENESIS for the first. */
  prev: string;
};

export interface ParsedLine {
  line: number;
  text: string;
  sha256: string;
  entry: CustodyEntry | null;
}

export interface ChainBreak {
  line: number;
  problem: 'not-json' | 'not-canonical' | 'bad-seq' | 'prev-mismatch' | 'bad-entry';
  message: string;
  expected?: string;
  actual?: string;
}

export interface ChainReport {
  lines: ParsedLine[];
  breaks: ChainBreak[];
  /** Bytes after the last newline: a write that was cut off (crash), never committed. */
  tornTail: string | null;
  /** SHA-256 of the last complete line, GENESIS when the log is empty. */
  head: string;
}

export function encodeEntry(e: CustodyEntry): string {
  return canonicalJson(e);
}

const TYPES = new Set(['case-created', 'evidence-added', 'analysis-run', 'annotation', 'report-exported', 'log-recovered']);

function looksLikeEntry(v: unknown): v is CustodyEntry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['seq'] === 'number' &&
    typeof o['time'] === 'string' &&
    typeof o['prev'] === 'string' &&
    typeof o['type'] === 'string' &&
    TYPES.has(o['type']) &&
    typeof o['data'] === 'object' &&
    o['data'] !== null &&
    typeof o['actor'] === 'object' &&
    o['actor'] !== null
  );
}

/** Split the log into lines and walk the hash chain. Pure: takes the file's text. */
export function walkChain(text: string): ChainReport {
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  const lines: ParsedLine[] = [];
  const breaks: ChainBreak[] = [];
  let prevHash = GENESIS;
  parts.forEach((t, i) => {
    const line = i + 1;
    const sha256 = sha256Hex(t);
    let entry: CustodyEntry | null = null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      breaks.push({ line, problem: 'not-json', message: `line ${line} is not valid JSON (it was altered or damaged)` });
    }
    if (parsed !== undefined) {
      if (!looksLikeEntry(parsed)) {
        breaks.push({ line, problem: 'bad-entry', message: `line ${line} is JSON but not a custody entry (missing or wrong seq, time, type, actor, data or prev)` });
      } else {
        entry = parsed;
        let canonical: string | null;
        try {
          canonical = canonicalJson(parsed);
        } catch {
          canonical = null; // e.g. 1e999 parses to Infinity: not JSON Verilens could have written
        }
        if (canonical !== t) {
          breaks.push({ line, problem: 'not-canonical', message: `line ${line} is not in canonical form (it was rewritten by something other than Verilens)` });
        }
        if (parsed.seq !== line) {
          breaks.push({ line, problem: 'bad-seq', message: `line ${line} says it is entry ${parsed.seq}`, expected: String(line), actual: String(parsed.seq) });
        }
        if (parsed.prev !== prevHash) {
          breaks.push({
            line,
            problem: 'prev-mismatch',
            message:
              line === 1
                ? `line 1 should start the chain (prev ${GENESIS.slice(0, 12)}...) but records prev ${parsed.prev}`
                : `line ${line} records ${parsed.prev} as the SHA-256 of line ${line - 1}, but line ${line - 1} hashes to ${prevHash}: line ${line - 1} (or this line's prev field) was altered`,
            expected: prevHash,
            actual: parsed.prev,
          });
        }
      }
    }
    lines.push({ line, text: t, sha256, entry });
    prevHash = sha256;
  });
  return { lines, breaks, tornTail: tail.length > 0 ? tail : null, head: prevHash };
}

/** One line of a readable custody summary (CLI, PDF). */
export function describeEntry(e: CustodyEntry): string {
  switch (e.type) {
    case 'case-created':
      return `case ${e.data.id} created: "${e.data.title}"`;
    case 'evidence-added':
      return `evidence added: ${e.data.name} (${e.data.bytes} bytes, sha256 ${e.data.sha256.slice(0, 16)}...) from ${e.data.source}`;
    case 'analysis-run':
      return `analysis of ${e.data.evidence.slice(0, 16)}...: ${e.data.analyzers.map((a) => `${a.id} ${a.version}`).join(', ') || 'no analyzers'}${e.data.unchanged ? '' : ' (EVIDENCE CHANGED DURING ANALYSIS)'}`;
    case 'annotation':
      return `annotation: ${describeAnnotation(e.data.annotation)}`;
    case 'report-exported':
      return `report exported: ${e.data.pdf.name} (pdf sha256 ${e.data.pdf.sha256.slice(0, 16)}...), signed by ${e.data.signer}, as of entry ${e.data.asOfSeq}`;
    case 'log-recovered':
      return `log recovered after an interrupted write: ${e.data.discardedBytes} incomplete bytes removed (sha256 ${e.data.discardedSha256.slice(0, 16)}...)`;
  }
}

export function describeAnnotation(a: Annotation): string {
  switch (a.kind) {
    case 'verdict-override':
      return `verdict on ${a.evidence.slice(0, 12)}...${a.analyzer ? ` (${a.analyzer})` : ''} set to ${a.verdict}: ${a.reason}`;
    case 'finding-mark':
      return `finding ${a.analyzer}/${a.finding}${a.index !== undefined ? ` #${a.index}` : ''} on ${a.evidence.slice(0, 12)}... marked ${a.mark}${a.comment ? `: ${a.comment}` : ''}`;
    case 'bookmark':
      return `bookmark on ${a.evidence.slice(0, 12)}...: ${a.comment}`;
    case 'note':
      return `note: ${a.text}`;
  }
}
