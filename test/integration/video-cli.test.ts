import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalysisDocument } from '../../src/contract/results.js';
import { mediaToolPath } from '../../src/media/binaries.js';
import { runCli } from '../cli-helpers.js';
import { CLI, fixture, ROOT } from '../helpers.js';
import { eventually, mediaProcessesMentioning } from '../media-helpers.js';



let tmp = '';
let long = '';

/** Start `verilens analyze` on a long clip, wait until ffmpeg is decoding it, then send `sig` to the CLI. */
async function interrupt(sig: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; hadFfmpeg: boolean }> {
  const child = spawn(process.execPath, [CLI, 'analyze', '--only', 'video-faces', '--fps', '10', '--json', long], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.resume();
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('close', (code, signal) => res({ code, signal })));
  const hadFfmpeg = await eventually(() => mediaProcessesMentioning(long).some((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('rawvideo')), 60_000);
  await new Promise((r) => setTimeout(r, 300));
  child.kill(sig);
  const end = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
  if (end === null) {
    child.kill('SIGKILL');
    throw new Error(`the CLI did not exit within 20 s of ${sig}`);
  }
  return { ...end, hadFfmpeg };
}

describe('verilens analyze on videos', () => {
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'verilens-video-cli-'));
    long = join(tmp, 'long-clip.mkv');
    execFileSync(mediaToolPath('ffmpeg'), ['-v', 'error', '-y', '-stream_loop', '14', '-i', fixture('video', 'asl_yes.mkv'), '-c', 'copy', long], { timeout: 30_000 });
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs the container and video-faces analyzers, honours --fps and writes the timeline and contact sheet', async () => {
    const out = join(tmp, 'artifacts');
    const r = await runCli(['analyze', '--json', '--fps', '4', '--dense', '0.25', '--only', 'container,video-faces', '--out', out, fixture('video', 'asl_yes.mkv')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as AnalysisDocument;
    const res = doc.results[0];
    assert.equal(res?.evidence?.kind, 'video');
    assert.equal(res?.integrity?.unchanged, true);
    const c = res?.analyzers['container'];
    const v = res?.analyzers['video-faces'];
    assert.equal(c?.status, 'ok');
    assert.ok(c?.findings.some((f) => f.code === 'ffmpeg-muxed'));
    assert.equal(v?.status, 'ok', JSON.stringify(v?.error));
    assert.equal((v?.data['sampling'] as { fps: number }).fps, 4);
    assert.equal(v?.provenance.parameters['fps'], 4);
    assert.equal(v?.provenance.parameters['denseSeconds'], 0.25);
    const dense = (v?.data['dense'] as { windows: { frames: number }[] } | null)?.windows ?? [];
    assert.equal(dense.length, 1);
    assert.ok((dense[0]?.frames ?? 0) >= 10, 'every frame of a 0.5 s window at 30 frames/s');
    assert.ok(((v?.data['perFrame'] as unknown[]) ?? []).length >= 8);
    for (const a of v?.artifacts ?? []) assert.ok(a.path && existsSync(a.path), `${a.kind} not written`);
    assert.deepEqual(v?.artifacts.map((a) => a.kind).sort(), ['contact-sheet', 'timeline']);
  });

  it('refuses a malformed --fps with a usage error', async () => {
    const r = await runCli(['analyze', '--fps', 'fast', fixture('video', 'asl_yes.mkv')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--fps must be a number/);
  });

  it('Ctrl-C mid-way stops ffmpeg with the CLI: no child process remains', async () => {
    const r = await interrupt('SIGINT');
    assert.ok(r.hadFfmpeg, 'ffmpeg never started');
    assert.ok(await eventually(() => mediaProcessesMentioning(long).length === 0, 5000), `left behind: ${mediaProcessesMentioning(long).join(', ')}`);
  });

  it('killing the CLI outright (SIGKILL) leaves no ffmpeg behind either', async () => {
    const r = await interrupt('SIGKILL');
    assert.ok(r.hadFfmpeg, 'ffmpeg never started');
    assert.equal(r.signal, 'SIGKILL');
    // The orphan's next write hits a closed pipe and it exits.
    assert.ok(await eventually(() => mediaProcessesMentioning(long).length === 0, 5000), `left behind: ${mediaProcessesMentioning(long).join(', ')}`);
  });
});
