// Robustness: every file of ../shared/corpus/malformed gives a result or a clear per-file error,
// through the real CLI in a child process: no crash, no hang, no unhandled rejection, no stack
// trace, bounded time and memory, and analyzer errors that read as explanations, not JS bugs.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { AnalysisDocument } from '../../src/contract/results.js';
import { runCli } from '../cli-helpers.js';
import { corpus, filesUnder, needCorpus } from '../helpers.js';

const MALFORMED = corpus('malformed');
const MAX_RSS_MIB = 1024;
/** Messages that betray a bug in our code rather than a problem with the file. */
const JS_BUG = /Cannot read propert|is not a function|is not iterable|undefined is not|Maximum call stack|Invalid array length|out of memory/i;


const groups = needCorpus
  ? []
  : readdirSync(MALFORMED)
      .sort()
      .flatMap((top) => {
        const p = join(MALFORMED, top);
        if (!statSync(p).isDirectory()) return [];
        const subs = readdirSync(p).filter((s) => statSync(join(p, s)).isDirectory());
        return subs.length ? subs.sort().map((s) => join(top, s)) : [top];
      });

describe('malformed corpus sweep', { skip: needCorpus }, () => {
  for (const group of groups) {
    it(`gives a result or a clear error for every file in ${group}`, async () => {
      const dir = join(MALFORMED, group);
      const files = filesUnder(dir);
      const t0 = Date.now();
      const r = await runCli(['analyze', '--json', '--timeout', '20000', dir], { timeoutMs: 20 * 60_000, env: { VERILENS_REPORT_RSS: '1' } });
      const elapsed = Date.now() - t0;
      assert.ok(r.code === 0 || r.code === 1, `exit code ${r.code}; stderr: ${r.stderr.slice(0, 2000)}`);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace on stderr');
      assert.doesNotMatch(r.stderr, /UnhandledPromiseRejection|unhandled/i);
      const doc = JSON.parse(r.stdout) as AnalysisDocument;
      assert.equal(doc.results.length, files.length, 'one result per file');
      const problems: string[] = [];
      for (const res of doc.results) {
        const name = relative(MALFORMED, res.input);
        if (!res.evidence) {
          if (!res.error?.code || !res.error.message.includes(res.input)) problems.push(`${name}: intake error without code or file name: ${JSON.stringify(res.error)}`);
          continue;
        }
        for (const [id, a] of Object.entries(res.analyzers)) {
          if (a.status === 'error' || a.status === 'unavailable') {
            if (!a.error?.code || !a.error.message) problems.push(`${name} ${id}: error without code/message`);
            else if (a.error.code === 'timeout') problems.push(`${name} ${id}: timed out`);
            else if (JS_BUG.test(a.error.message) || a.error.code === 'internal') problems.push(`${name} ${id}: looks like a bug: ${a.error.code}: ${a.error.message}`);
          }
        }
        if (res.integrity && !res.integrity.unchanged) problems.push(`${name}: evidence changed during analysis`);
      }
      assert.deepEqual(problems, []);
      const rss = Number((r.stderr.match(/verilens-max-rss-kib (\d+)/) ?? [])[1]);
      assert.ok(rss > 0, 'child reported its peak RSS');
      assert.ok(rss / 1024 < MAX_RSS_MIB, `peak RSS ${(rss / 1024).toFixed(0)} MiB over ${MAX_RSS_MIB} MiB`);
      console.log(`# ${group}: ${files.length} files in ${(elapsed / 1000).toFixed(1)} s, peak RSS ${(rss / 1024).toFixed(0)} MiB`);
    });
  }
});
