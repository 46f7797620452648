#!/usr/bin/env node
// The one test command (`npm test`): builds the engine (so the CLI under test is the real one),
// runs every test/**/*.test.ts with Node's test runner, and ends with "N passed, N failed".
// Usage: npm test [-- <file or folder filter>...]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('build failed: 0 passed, 1 failed');
  process.exit(1);
}

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules' || name === 'screenshots') continue;
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const filters = process.argv.slice(2);
const files = find(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.log('no test files matched: 0 passed, 1 failed');
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'verilens-test-'));
const tap = join(tmp, 'results.tap');
const args = [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=600000',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
];
const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, VERILENS_TEST: '1' } });
child.on('exit', (code, signal) => {
  let text = '';
  try { text = readFileSync(tap, 'utf8'); } catch { /* runner died before writing */ }
  rmSync(tmp, { recursive: true, force: true });
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  const passed = num('pass');
  const failed = num('fail') + num('cancelled');
  const skipped = num('skipped') + num('todo');
  const broken = code !== 0 && failed === 0 ? 1 : 0;
  console.log(`${passed} passed, ${failed + broken} failed, ${skipped} skipped`);
  process.exit(code === 0 && !signal ? 0 : 1);
});
