import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../cli-helpers.js';
import { fixture } from '../helpers.js';

/** Review findings on the case workflow: references, attribution, and what `verify` says. */
const tmp = mkdtempSync(join(tmpdir(), 'verilens-case-workflow-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const home = join(tmp, 'home');
const env = { VERILENS_HOME: home, VERILENS_PASSPHRASE: 'correct horse battery', NO_COLOR: '1', VERILENS_ANALYST: '' };
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extra } });
const os = userInfo().username;

function actors(dir: string): string[] {
  return readFileSync(join(dir, 'custody.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { actor: { analyst: string } }).actor.analyst);
}

describe('case workflow review', () => {
  const dir = join(tmp, 'case');
  const img = fixture('images', 'ela_modified.jpg');

  it('refuses --note with --evidence, unknown evidence, and a region outside the image', async () => {
    let r = await cli(['case', 'new', '--case', dir, '--title', 'Refs', '--analyst', 'Ana Lyst']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['case', 'add', '--case', dir, img]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['case', 'annotate', '--case', dir, '--evidence', 'nothere.jpg', '--note', 'x']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--note .*takes no --evidence/);
    r = await cli(['case', 'annotate', '--case', dir, '--evidence', 'nothere.jpg', '--bookmark', '--comment', 'x']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no evidence 'nothere\.jpg'.*ela_modified\.jpg/);
    r = await cli(['case', 'annotate', '--case', dir, '--evidence', 'ela_modified.jpg', '--bookmark', '--comment', 'too wide', '--region', '0,0,5000,10']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /reaches outside ela_modified\.jpg, which is \d+ x \d+ pixels/);
    assert.equal(actors(dir).length, 2, 'nothing refused was recorded');
  });

  it('records the actor as --analyst, else VERILENS_ANALYST, else the OS user, and says who', async () => {
    let r = await cli(['case', 'annotate', '--case', dir, '--note', 'by the OS user']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`recorded as custody entry 3 by ${os}`));
    r = await cli(['case', 'annotate', '--case', dir, '--note', 'by env'], { VERILENS_ANALYST: 'Ana Lyst' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /recorded as custody entry 4 by Ana Lyst/);
    r = await cli(['case', 'add', '--case', dir, '--analyst', 'Bo Flag', fixture('images', 'noexif.jpg')], { VERILENS_ANALYST: 'Ana Lyst' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /recorded as custody entry 5 by Bo Flag/);
    assert.deepEqual(actors(dir), ['Ana Lyst', os, os, 'Ana Lyst', 'Bo Flag']);
  });

  it('keeps the other analyzers\' results after a partial re-run (--only ela)', async () => {
    let r = await cli(['case', 'analyze', '--case', dir, '--evidence', 'ela_modified.jpg', '--only', 'metadata,jpeg,ela']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /recorded as custody entry 6 by /);
    r = await cli(['case', 'analyze', '--case', dir, '--evidence', 'ela_modified.jpg', '--only', 'ela', '--ela-quality', '80']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['case', 'show', '--case', dir, '--json']);
    const st = JSON.parse(r.stdout) as { evidence: { names: string[]; analysis?: { analyzers: Record<string, unknown>; runs?: Record<string, { seq: number }> } }[] };
    const an = st.evidence.find((e) => e.names.includes('ela_modified.jpg'))!.analysis!;
    assert.deepEqual(Object.keys(an.analyzers).sort(), ['ela', 'jpeg', 'metadata']);
    assert.deepEqual(Object.fromEntries(Object.entries(an.runs ?? {}).map(([k, v]) => [k, v.seq])), { ela: 7, jpeg: 6, metadata: 6 });
    r = await cli(['case', 'verify', '--case', dir]);
    assert.equal(r.code, 0, r.stdout);
  });

  it('refuses report --analyst naming someone other than the key owner', async () => {
    const pdf = join(tmp, 'r1.pdf');
    let r = await cli(['report', dir, '--out', pdf, '--analyst', 'Ana Lyst']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /signed by Ana Lyst/);
    r = await cli(['report', dir, '--out', join(tmp, 'r2.pdf'), '--analyst', 'Bo Flag']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /belongs to Ana Lyst.*Bo Flag/);
  });

  it('says a missing report file does not exist, and states trust apart from a failed signature', async () => {
    let r = await cli(['verify', join(tmp, 'nope.pdf')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /nope\.pdf: no such file/);
    assert.doesNotMatch(r.stdout, /nope\.sig is missing/);
    const sig = join(tmp, 'r1.sig');
    const s = JSON.parse(readFileSync(sig, 'utf8')) as { signature: string };
    const b = Buffer.from(s.signature, 'base64');
    b[0] = b[0]! ^ 1;
    writeFileSync(sig, JSON.stringify({ ...s, signature: b.toString('base64') }));
    r = await cli(['verify', join(tmp, 'r1.pdf')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^INVALID/);
    assert.doesNotMatch(r.stdout, /NOT trusted/, 'the key is the analyst\'s own: it is trusted, the signature is what failed');
    assert.match(r.stdout, /signature does not match/);
  });
});
