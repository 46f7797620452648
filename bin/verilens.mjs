#!/usr/bin/env node
// Entry point of the `verilens` command. The engine is compiled to dist/ by `npm ci` (prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('verilens: the engine is not built; run `npm run build` in the project folder.\n');
  process.exit(2);
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
if (process.env.VERILENS_REPORT_RSS) {
  // Used by the robustness and memory suites: peak resident set size of this process, in KiB.
  const { peakRssKiB } = await import(new URL('../dist/src/util/peak-rss.js', import.meta.url).href);
  process.stderr.write(`\nverilens-max-rss-kib ${peakRssKiB()}\n`);
}
