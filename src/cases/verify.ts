import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { JsonObject } from '../contract/json.js';
import { canonicalJson } from '../util/canonical-json.js';
import { CASE_FILE, CUSTODY_FILE, EVIDENCE_DIR } from './layout.js';
import { hashStoredFile, loadCase, replay, resultsLoader, type CaseProblem } from './replay.js';
import type { CaseState } from './types.js';

/** Verifying a case: every evidence copy re-hashed, the custody chain walked, case.json and stored results checked against the log. */

export interface EvidenceCheck {
  sha256: string;
  name: string;
  stored: string;
  status: 'ok' | 'missing' | 'altered';
  actual?: string;
}

export interface CaseVerification {
  ok: boolean;
  dir: string;
  id: string;
  entries: number;
  head: string;
  problems: CaseProblem[];
  /** Worth knowing but not a break (an interrupted write, a stale snapshot). */
  notes: string[];
  evidence: EvidenceCheck[];
}

/** Re-hash every evidence file, walk the custody chain, and check case.json and stored results against it. */
export async function verifyCase(dirIn: string): Promise<CaseVerification> {
  const loaded = await loadCase(dirIn);
  const { dir, state } = loaded;
  const problems: CaseProblem[] = loaded.breaks.map((b) => {
    const p: CaseProblem = { where: `${CUSTODY_FILE} line ${b.line}`, message: b.message };
    if (b.expected !== undefined) p.expected = b.expected;
    if (b.actual !== undefined) p.actual = b.actual;
    return p;
  });
  problems.push(...loaded.problems);
  const notes: string[] = [];
  if (loaded.tornTail !== null) {
    notes.push(`${CUSTODY_FILE} ends with an incomplete write of ${Buffer.byteLength(loaded.tornTail)} bytes (a crash before it was committed); it is removed, and the removal logged, on the next change`);
  }

  const evidence: EvidenceCheck[] = [];
  for (const e of state.evidence) {
    const path = join(dir, e.stored);
    const name = e.names[0] ?? e.sha256;
    const actual = await hashStoredFile(path);
    if (actual === 'not-a-file') {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'altered' });
      problems.push({ where: e.stored, message: `evidence ${name} is not a regular file in the case (a symlink, pipe or device was put in its place); evidence copies are plain read-only files` });
    } else if (actual === null) {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'missing' });
      problems.push({ where: e.stored, message: `evidence ${name} is missing from the case` });
    } else if (actual !== e.sha256) {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'altered', actual });
      problems.push({ where: e.stored, message: `evidence ${name} was altered: its SHA-256 is now ${actual}, custody.log recorded ${e.sha256}`, expected: e.sha256, actual });
    } else {
      evidence.push({ sha256: e.sha256, name, stored: e.stored, status: 'ok' });
      const mode = (await stat(path)).mode & 0o222;
      if (mode !== 0) notes.push(`${e.stored} is writable (mode ${((await stat(path)).mode & 0o777).toString(8)}); evidence copies are kept read-only (0444)`);
    }
  }
  const known = new Set(state.evidence.map((e) => basename(e.stored)));
  for (const f of (await readdir(join(dir, EVIDENCE_DIR)).catch(() => [] as string[])).sort()) {
    if (!known.has(f)) notes.push(`${EVIDENCE_DIR}/${f} is not recorded in custody.log (left by an interrupted add, or placed there by hand)`);
  }

  // case.json is a snapshot; it must agree with the log (it may lag by the entries of an interrupted write).
  const snapText = await readFile(join(dir, CASE_FILE), 'utf8').catch(() => null);
  if (snapText === null) {
    notes.push(`${CASE_FILE} is missing; it is rebuilt from custody.log on the next change`);
  } else {
    let snap: CaseState | null = null;
    try {
      snap = JSON.parse(snapText) as CaseState;
    } catch {
      problems.push({ where: CASE_FILE, message: `${CASE_FILE} is not valid JSON` });
    }
    if (snap) {
      const at = loaded.lines.findIndex((l) => l.sha256 === snap.custody?.head);
      if (at < 0) {
        problems.push({
          where: CASE_FILE,
          message: `${CASE_FILE} records custody head ${snap.custody?.head}, which is not the hash of any line of custody.log: the log's last line${loaded.lines.length ? ` (line ${loaded.lines.length})` : ''} or ${CASE_FILE} was altered`,
          expected: snap.custody?.head,
          actual: state.custody.head,
        });
      } else {
        const behind = loaded.lines.length - (at + 1);
        const ref = behind === 0 ? state : (await replay(loaded.lines, resultsLoader(dir), at + 1)).state;
        // A hand-edited case.json may hold what canonical JSON refuses (1e999 is Infinity): that is a difference too.
        const canon = (v: unknown): string | null => {
          try {
            return canonicalJson(v);
          } catch {
            return null;
          }
        };
        if (canon(ref) === null || canon(ref) !== canon(snap)) {
          const keys = Object.keys(ref).filter((k) => canon((ref as unknown as JsonObject)[k]) !== canon((snap as unknown as Record<string, unknown>)[k]));
          problems.push({ where: CASE_FILE, message: `${CASE_FILE} differs from what custody.log records (in: ${keys.join(', ') || 'layout'}): one of them was edited` });
        }
        if (behind > 0) notes.push(`${CASE_FILE} is ${behind} entr${behind === 1 ? 'y' : 'ies'} behind custody.log (a write was interrupted); it is refreshed on the next change`);
      }
    }
  }
  return { ok: problems.length === 0, dir, id: state.id, entries: loaded.lines.length, head: state.custody.head, problems, notes, evidence };
}
