import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { VERSION } from '../../src/version.js';
import { runCli } from '../cli-helpers.js';
import { fixture, ROOT } from '../helpers.js';

describe('verilens CLI', () => {
  it('keeps its version equal to package.json', async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
    const r = await runCli(['--version']);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('exits 2 with usage on bad command lines', async () => {
    for (const args of [['analyze'], ['analyze', '--bogus', 'x'], ['analyze', '--ela-quality', '500', 'x'], ['analyze', '--only', 'nope', 'x'], ['frobnicate']]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('prints one JSON document and exits 1 when an input could not be analysed', async () => {
    const r = await runCli(['analyze', '--json', fixture('images', 'noexif.jpg'), fixture('images', 'not-png-bad-signature.png')]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { tool: string; version: string; results: Array<{ input: string; evidence: { type: string } | null; error?: { code: string } }> };
    assert.equal(doc.tool, 'verilens');
    assert.equal(doc.version, VERSION);
    assert.equal(doc.results.length, 2);
    assert.equal(doc.results[0]?.evidence?.type, 'image/jpeg');
    assert.equal(doc.results[1]?.evidence, null);
    assert.equal(doc.results[1]?.error?.code, 'unsupported-type');
  });

  it('walks folders recursively and exits 0 when everything was analysed', async () => {
    const r = await runCli(['analyze', '--json', fixture('images'), '--only', 'metadata'].filter((a) => a !== '--only' && a !== 'metadata'));
    const doc = JSON.parse(r.stdout) as { results: Array<{ input: string }> };
    assert.ok(doc.results.length >= 10);
    assert.ok(doc.results.some((x) => x.input.endsWith('canon-dslr.jpg')));
  });
});

describe('analyzer flags are shared by analyze and case analyze', () => {
  it('accepts a fractional --fps in both and refuses a non-number with exit 2', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const home = mkdtempSync(join(tmpdir(), 'verilens-flags-'));
    const env = { VERILENS_HOME: home };
    const dir = join(home, 'case');
    assert.equal((await runCli(['case', 'new', '--case', dir, '--title', 'flags'], { env })).code, 0);
    assert.equal((await runCli(['case', 'add', '--case', dir, fixture('images', 'noexif.jpg')], { env })).code, 0);
    const ok = await runCli(['case', 'analyze', '--case', dir, '--only', 'metadata', '--fps', '0.5'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    const bad = await runCli(['case', 'analyze', '--case', dir, '--fps', 'abc'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fps must be a number/);
    const badAnalyze = await runCli(['analyze', '--fps', 'abc', fixture('images', 'noexif.jpg')], { env });
    assert.equal(badAnalyze.code, 2);
  });
});

describe('CLI robustness', () => {
  it('says a truncated selfie is incomplete instead of reporting no face', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'verilens-trunc-'));
    const cut = join(dir, 'truncated-selfie.jpg');
    writeFileSync(cut, readFileSync(fixture('faces', 'lisa_lisa1.jpg')).subarray(0, 30_000));
    const r = await runCli(['analyze', '--json', '--only', 'faces,liveness', cut]);
    assert.equal(r.code, 0, r.stderr);
    const res = (JSON.parse(r.stdout) as { results: Array<{ analyzers: Record<string, { status: string; error?: { code: string; message: string } }> }> }).results[0]!;
    assert.equal(res.analyzers['faces']?.status, 'error');
    assert.match(res.analyzers['faces']?.error?.message ?? '', /premature end/);
    assert.ok(res.analyzers['faces']?.error?.message.includes(cut), 'names the file');
    assert.equal(res.analyzers['liveness']?.status, 'unavailable');
  });

  it('stops quietly when its output pipe is closed early (verilens ... | head)', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../helpers.js');
    // Human-readable mode writes per file, so later writes hit the closed pipe.
    const child = spawn(process.execPath, [CLI, 'analyze', '--only', 'metadata,jpeg', fixture('images')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.doesNotMatch(stderr, /EPIPE|\n\s+at /, 'no EPIPE stack trace');
    assert.ok(code === 0 || code === 1, `exit code ${code}`);
  });

  it('refuses --out that names a file, with exit 2', async () => {
    const r = await runCli(['analyze', '--out', fixture('images', 'noexif.jpg'), fixture('images', 'noexif.jpg')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a file; give a folder/);
  });
});
