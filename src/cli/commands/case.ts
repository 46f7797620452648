import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { ANALYZERS } from '../../analyzers/index.js';
import { CaseSession, defaultAnalyst, defaultCasesDir, findEvidence, loadCase, newCaseId, verifyCase, withCase, type CaseVerification } from '../../cases/index.js';
import { describeEntry } from '../../cases/custody.js';
import { listSharedFindings } from '../../cases/finding-marks.js';
import type { Annotation, CaseState } from '../../cases/types.js';
import { effectiveVerdict } from '../../cases/verdict.js';
import { resultById } from '../../contract/analyzers/index.js';
import type { Region, Verdict } from '../../contract/results.js';
import { createEngineServices } from '../../engine/services.js';
import { shortFingerprint } from '../../keys/ed25519.js';
import { printable } from '../../util/display.js';
import { VerilensError } from '../../util/errors.js';
import { dataHome } from '../../util/paths.js';
import { intOption, parseCommandLine, UsageError, type CliIO, type Command } from '../io.js';
import { ProgressBar } from '../progress.js';
import { expandInputs } from '../walk.js';
import { paramFlagHelp, paramFlagOptions, paramsFromFlags } from '../params.js';
import { checkOnly } from './analyze.js';

const USAGE = `verilens case <subcommand> --case DIR [options]
  new [--case DIR] --title TEXT [--notes TEXT] [--analyst NAME]
        create a case (default folder: <data folder>/cases/<case id>)
  add --case DIR <file|folder...>
        copy evidence into the case (read-only, named by SHA-256, original names kept)
  analyze --case DIR [--evidence REF,REF] [--only ID,ID] [--models DIR] [--timeout MS] [analyzer options]
        analyse the case's evidence; results and artifacts are stored in the case; analyzer options:
${paramFlagHelp('          ').join('\n')}
  annotate --case DIR --evidence REF (--verdict consistent|suspicious|inconclusive --reason TEXT [--analyzer ID]
                                     | --mark confirmed|dismissed|noted --analyzer ID --finding CODE [--index N] [--comment TEXT]
                                     | --bookmark --comment TEXT [--region X,Y,W,H])
  annotate --case DIR --note TEXT
  show --case DIR [--json]
        summary of the case: evidence, verdicts, annotations, custody log
  verify --case DIR [--json]
        re-hash every evidence file and walk the custody chain; exit 0 only when intact
REF is a file name as added or the start (6+ hex digits) of the evidence SHA-256.
Every change is recorded in the case's custody.log (who, when, what) and cannot be undone.
Who: --analyst NAME on any subcommand, else the VERILENS_ANALYST environment variable, else the
OS user name (not the case's analyst: whoever acts is recorded).`;

const VERDICTS: readonly Verdict[] = ['consistent', 'suspicious', 'inconclusive'];
const MARKS = ['confirmed', 'dismissed', 'noted'] as const;

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Record<string, unknown>; positionals: string[] } {
  return parseCommandLine(argv, { case: { type: 'string' }, analyst: { type: 'string' }, ...options });
}

function str(values: Record<string, unknown>, k: string): string | undefined {
  const v = values[k];
  return typeof v === 'string' ? v : undefined;
}

/** The custody actor: --analyst, else VERILENS_ANALYST, else the OS user. */
function analystOf(values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): string {
  return str(values, 'analyst')?.trim() || defaultAnalyst(env);
}

function caseDir(values: Record<string, unknown>): string {
  const dir = str(values, 'case');
  if (!dir) throw new UsageError('--case DIR is required (the case folder)');
  return dir;
}

function parseRegion(raw: string): Region {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--region takes X,Y,WIDTH,HEIGHT in pixels, got '${raw}'`);
  const [x, y, width, height] = parts.map(Number) as [number, number, number, number];
  return { x, y, width, height };
}

function annotationFrom(values: Record<string, unknown>): Annotation {
  const note = str(values, 'note');
  const evidence = str(values, 'evidence');
  const verdict = str(values, 'verdict');
  const mark = str(values, 'mark');
  const bookmark = values['bookmark'] === true;
  const chosen = [note !== undefined, verdict !== undefined, mark !== undefined, bookmark].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('annotate takes exactly one of --verdict, --mark, --bookmark or --note');
  if (note !== undefined) {
    // A case-wide note names no file: taking --evidence silently would misfile what the analyst meant.
    if (evidence !== undefined) throw new UsageError('--note is a case-wide note and takes no --evidence; to annotate a file use --bookmark --comment TEXT');
    return { kind: 'note', text: note };
  }
  if (!evidence) throw new UsageError('--evidence REF is required (a file name or the start of its SHA-256)');
  const analyzer = str(values, 'analyzer');
  const comment = str(values, 'comment');
  if (verdict !== undefined) {
    if (!(VERDICTS as readonly string[]).includes(verdict)) throw new UsageError(`--verdict takes ${VERDICTS.join(', ')}, got '${verdict}'`);
    const reason = str(values, 'reason');
    if (!reason) throw new UsageError('a verdict override needs --reason TEXT');
    return { kind: 'verdict-override', evidence, verdict: verdict as Verdict, reason, ...(analyzer ? { analyzer } : {}) };
  }
  if (mark !== undefined) {
    if (!(MARKS as readonly string[]).includes(mark)) throw new UsageError(`--mark takes ${MARKS.join(', ')}, got '${mark}'`);
    const finding = str(values, 'finding');
    if (!analyzer || !finding) throw new UsageError('--mark needs --analyzer ID and --finding CODE');
    const index = str(values, 'index');
    if (index !== undefined && !/^\d{1,6}$/.test(index)) throw new UsageError(`--index takes the finding's position in the analyzer's findings (0, 1, ...), got '${index}'`);
    return { kind: 'finding-mark', evidence, analyzer, finding, ...(index !== undefined ? { index: Number(index) } : {}), mark: mark as (typeof MARKS)[number], ...(comment ? { comment } : {}) };
  }
  if (!comment) throw new UsageError('--bookmark needs --comment TEXT');
  const region = str(values, 'region');
  return { kind: 'bookmark', evidence, comment, ...(region ? { region: parseRegion(region) } : {}) };
}

function showText(state: CaseState, dir: string, entries: string[]): string {
  const out: string[] = [];
  out.push(`case ${state.id}: ${state.title}`, `folder   ${dir}`, `analyst  ${state.analyst}`, `created  ${state.created}`);
  if (state.notes) out.push(`notes    ${state.notes.replace(/\n/g, '\n         ')}`);
  out.push('', `evidence (${state.evidence.length})`);
  for (const e of state.evidence) {
    const v = effectiveVerdict(state, e.sha256);
    out.push(printable(`  ${e.names.join(', ')}  ${e.info.format} ${e.info.bytes} bytes  sha256 ${e.sha256}`));
    out.push(`    verdict: ${v.verdict}${v.overridden ? ' (analyst override)' : ''}${v.reason ? `: ${v.reason}` : ''}`);
    for (const [id, r] of Object.entries(e.analysis?.analyzers ?? {})) {
      out.push(`    ${id.padEnd(12)} ${r.status}${r.verdict ? ` ${r.verdict}` : ''}${r.score !== undefined ? ` score ${r.score.toFixed(3)}` : ''}${r.findings.length ? ` (${r.findings.length} finding${r.findings.length === 1 ? '' : 's'})` : ''}`);
    }
  }
  if (state.annotations.length) {
    out.push('', `annotations (${state.annotations.length})`);
    for (const a of state.annotations) out.push(`  #${a.seq} ${a.time} ${a.analyst}: ${entries[a.seq - 1] ?? ''}`);
  }
  if (state.reports.length) {
    out.push('', `reports (${state.reports.length})`);
    for (const r of state.reports) out.push(`  #${r.seq} ${r.time} ${r.pdf.name} (as of entry ${r.asOfSeq}) pdf sha256 ${r.pdf.sha256} signer ${shortFingerprint(r.signer)}`);
  }
  out.push('', `custody log: ${state.custody.entries} entries, head ${state.custody.head}`);
  entries.forEach((t, i) => out.push(`  ${String(i + 1).padStart(3)}  ${printable(t)}`));
  return `${out.join('\n')}\n`;
}

export function formatVerification(v: CaseVerification): string {
  const out: string[] = [];
  out.push(v.ok ? `INTACT: case ${v.id} (${v.dir})` : `BROKEN: case ${v.id || '?'} (${v.dir})`);
  out.push(`custody log: ${v.entries} entries, head ${v.head}`);
  for (const e of v.evidence) out.push(`  ${e.status === 'ok' ? 'ok     ' : e.status.toUpperCase().padEnd(7)} ${e.name}  ${e.sha256}${e.actual ? ` (now ${e.actual})` : ''}`);
  for (const p of v.problems) {
    out.push(`problem: ${p.where}: ${p.message}`);
    if (p.expected !== undefined || p.actual !== undefined) out.push(`         expected ${p.expected ?? '-'}`, `         actual   ${p.actual ?? '-'}`);
  }
  for (const n of v.notes) out.push(`note: ${n}`);
  // Names come from evidence files and case files: no escapes or newlines may forge an INTACT line.
  return `${out.map(printable).join('\n')}\n`;
}

export const caseCommand: Command = {
  name: 'case',
  summary: 'work in cases: evidence with a chain of custody, analysis, annotations',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'new': {
        const { values, positionals } = parse(rest, { title: { type: 'string' }, notes: { type: 'string' } });
        if (positionals.length) throw new UsageError(`case new takes no positional arguments (got ${positionals.join(' ')})`);
        const title = str(values, 'title');
        if (!title?.trim()) throw new UsageError('case new needs --title TEXT');
        const analyst = analystOf(values, io.env);
        const now = new Date();
        const id = newCaseId(now);
        const dir = str(values, 'case') ?? join(defaultCasesDir(io.env), id);
        const c = await CaseSession.create(dir, { title, analyst, id, now: () => now, ...(str(values, 'notes') ? { notes: str(values, 'notes') } : {}) });
        await c.close();
        io.out(`created case ${c.state.id} in ${c.dir}\nrecorded as custody entry 1 by ${printable(analyst)}\n`);
        return 0;
      }
      case 'add': {
        const { values, positionals } = parse(rest, {});
        const dir = caseDir(values);
        if (!positionals.length) throw new UsageError('case add needs files or folders to add');
        const files = await expandInputs(positionals);
        if (!files.length) throw new UsageError(`no files found under ${positionals.join(', ')}`);
        let failed = 0;
        await withCase(dir, { analyst: analystOf(values, io.env), purpose: 'case add' }, async (c) => {
          for (const f of files) {
            try {
              const e = await c.addEvidence(f);
              io.out(`added ${printable(f)}  sha256 ${e.sha256}  (recorded as custody entry ${e.sources.at(-1)?.seq} by ${printable(c.analyst)})\n`);
            } catch (err) {
              if (!(err instanceof VerilensError)) throw err;
              failed++;
              io.err(`not added: ${err.message}\n`);
            }
          }
        });
        return failed ? 1 : 0;
      }
      case 'analyze': {
        const { values } = parse(rest, { evidence: { type: 'string' }, only: { type: 'string' }, models: { type: 'string' }, timeout: { type: 'string' }, ...paramFlagOptions() });
        const dir = caseDir(values);
        const list = (k: string): string[] | undefined => str(values, k)?.split(',').map((s) => s.trim()).filter(Boolean);
        const only = list('only');
        checkOnly(only);
        const params = paramsFromFlags(values);
        const timeoutMs = intOption('timeout', str(values, 'timeout'), 1, 24 * 3600 * 1000);
        const models = str(values, 'models');
        const services = createEngineServices({ home: dataHome(io.env), ...(models ? { modelsDir: models } : {}) });
        const evidence = list('evidence');
        const ac = new AbortController();
        const onSigint = (): void => ac.abort();
        process.once('SIGINT', onSigint);
        try {
          const analyst = analystOf(values, io.env);
          const done = await withCase(dir, { analyst, purpose: 'case analyze' }, async (c) => {
            const total = evidence?.length ?? c.state.evidence.length;
            const bar = new ProgressBar(io.err, total, io.errIsTTY && total > 1);
            let i = 0;
            let last = '';
            try {
              return await c.analyze({
                analyzers: ANALYZERS,
                services,
                params,
                signal: ac.signal,
                ...(only ? { only } : {}),
                ...(evidence ? { evidence } : {}),
                ...(timeoutMs ? { timeoutMs } : {}),
                onProgress: (e) => {
                  if (e.input !== last) bar.update(i++, (last = e.input));
                },
              });
            } finally {
              bar.done();
            }
          });
          for (const e of done) {
            const st = await loadCase(dir);
            const v = effectiveVerdict(st.state, e.sha256);
            io.out(`${printable(e.names[0] ?? '')}: ${v.verdict}${v.overridden ? ' (analyst override)' : ''}  [${Object.entries(e.analysis?.analyzers ?? {}).map(([id, r]) => `${id} ${r.verdict ?? r.status}`).join(', ')}]\n`);
            if (e.analysis) io.out(`  recorded as custody entry ${e.analysis.seq} by ${printable(analyst)}\n`);
            if (e.analysis && !e.analysis.unchanged) io.err(`ALERT: ${e.names[0]} changed on disk during analysis\n`);
          }
          io.out(`${done.length} evidence file${done.length === 1 ? '' : 's'} analysed${ac.signal.aborted ? ' (interrupted)' : ''}\n`);
          return ac.signal.aborted ? 1 : 0;
        } finally {
          process.off('SIGINT', onSigint);
        }
      }
      case 'annotate': {
        const { values, positionals } = parse(rest, {
          evidence: { type: 'string' },
          verdict: { type: 'string' },
          reason: { type: 'string' },
          analyzer: { type: 'string' },
          mark: { type: 'string' },
          finding: { type: 'string' },
          index: { type: 'string' },
          comment: { type: 'string' },
          bookmark: { type: 'boolean' },
          region: { type: 'string' },
          note: { type: 'string' },
        });
        if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (quote texts with spaces)`);
        const dir = caseDir(values);
        const a = annotationFrom(values);
        const e = await withCase(dir, { analyst: analystOf(values, io.env), purpose: 'case annotate' }, async (c) => {
          if (a.kind === 'finding-mark' && a.index === undefined) {
            // Several findings can share a code (one per region): the analyst must say which one. Printed
            // here, not thrown, so the whole list reaches the terminal (error messages are cut to one line).
            const analysis = findEvidence(c.state, a.evidence).analysis;
            const findings = (analysis && resultById(analysis.analyzers, a.analyzer))?.findings ?? [];
            const same = findings.flatMap((f, i) => (f.code === a.finding ? [i] : []));
            const range = same.every((x, k) => k === 0 || x === same[k - 1]! + 1) ? `${same[0]}..${same.at(-1)}` : same.join(', ');
            if (same.length > 1) {
              const list = listSharedFindings(a.analyzer, a.finding, findings, `pass --index ${range} to say which one`);
              io.err(`verilens case: ${list.split('\n').map(printable).join('\n')}\n`);
              return null;
            }
          }
          return c.annotate(a);
        });
        if (!e) return 1;
        io.out(`recorded as custody entry ${e.seq} by ${printable(e.actor.analyst)}: ${describeEntry(e)}\n`);
        return 0;
      }
      case 'show': {
        const { values } = parse(rest, { json: { type: 'boolean' } });
        const loaded = await loadCase(caseDir(values));
        if (values['json']) {
          io.out(`${JSON.stringify(loaded.state, null, 2)}\n`);
        } else {
          io.out(showText(loaded.state, loaded.dir, loaded.lines.map((l) => (l.entry ? describeEntry(l.entry) : '(damaged line)'))));
          if (loaded.breaks.length || loaded.problems.length) io.err(`warning: the case has integrity problems; run 'verilens case verify --case ${loaded.dir}'\n`);
        }
        return 0;
      }
      case 'verify': {
        const { values } = parse(rest, { json: { type: 'boolean' } });
        const v = await verifyCase(caseDir(values));
        io.out(values['json'] ? `${JSON.stringify(v, null, 2)}\n` : formatVerification(v));
        return v.ok ? 0 : 1;
      }
      default:
        throw new UsageError(sub ? `unknown case subcommand '${sub}'` : 'case needs a subcommand');
    }
  },
};
