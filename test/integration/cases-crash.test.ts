import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CaseSession, loadCase, verifyCase, withCase } from '../../src/cases/index.js';
import { ANALYZER_MAP } from '../../src/analyzers/index.js';

/**
 * Crash safety: a child process writes to a case in a loop and is SIGKILLed at random moments;
 * after every kill the case must open, verify intact, and hold every operation the child had
 * reported as finished. The same file is the child (VERILENS_CRASH_CHILD set).
 */
const SELF = fileURLToPath(import.meta.url);

// A real analyzer that writes artifacts (heatmap and block map) and stored results on each run.
const { ela } = ANALYZER_MAP;

async function childLoop(dir: string, inputs: string, tag: string): Promise<void> {
  const say = (s: string): void => void writeSync(1, `${s}\n`);
  say('ready');
  for (let i = 0; ; ) {
    try {
      await withCase(dir, { analyst: tag, purpose: `crash loop ${tag}` }, async (c) => {
        const op = i % 3;
        if (op === 0) {
          await c.annotate({ kind: 'note', text: `${tag}-${i}` });
          say(`note ${tag}-${i}`);
        } else if (op === 1) {
          const e = await c.addEvidence(join(inputs, `${tag}-${i % 60}.png`));
          say(`evidence ${e.sha256}`);
        } else {
          const [e] = await c.analyze({ analyzers: [ela], evidence: [c.state.evidence.at(-1)?.sha256 ?? ''] });
          say(`analysis ${e?.sha256} ${e?.analysis?.seq}`);
        }
      });
      i++;
    } catch (err) {
      if ((err as { code?: string }).code !== 'case-locked') throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
    }
    if (process.env['VERILENS_CRASH_OPS'] && i >= Number(process.env['VERILENS_CRASH_OPS'])) return;
  }
}

interface ChildRun {
  done: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runChild(dir: string, inputs: string, tag: string, opts: { killAfterMs?: number; ops?: number }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, VERILENS_CRASH_CHILD: dir, VERILENS_CRASH_INPUTS: inputs, VERILENS_CRASH_TAG: tag };
    if (opts.ops) env['VERILENS_CRASH_OPS'] = String(opts.ops);
    const child = spawn(process.execPath, ['--import', 'tsx', SELF], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const first = !out.includes('ready\n');
      out += d;
      if (first && out.includes('ready\n') && opts.killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const lines = out.split('\n');
      lines.pop(); // a line the kill cut short was not reported as done
      resolve({ done: lines.filter((l) => l !== 'ready'), code, signal, stderr });
    });
  });
}

async function assertHolds(dir: string, done: readonly string[]): Promise<void> {
  const v = await verifyCase(dir);
  assert.equal(v.ok, true, `case must verify after a kill: ${JSON.stringify(v.problems)}`);
  const { state } = await loadCase(dir);
  const notes = new Set(state.annotations.map((a) => (a.annotation.kind === 'note' ? a.annotation.text : '')));
  const shas = new Set(state.evidence.map((e) => e.sha256));
  for (const d of done) {
    const [kind, a, b] = d.split(' ');
    if (kind === 'note') assert.ok(notes.has(a ?? ''), `note ${a} was reported done but is missing`);
    else if (kind === 'evidence') assert.ok(shas.has(a ?? ''), `evidence ${a} was reported added but is missing`);
    else if (kind === 'analysis') {
      const ev = state.evidence.find((e) => e.sha256 === a);
      assert.ok(ev?.analysis && ev.analysis.seq >= Number(b), `analysis #${b} of ${a} was reported done but is missing`);
      assert.equal(ev.analysis.analyzers.ela?.status, 'ok');
    } else assert.fail(`unexpected child output: ${d}`);
  }
}

if (process.env['VERILENS_CRASH_CHILD']) {
  await childLoop(process.env['VERILENS_CRASH_CHILD'], process.env['VERILENS_CRASH_INPUTS'] ?? '', process.env['VERILENS_CRASH_TAG'] ?? 'x');
} else {
  describe('case store under crashes and contention', () => {
    let tmp = '';
    let inputs = '';
    before(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'verilens-crash-'));
      inputs = join(tmp, 'inputs');
      await mkdir(inputs);
      // Distinct small PNGs, so evidence adds really copy files (sharp loaded here: the child does not need it).
      const { default: sharp } = await import('sharp');
      for (const tag of ['k', 'p', 'q']) {
        for (let i = 0; i < 60; i++) {
          const png = await sharp({ create: { width: 24, height: 16, channels: 3, background: { r: i * 4, g: tag.charCodeAt(0), b: 255 - i } } }).png().toBuffer();
          await writeFile(join(inputs, `${tag}-${i}.png`), png);
        }
      }
    });
    after(() => rm(tmp, { recursive: true, force: true }));

    it('loses nothing that was recorded when the writer is SIGKILLed at random moments (20 kills)', async () => {
      const dir = join(tmp, 'killed');
      await (await CaseSession.create(dir, { title: 'crash loop' })).close();
      const all: string[] = [];
      let killed = 0;
      for (let round = 0; round < 20; round++) {
        const r = await runChild(dir, inputs, 'k', { killAfterMs: Math.floor(Math.random() * 200) });
        assert.equal(r.stderr.includes('Error'), false, r.stderr);
        if (r.signal === 'SIGKILL') killed++;
        all.push(...r.done);
        await assertHolds(dir, all);
      }
      assert.equal(killed, 20);
      console.log(`# ${all.length} operations finished before their process was killed`);
      assert.ok(all.length > 10, `the child should have finished some operations (got ${all.length})`);
      // The case is still writable after all this, and a stale lock never blocks it.
      await withCase(dir, {}, (c) => c.annotate({ kind: 'note', text: 'after the kills' }));
      assert.equal((await verifyCase(dir)).ok, true);
      const log = await readFile(join(dir, 'custody.log'), 'utf8');
      assert.ok(log.endsWith('\n'), 'the log ends with a complete line');
    });

    it('keeps the case consistent when two processes write to it at once', async () => {
      const dir = join(tmp, 'contended');
      await (await CaseSession.create(dir, { title: 'two writers' })).close();
      const [a, b] = await Promise.all([runChild(dir, inputs, 'p', { ops: 15 }), runChild(dir, inputs, 'q', { ops: 15 })]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      await assertHolds(dir, [...a.done, ...b.done]);
      const { state } = await loadCase(dir);
      assert.equal(state.annotations.length, 10);
    });
  });
}
