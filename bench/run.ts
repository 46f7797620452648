// `npm run bench`: runs every bench/*.ts module that exports `bench()`, each printing its own
// figures as ratios against a baseline measured in the same run. `npm run bench -- ela` filters.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.log(`no benchmark matches ${filters.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { bench?: () => Promise<void> };
  if (typeof mod.bench !== 'function') continue;
  console.log(`\n== ${f.replace(/\.ts$/, '')} ==`);
  try {
    await mod.bench();
  } catch (err) {
    failed++;
    console.log(`bench ${f} failed: ${(err as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
