import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ANALYZER_MAP, ANALYZERS } from '../../src/analyzers/index.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { CaseSession, loadCase, verifyCase, withCase } from '../../src/cases/index.js';
import { walkChain } from '../../src/cases/custody.js';
import { findingSha256, markedFindings } from '../../src/cases/finding-marks.js';
import type { AnalyzerId } from '../../src/contract/analyzers/index.js';
import type { Finding } from '../../src/contract/results.js';
import type { Analyzer } from '../../src/engine/analyzer.js';
import { createEngineServices } from '../../src/engine/services.js';
import { standIn } from '../analyzer-doubles.js';
import { fixture, ROOT } from '../helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'verilens-cases-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const newDir = (): string => join(tmp, `case-${++n}`);
const clock = (start = Date.parse('2026-03-01T09:00:00Z')) => {
  let t = start;
  return () => new Date((t += 1000));
};

const IMG_A = fixture('images', 'ela_original.jpg');
const IMG_B = fixture('images', 'png_png_with_exif_and_gps.png');

const { ela, faces, metadata } = ANALYZER_MAP;
const services = createEngineServices();

async function sampleCase(): Promise<string> {
  const dir = newDir();
  const c = await CaseSession.create(dir, { title: 'Loan application 42', analyst: 'alice', now: clock() });
  try {
    await c.addEvidence(IMG_A);
    await c.addEvidence(IMG_B);
  } finally {
    await c.close();
  }
  return dir;
}

function lines(dir: string): string[] {
  return readFileSync(join(dir, 'custody.log'), 'utf8').split('\n').filter(Boolean);
}

function flipByteInLine(dir: string, lineNo: number, find: string, repl: string): void {
  const ls = lines(dir);
  const l = ls[lineNo - 1]!;
  assert.ok(l.includes(find), `line ${lineNo} should contain ${find}`);
  ls[lineNo - 1] = l.replace(find, repl);
  writeFileSync(join(dir, 'custody.log'), `${ls.join('\n')}\n`);
}

describe('canonical JSON', () => {
  it('sorts keys, drops whitespace and undefined, and uses ECMAScript number form', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, é: 1e21, d: 0.1, e: -0 }), '{"a":[true,null,"x"],"b":1,"d":0.1,"e":0,"é":1e+21}');
    assert.equal(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3 }), '{"\\r":2,"1":3,"€":1}');
    assert.throws(() => canonicalJson({ x: Number.NaN }), { code: 'not-json' });
    assert.throws(() => canonicalJson({ x: new Date(0) }), { code: 'not-json' });
  });
});

describe('case store', () => {
  it('creates a case, keeps read-only content-addressed copies with their original names, and a valid chain', async () => {
    const dir = await sampleCase();
    const { state } = await loadCase(dir);
    assert.match(state.id, /^VL-20260301-[0-9A-F]{6}$/);
    assert.equal(state.title, 'Loan application 42');
    assert.equal(state.evidence.length, 2);
    const a = state.evidence.find((e) => e.names.includes('ela_original.jpg'))!;
    assert.equal(a.stored, `evidence/${a.sha256}.jpeg`);
    assert.deepEqual(readFileSync(join(dir, a.stored)), readFileSync(IMG_A));
    assert.equal(statSync(join(dir, a.stored)).mode & 0o777, 0o444);
    assert.equal(a.sources[0]?.path, IMG_A);
    const ls = lines(dir);
    assert.equal(ls.length, 3);
    const entries = ls.map((l) => JSON.parse(l) as { type: string; seq: number; data: Record<string, unknown>; actor: { analyst: string; host: string } });
    assert.deepEqual(entries.map((e) => e.type), ['case-created', 'evidence-added', 'evidence-added']);
    assert.equal(entries[1]?.data['bytes'], statSync(IMG_A).size);
    assert.equal(entries[1]?.actor.analyst, 'alice');
    assert.equal(entries[1]?.actor.host, hostname());
    const v = await verifyCase(dir);
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.deepEqual(v.notes, []);
    assert.equal(v.entries, 3);
  });

  it('records the same bytes added twice once, under both names', async () => {
    const dir = await sampleCase();
    const copy = join(tmp, 'renamed-copy.jpg');
    writeFileSync(copy, readFileSync(IMG_A));
    await withCase(dir, { analyst: 'bob' }, (c) => c.addEvidence(copy));
    const { state } = await loadCase(dir);
    assert.equal(state.evidence.length, 2);
    assert.deepEqual(state.evidence[0]?.names, ['ela_original.jpg', 'renamed-copy.jpg']);
    assert.equal(state.evidence[0]?.sources.length, 2);
    assert.equal((await verifyCase(dir)).ok, true);
  });

  it('refuses files that are not evidence, naming the file', async () => {
    const dir = await sampleCase();
    await assert.rejects(
      withCase(dir, {}, (c) => c.addEvidence(fixture('images', 'not-png-bad-signature.png'))),
      (e: Error & { code?: string }) => e.code === 'unsupported-type' && e.message.includes('not-png-bad-signature.png'),
    );
    assert.equal(lines(dir).length, 3);
  });

  it('stores analysis results content-addressed and logs analyzer versions and model digests', async () => {
    const dir = await sampleCase();
    await withCase(dir, { analyst: 'alice' }, (c) => c.analyze({ analyzers: [ela, faces], services }));
    const { state } = await loadCase(dir);
    const ev = state.evidence[0]!;
    const r = ev.analysis?.analyzers.ela;
    assert.equal(r?.status, 'ok');
    assert.ok(r?.status === 'ok' && r.data.global.max > 0, 'the error map was recorded');
    assert.match(r?.artifacts[0]?.path ?? '', /^artifacts\/[0-9a-f]{64}\.png$/);
    const entry = JSON.parse(lines(dir)[3]!) as { type: string; data: { analyzers: { id: string; version: string; models: { id: string; sha256: string }[] }[]; results: { path: string; sha256: string } } };
    assert.equal(entry.type, 'analysis-run');
    const yunet = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8')).models.find((m: { id: string }) => m.id === 'yunet');
    assert.deepEqual(
      entry.data.analyzers.map((a) => [a.id, a.version, a.models[0]?.sha256]),
      [
        ['ela', ela.version, undefined],
        ['faces', faces.version, yunet.sha256],
      ],
    );
    assert.equal(entry.data.results.path, `artifacts/${entry.data.results.sha256}.json`);
    assert.equal((await verifyCase(dir)).ok, true);

    // Editing stored results is caught.
    const resPath = join(dir, entry.data.results.path);
    writeFileSync(resPath, readFileSync(resPath, 'utf8').replace('"status":"ok"', '"status":"error"'));
    const v = await verifyCase(dir);
    assert.equal(v.ok, false);
    assert.ok(v.problems.some((p) => p.where === 'custody.log line 4' && /were altered/.test(p.message)), JSON.stringify(v.problems));
  });

  it('records annotations and refuses empty reasons or unknown findings', async () => {
    const dir = await sampleCase();
    await withCase(dir, { analyst: 'alice' }, async (c) => {
      await c.analyze({ analyzers: [ela], evidence: ['ela_original.jpg'] });
      await assert.rejects(c.annotate({ kind: 'verdict-override', evidence: 'ela_original.jpg', verdict: 'suspicious', reason: '  ' }), { code: 'empty-annotation' });
      await assert.rejects(c.annotate({ kind: 'finding-mark', evidence: 'ela_original.jpg', analyzer: 'ela', finding: 'nope', mark: 'confirmed' }), { code: 'unknown-finding' });
      await c.annotate({ kind: 'verdict-override', evidence: 'ela_original.jpg', verdict: 'suspicious', reason: 'Applicant admitted editing the photo.' });
      await c.annotate({ kind: 'finding-mark', evidence: 'ela_original.jpg', analyzer: 'ela', finding: 'ela-method-limits', mark: 'noted', comment: 'expected' });
      await c.annotate({ kind: 'bookmark', evidence: 'png_png_with_exif_and_gps.png', comment: 'GPS points to the branch office', region: { x: 0, y: 0, width: 1, height: 1 } });
      await c.annotate({ kind: 'note', text: 'Requested originals from the applicant.' });
    });
    const { state } = await loadCase(dir);
    assert.deepEqual(state.annotations.map((a) => a.annotation.kind), ['verdict-override', 'finding-mark', 'bookmark', 'note']);
    const ov = state.annotations[0]!.annotation;
    assert.equal(ov.kind === 'verdict-override' && ov.evidence, state.evidence[0]!.sha256);
    assert.equal(state.notes, 'Requested originals from the applicant.');
    assert.deepEqual(lines(dir).map((l) => (JSON.parse(l) as { type: string }).type).slice(3), ['analysis-run', 'annotation', 'annotation', 'annotation', 'annotation']);
    assert.equal((await verifyCase(dir)).ok, true);
  });

  it('marks one of several findings that share a code (one ELA region), and keeps old code-wide marks meaning every one', async () => {
    const dir = newDir();
    const c = await CaseSession.create(dir, { title: 'Pasted penguin', analyst: 'alice', now: clock() });
    let findings: Finding[] = [];
    let regions: number[] = [];
    try {
      await c.addEvidence(fixture('images', 'ela_modified.jpg'));
      await c.analyze({ analyzers: ANALYZERS, only: ['ela'] });
      findings = c.state.evidence[0]!.analysis!.analyzers['ela']!.findings;
      regions = findings.flatMap((f, i) => (f.code === 'ela-outlier-region' ? [i] : []));
      assert.ok(regions.length >= 3, `ELA reports several outlier regions on the pasted penguin, got ${regions.length}`);
      const mark = { kind: 'finding-mark', evidence: 'ela_modified.jpg', analyzer: 'ela', finding: 'ela-outlier-region', mark: 'confirmed' } as const;
      await assert.rejects(c.annotate(mark), (e: Error & { code?: string }) => e.code === 'ambiguous-finding' && e.message.includes(`ela has ${regions.length} findings with code ela-outlier-region`));
      await assert.rejects(c.annotate({ ...mark, index: findings.length }), { code: 'unknown-finding' });
      const other = findings.findIndex((f) => f.code !== 'ela-outlier-region');
      if (other >= 0) await assert.rejects(c.annotate({ ...mark, index: other }), { code: 'unknown-finding' });
      await c.annotate({ ...mark, index: regions[1]!, comment: 'the beak' });
    } finally {
      await c.close();
    }
    const { state } = await loadCase(dir);
    const a = state.annotations[0]!.annotation;
    assert.ok(a.kind === 'finding-mark');
    assert.equal(a.index, regions[1]);
    assert.equal(a.findingSha256, findingSha256(findings[regions[1]!]!));
    assert.deepEqual(markedFindings(a, findings), [regions[1]]);
    // After re-analysis the mark follows its finding, and never lands on another one.
    const first = findings[regions[0]!]!;
    assert.deepEqual(markedFindings(a, findings.filter((f) => f !== first)), [regions[1]! - 1], 'a finding removed before it: the mark moves with it');
    const changed = findings.map((f) => (f === findings[regions[1]!] ? { ...f, message: `${f.message} (re-run)` } : f));
    assert.deepEqual(markedFindings(a, changed), [], 'its finding is gone: the mark is stale, not moved to another region');
    assert.match(lines(dir).at(-1)!, new RegExp(`"index":${regions[1]}`));

    // A case written before marks had an index: the same mark without index and digest still opens, verifies, and covers every region.
    const ls = lines(dir);
    const last = JSON.parse(ls.at(-1)!) as { data: { annotation: Record<string, unknown> } };
    delete last.data.annotation['index'];
    delete last.data.annotation['findingSha256'];
    writeFileSync(join(dir, 'custody.log'), `${[...ls.slice(0, -1), canonicalJson(last)].join('\n')}\n`);
    unlinkSync(join(dir, 'case.json'));
    const v = await verifyCase(dir);
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    const old = (await loadCase(dir)).state.annotations[0]!.annotation;
    assert.ok(old.kind === 'finding-mark' && old.index === undefined);
    assert.deepEqual(markedFindings(old, findings), regions);
  });

  it('pinpoints an altered custody line with the expected and actual hashes', async () => {
    const dir = await sampleCase();
    const before = lines(dir);
    flipByteInLine(dir, 2, '"bytes":', '"bytes":1'); // one byte more: a different size
    const v = await verifyCase(dir);
    assert.equal(v.ok, false);
    const p = v.problems.find((x) => x.where === 'custody.log line 3');
    assert.ok(p, JSON.stringify(v.problems));
    assert.match(p.message, /line 3 records [0-9a-f]{64} as the SHA-256 of line 2, but line 2 hashes to [0-9a-f]{64}/);
    assert.equal(p.actual, walkChain(`${before.join('\n')}\n`).lines[1]?.sha256);
    assert.equal(p.expected, walkChain(`${lines(dir).join('\n')}\n`).lines[1]?.sha256);
    await assert.rejects(CaseSession.open(dir), { code: 'custody-broken' });
  });

  it('catches an edit of the last custody line through the head recorded in case.json', async () => {
    const dir = await sampleCase();
    flipByteInLine(dir, 3, 'png_png_with', 'png_pnG_with');
    const v = await verifyCase(dir);
    assert.equal(v.ok, false);
    assert.ok(v.problems.some((p) => p.where === 'case.json' && /not the hash of any line of custody.log: the log's last line \(line 3\)/.test(p.message)), JSON.stringify(v.problems));
  });

  it('catches a line that is no longer JSON, and a hand-edited case.json', async () => {
    const dir = await sampleCase();
    const cj = join(dir, 'case.json');
    writeFileSync(cj, readFileSync(cj, 'utf8').replace('Loan application 42', 'Loan application 43'));
    let v = await verifyCase(dir);
    assert.ok(v.problems.some((p) => p.where === 'case.json' && /differs from what custody.log records \(in: title\): one of them was edited/.test(p.message)), JSON.stringify(v.problems));
    flipByteInLine(dir, 1, '{', '[');
    v = await verifyCase(dir);
    assert.ok(v.problems.some((p) => p.where === 'custody.log line 1' && /not valid JSON/.test(p.message)), JSON.stringify(v.problems));
  });

  it('re-hashes evidence and reports an altered or missing copy', async () => {
    const dir = await sampleCase();
    const { state } = await loadCase(dir);
    const [a, b] = state.evidence;
    const pa = join(dir, a!.stored);
    chmodSync(pa, 0o644);
    const buf = readFileSync(pa);
    buf.writeUInt8(buf.readUInt8(buf.length >> 1) ^ 0x01, buf.length >> 1);
    writeFileSync(pa, buf);
    chmodSync(join(dir, b!.stored), 0o644);
    unlinkSync(join(dir, b!.stored));
    const v = await verifyCase(dir);
    assert.equal(v.ok, false);
    assert.deepEqual(v.evidence.map((e) => e.status), ['altered', 'missing']);
    assert.ok(v.problems.some((p) => p.where === a!.stored && p.expected === a!.sha256 && /ela_original.jpg was altered/.test(p.message)), JSON.stringify(v.problems));
    assert.ok(v.problems.some((p) => /png_png_with_exif_and_gps.png is missing/.test(p.message)), JSON.stringify(v.problems));
  });

  it('locks a case against a second writer with a clear message, and takes over a dead process lock', async () => {
    const dir = await sampleCase();
    const c = await CaseSession.open(dir, { purpose: 'test' });
    await assert.rejects(CaseSession.open(dir), (e: Error & { code?: string }) => e.code === 'case-locked' && e.message.includes(`process ${process.pid} on ${hostname()} (test`) && e.message.includes('case.lock'));
    await c.close();
    // A lock left by a process that no longer exists (a finished child's pid) is stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'case.lock'), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: '2026-01-01T00:00:00Z', purpose: 'crashed' }));
    await withCase(dir, {}, (s) => s.annotate({ kind: 'note', text: 'after a crash' }));
    // One from another machine is not guessed at.
    writeFileSync(join(dir, 'case.lock'), JSON.stringify({ pid: 1, host: 'other-host', started: '2026-01-01T00:00:00Z', purpose: 'analyze' }));
    await assert.rejects(CaseSession.open(dir), /in use by process 1 on other-host .*no longer exists on its machine, delete/);
  });

  it('treats an incomplete last line as never written, and logs its removal on the next change', async () => {
    const dir = await sampleCase();
    appendFileSync(join(dir, 'custody.log'), '{"actor":{"analyst":"al');
    let v = await verifyCase(dir);
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.match(v.notes.join('\n'), /incomplete write of 23 bytes/);
    await withCase(dir, {}, (c) => c.annotate({ kind: 'note', text: 'resumed' }));
    const types = lines(dir).map((l) => (JSON.parse(l) as { type: string; data: { discardedBytes?: number } }));
    assert.deepEqual(types.slice(3).map((t) => t.type), ['log-recovered', 'annotation']);
    assert.equal(types[3]?.data.discardedBytes, 23);
    v = await verifyCase(dir);
    assert.equal(v.ok, true);
    assert.deepEqual(v.notes, []);
  });

  it('rebuilds the state from the log when case.json is missing, and refuses to create over a non-empty folder', async () => {
    const dir = await sampleCase();
    unlinkSync(join(dir, 'case.json'));
    const { state } = await loadCase(dir);
    assert.equal(state.evidence.length, 2);
    assert.match((await verifyCase(dir)).notes.join(), /case.json is missing/);
    await assert.rejects(CaseSession.create(dir, { title: 'x' }), { code: 'case-exists' });
    await assert.rejects(loadCase(join(tmp, 'nowhere')), /no such case folder/);
  });
});

describe('case store on a hand-written log', () => {
  it('reports entries that chain correctly but do not hold what their type promises, without failing', async () => {
    const dir = await sampleCase();
    const ls = lines(dir).map((l) => JSON.parse(l) as Record<string, unknown>);
    // Rewrite entry 2 to point outside the case, then re-chain every later line (as a forger would).
    const e2 = ls[1] as { data: Record<string, unknown> };
    e2.data = { ...e2.data, stored: '../../etc/passwd' };
    let prev = walkChain(`${canonicalJson(ls[0])}\n`).head;
    const out: string[] = [canonicalJson(ls[0])];
    for (const e of ls.slice(1)) {
      const text = canonicalJson({ ...e, prev });
      out.push(text);
      prev = walkChain(`${text}\n`).head;
    }
    writeFileSync(join(dir, 'custody.log'), `${out.join('\n')}\n`);
    const v = await verifyCase(dir);
    assert.equal(v.ok, false);
    assert.ok(v.problems.some((p) => p.where === 'custody.log line 2' && /evidence-added entry on line 2 is malformed \(evidence entry does not name a content-addressed copy \(stored: \.\.\/\.\.\/etc\/passwd\)\)/.test(p.message)), JSON.stringify(v.problems));
    assert.equal(v.evidence.length, 1, 'only the well-formed evidence entry is checked');
    assert.ok(v.problems.some((p) => p.where === 'case.json'), 'case.json no longer matches the rewritten log');
  });
});

describe('file verdict', () => {
  /** A stand-in for analyzer `id` that reports a fixed verdict with the given basis (the verdict rule reads only these). */
  const verdictOf = (id: AnalyzerId, verdict: 'suspicious' | 'consistent', basis: 'weak-score' | 'strong-score' | 'alert' | 'none'): Analyzer =>
    standIn(id, async (ev) => ({
      status: 'ok',
      verdict,
      data: { bytes: ev.info.bytes },
      ...(basis === 'weak-score' || basis === 'strong-score'
        ? { score: 0.9, scoreInfo: { method: 'm', measuredOn: 'n', limits: 'l', strength: basis === 'weak-score' ? ('weak' as const) : ('moderate' as const), threshold: 0.5 } }
        : {}),
      findings: basis === 'alert' ? [{ severity: 'alert' as const, code: 'x', message: 'An alert.' }] : [],
    }));

  it('lets only alerts and non-weak scores make a file suspicious; weak signals alone leave it inconclusive, named', async () => {
    const { effectiveVerdict } = await import('../../src/cases/verdict.js');
    const run = async (analyzers: Analyzer[]) => {
      const dir = await sampleCase();
      await withCase(dir, { analyst: 'alice' }, (c) => c.analyze({ analyzers, evidence: ['ela_original.jpg'] }));
      const { state } = await loadCase(dir);
      return { dir, state, v: effectiveVerdict(state, state.evidence[0]!.sha256) };
    };
    const weak = await run([verdictOf('ela', 'suspicious', 'weak-score'), verdictOf('metadata', 'consistent', 'none')]);
    assert.equal(weak.v.verdict, 'inconclusive');
    assert.match(weak.v.reason ?? '', /only weak signals.*ela/);
    assert.equal((await run([verdictOf('liveness', 'suspicious', 'strong-score')])).v.verdict, 'suspicious');
    assert.equal((await run([verdictOf('provenance', 'suspicious', 'alert'), verdictOf('ela', 'suspicious', 'weak-score')])).v.reason, 'suspicious according to provenance');
    assert.equal((await run([verdictOf('jpeg', 'consistent', 'none'), verdictOf('metadata', 'consistent', 'none')])).v.verdict, 'consistent');
    // An analyst who confirms the weak analyzer's verdict makes it carry the file's verdict.
    await withCase(weak.dir, { analyst: 'alice' }, (c) =>
      c.annotate({ kind: 'verdict-override', evidence: 'ela_original.jpg', analyzer: 'ela', verdict: 'suspicious', reason: 'Heatmap shows a pasted block.' }),
    );
    const after = await loadCase(weak.dir);
    assert.equal(effectiveVerdict(after.state, after.state.evidence[0]!.sha256).verdict, 'suspicious');
  });
});

describe('cancelled analysis', () => {
  it('does not record a run cancelled part-way over the last complete analysis', async () => {
    const dir = await sampleCase();
    await withCase(dir, { analyst: 'alice' }, (c) => c.analyze({ analyzers: [metadata], evidence: ['ela_original.jpg'] }));
    const before = await loadCase(dir);
    const entriesBefore = lines(dir).length;
    const ac = new AbortController();
    const slow = standIn(
      'jpeg',
      (_ev, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
          setTimeout(() => ac.abort(), 20);
        }),
    );
    await withCase(dir, { analyst: 'alice' }, (c) => c.analyze({ analyzers: [metadata, slow], evidence: ['ela_original.jpg'], signal: ac.signal }));
    const after = await loadCase(dir);
    assert.equal(lines(dir).length, entriesBefore, 'no analysis-run entry for the cancelled run');
    assert.deepEqual(after.state.evidence[0]?.analysis, before.state.evidence[0]?.analysis, 'the last complete analysis is kept');
    assert.equal((await verifyCase(dir)).ok, true, 'case still verifies');
  });
});

describe('partial re-run', () => {
  it('updates only the analyzers asked for and keeps the others, each with the run that produced it', async () => {
    const dir = newDir();
    const img = fixture('images', 'ela_modified.jpg');
    const real = ANALYZERS.filter((a) => a.id === 'metadata' || a.id === 'jpeg' || a.id === 'ela');
    assert.equal(real.length, 3);
    const c = await CaseSession.create(dir, { title: 'partial', analyst: 'alice', now: clock() });
    try {
      await c.addEvidence(img);
      await c.analyze({ analyzers: real });
      await c.analyze({ analyzers: real, only: ['ela'], params: { ela: { quality: 80 } } });
    } finally {
      await c.close();
    }
    const { state } = await loadCase(dir);
    const an = state.evidence[0]!.analysis!;
    assert.deepEqual(Object.keys(an.analyzers).sort(), ['ela', 'jpeg', 'metadata']);
    assert.equal(an.seq, 4, 'the latest run is the partial one');
    assert.equal(an.runs?.['ela']?.seq, 4);
    assert.equal(an.runs?.['metadata']?.seq, 3, 'metadata stays from the full run');
    assert.equal(an.runs?.['jpeg']?.seq, 3);
    assert.equal((an.analyzers['ela']!.provenance.parameters as { quality?: number }).quality, 80);
    // case.json is what the log replays to, and the case verifies.
    const snap = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as unknown;
    assert.equal(canonicalJson(snap), canonicalJson(state));
    const v = await verifyCase(dir);
    assert.deepEqual(v.problems, []);
    // The report names which run produced each result.
    const { buildReport } = await import('../../src/reports/model.js');
    const doc = buildReport(state, (await loadCase(dir)).lines, { analyst: 'alice', fingerprint: 'f'.repeat(64) });
    const runs = Object.fromEntries(doc.evidence[0]!.analysis!.analyzers.map((a) => [a.id, a.run.seq]));
    assert.deepEqual(runs, { ela: 4, jpeg: 3, metadata: 3 });
    // A full run afterwards replaces everything again.
    await withCase(dir, { analyst: 'alice' }, (s) => s.analyze({ analyzers: real }));
    const full = (await loadCase(dir)).state.evidence[0]!.analysis!;
    assert.equal(full.runs, undefined);
    assert.equal((full.analyzers['ela']!.provenance.parameters as { quality?: number }).quality, 90);
  });
});

describe('annotation references', () => {
  it('refuses an unknown evidence reference with the known names, and a bookmark region outside the image', async () => {
    const dir = newDir();
    const c = await CaseSession.create(dir, { title: 'refs', analyst: 'alice', now: clock() });
    try {
      const ev = await c.addEvidence(fixture('images', 'ela_modified.jpg'));
      await assert.rejects(c.annotate({ kind: 'bookmark', evidence: 'nothere.jpg', comment: 'x' }), (err: Error) => {
        assert.match(err.message, /no evidence 'nothere\.jpg'/);
        assert.match(err.message, /ela_modified\.jpg/);
        return true;
      });
      const w = ev.info.displayWidth ?? ev.info.width!;
      const h = ev.info.displayHeight ?? ev.info.height!;
      await assert.rejects(c.annotate({ kind: 'bookmark', evidence: 'ela_modified.jpg', comment: 'x', region: { x: 0, y: 0, width: 5000, height: 10 } }), (err: Error) => {
        assert.match(err.message, new RegExp(`${w} x ${h} pixels`));
        return true;
      });
      await assert.rejects(c.annotate({ kind: 'bookmark', evidence: 'ela_modified.jpg', comment: 'x', region: { x: w - 1, y: h - 1, width: 2, height: 1 } }), /reaches outside/);
      const ok = await c.annotate({ kind: 'bookmark', evidence: 'ela_modified.jpg', comment: 'corner', region: { x: w - 10, y: h - 10, width: 10, height: 10 } });
      assert.equal(ok.type, 'annotation');
    } finally {
      await c.close();
    }
    assert.equal(lines(dir).length, 3, 'only the valid bookmark was recorded');
  });
});
