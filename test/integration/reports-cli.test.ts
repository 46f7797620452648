import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzerById } from '../../src/analyzers/index.js';
import { runCli } from '../cli-helpers.js';
import { fixture } from '../helpers.js';

/** The whole analyst workflow through the real `verilens` command: case, analysis, annotations, report, verification. */
const tmp = mkdtempSync(join(tmpdir(), 'verilens-reports-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const home = join(tmp, 'home');
const env = { VERILENS_HOME: home, VERILENS_PASSPHRASE: 'correct horse battery', NO_COLOR: '1' };
const caseDir = join(tmp, 'case');
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extra } });

describe('verilens case / report / verify', () => {
  it('runs a case from intake to a verified report, and reports tampering and untrusted signers', async () => {
    for (const id of ['ela', 'metadata']) assert.ok(analyzerById(id), `analyzer '${id}' must be registered`);
    let r = await cli(['case', 'new', '--case', caseDir, '--title', 'Claim 7781', '--analyst', 'Sam']);
    assert.equal(r.code, 0, r.stderr);
    const id = /created case (VL-\d{8}-[0-9A-F]{6})/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);

    r = await cli(['case', 'add', '--case', caseDir, fixture('images', 'ela_modified.jpg'), fixture('images', 'noexif.jpg'), fixture('images', 'not-png-bad-signature.png')]);
    assert.equal(r.code, 1, 'one file could not be added');
    assert.match(r.stderr, /not added: .*not-png-bad-signature\.png: unsupported file type/);
    assert.equal((r.stdout.match(/^added /gm) ?? []).length, 2);

    r = await cli(['case', 'analyze', '--case', caseDir, '--only', 'ela,metadata']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ela_modified\.jpg: (suspicious|inconclusive|consistent)/);

    r = await cli(['case', 'show', '--case', caseDir, '--json']);
    const state = JSON.parse(r.stdout) as { evidence: { names: string[]; analysis: { analyzers: Record<string, { findings: { code: string }[] }> } }[] };
    const findings = state.evidence[0]?.analysis.analyzers['ela']?.findings ?? [];
    const code = findings[0]?.code;
    assert.ok(code, 'ELA reported at least one finding');
    // One region per finding, all with the same code: a mark must say which one.
    const shared = findings.filter((f) => f.code === code).length;
    if (shared > 1) {
      r = await cli(['case', 'annotate', '--case', caseDir, '--evidence', 'ela_modified.jpg', '--mark', 'confirmed', '--analyzer', 'ela', '--finding', code]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`ela has ${shared} findings with code ${code}; pass --index \\d+\\.\\.\\d+ to say which one:\\n  0: `));
      assert.equal(r.stderr.match(/^ {2}\d+: A region of/gm)?.length, shared, 'every region is listed, one per line');
    }

    r = await cli(['case', 'annotate', '--case', caseDir, '--evidence', 'ela_modified.jpg', '--verdict', 'maybe', '--reason', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--verdict takes consistent, suspicious, inconclusive/);
    for (const args of [
      ['--evidence', 'ela_modified.jpg', '--verdict', 'suspicious', '--reason', 'Pasted penguin, confirmed'],
      ['--evidence', 'ela_modified.jpg', '--mark', 'confirmed', '--analyzer', 'ela', '--finding', code, '--index', '0', '--comment', 'matches the object'],
      ['--evidence', 'noexif.jpg', '--bookmark', '--comment', 'No metadata at all', '--region', '0,0,10,10'],
      ['--note', 'Asked the claimant for originals.'],
    ]) {
      r = await cli(['case', 'annotate', '--case', caseDir, ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /recorded as custody entry \d+/);
    }
    r = await cli(['case', 'show', '--case', caseDir]);
    assert.match(r.stdout, /verdict: suspicious \(analyst override\)/);
    assert.match(r.stdout, /custody log: 9 entries/);

    r = await cli(['case', 'verify', '--case', caseDir]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`^INTACT: case ${id}`));

    // Export, twice: the same bytes.
    const out1 = join(tmp, 'r1', 'claim.pdf');
    r = await cli(['report', caseDir, '--out', out1, '--analyst', 'Sam']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /created a new signing key for Sam/);
    assert.match(r.stdout, /as of custody entry 9/);
    const out2 = join(tmp, 'r2', 'again.pdf');
    r = await cli(['report', caseDir, '--out', out2, '--analyst', 'Sam']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(out1).equals(readFileSync(out2)), 'a second export of the same case is byte-identical');
    assert.equal(readFileSync(out1.replace('.pdf', '.sig'), 'utf8'), readFileSync(out2.replace('.pdf', '.sig'), 'utf8'));

    r = await cli(['verify', out1, '--evidence', join(fixture('images'))]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^VALID: /);

    // A colleague without the key: not valid, and told why.
    const colleague = { VERILENS_HOME: join(tmp, 'colleague') };
    r = await cli(['verify', out1], colleague);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^INVALID: /);
    assert.match(r.stdout, /signature is mathematically valid but the signer [0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4} \(calls itself "Sam"\) is not in your trust store/);
    const pub = join(tmp, 'sam.pub.pem');
    r = await cli(['keys', 'export', '--out', pub, '--analyst', 'Sam']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['keys', 'trust', pub, '--name', 'Sam', '--for', 'reports'], colleague);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['verify', out1.replace('.pdf', '.json'), '--case', caseDir], colleague);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /trusted as Sam/);

    // One flipped byte in the PDF.
    const pdf = readFileSync(out2);
    pdf.writeUInt8(pdf.readUInt8(2000) ^ 0x20, 2000);
    writeFileSync(out2, pdf);
    r = await cli(['verify', out2]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^INVALID: [\s\S]*again\.pdf was altered: its SHA-256 is [0-9a-f]{64}, the signature covers [0-9a-f]{64}/);

    // A busy case says who holds it.
    writeFileSync(join(caseDir, 'case.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', purpose: 'case analyze' }));
    r = await cli(['case', 'annotate', '--case', caseDir, '--note', 'blocked']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`is in use by process ${process.pid} on ${hostname()} \\(case analyze`));
    rmSync(join(caseDir, 'case.lock'));

    // One altered custody line.
    const log = join(caseDir, 'custody.log');
    const lines = readFileSync(log, 'utf8').split('\n');
    lines[3] = lines[3]!.replace('"time":"2', '"time":"3');
    writeFileSync(log, lines.join('\n'));
    r = await cli(['case', 'verify', '--case', caseDir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^BROKEN: /);
    assert.match(r.stdout, /problem: custody\.log line 5: line 5 records [0-9a-f]{64} as the SHA-256 of line 4, but line 4 hashes to [0-9a-f]{64}/);
    assert.match(r.stdout, /expected [0-9a-f]{64}\n\s+actual\s+[0-9a-f]{64}/);
    r = await cli(['verify', out1, '--case', caseDir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /custody\.log line 5: line 5 records/);
  });
});
