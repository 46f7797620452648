import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EvidenceInfo } from '../../src/contract/results.js';
import type { Analyzer } from '../../src/engine/analyzer.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile, planAnalyzers } from '../../src/engine/runner.js';
import { fixture } from '../helpers.js';

const images = (i: EvidenceInfo): boolean => i.kind === 'image';
const base = { version: '1', defaults: {}, accepts: images };

const ok: Analyzer = { ...base, id: 'ok', title: 'ok', run: async (ev) => ({ status: 'ok', verdict: 'consistent', data: { bytes: ev.info.bytes } }) };
const boom: Analyzer = { ...base, id: 'boom', title: 'boom', run: async () => { throw new Error('kaboom'); } };
const hang: Analyzer = { ...base, id: 'hang', title: 'hang', timeoutMs: 150, run: () => new Promise(() => undefined) };
const dependent: Analyzer = {
  ...base,
  id: 'dep',
  title: 'dep',
  requires: ['ok'],
  run: async (_ev, ctx) => ({ status: 'ok', data: { sawOk: ctx.results['ok']?.status === 'ok' } }),
};
const needsBoom: Analyzer = { ...base, id: 'needs-boom', title: 'needs boom', requires: ['boom'], run: async () => ({ status: 'ok', data: {} }) };
const videoOnly: Analyzer = { ...base, id: 'video', title: 'Video check', accepts: (i) => i.kind === 'video', run: async () => ({ status: 'ok', data: {} }) };
const badScore: Analyzer = { ...base, id: 'bare-score', title: 'bare', run: async () => ({ status: 'ok', score: 0.5, data: {} }) };
const notJson: Analyzer = { ...base, id: 'not-json', title: 'nj', run: async () => ({ status: 'ok', data: { when: new Date() as unknown as string } }) };
const withParams: Analyzer = { ...base, id: 'params', title: 'p', defaults: { quality: 90, mode: 'x' }, run: async (_e, ctx) => ({ status: 'ok', data: { q: ctx.params['quality'] ?? null } }) };

const JPEG = fixture('images', 'noexif.jpg');

describe('runner', () => {
  it('orders by requires and adds prerequisites of --only', () => {
    assert.deepEqual(planAnalyzers([dependent, ok], ['dep']).map((a) => a.id), ['ok', 'dep']);
    assert.throws(() => planAnalyzers([ok], ['nope']), { code: 'unknown-analyzer' });
  });

  it('isolates failures: one analyzer throwing or hanging never sinks another', async () => {
    const r = await analyzeFile(JPEG, { analyzers: [boom, hang, ok, dependent, needsBoom], artifacts: new MemoryArtifactStore() });
    assert.equal(r.analyzers['boom']?.status, 'error');
    assert.equal(r.analyzers['boom']?.error?.message, 'kaboom');
    assert.equal(r.analyzers['hang']?.status, 'error');
    assert.equal(r.analyzers['hang']?.error?.code, 'timeout');
    assert.equal(r.analyzers['ok']?.status, 'ok');
    assert.deepEqual(r.analyzers['dep']?.data, { sawOk: true });
    assert.equal(r.analyzers['needs-boom']?.status, 'unavailable');
    assert.match(r.analyzers['needs-boom']?.error?.message ?? '', /needs 'boom'/);
  });

  it('records provenance of every run and proves the evidence unchanged', async () => {
    const r = await analyzeFile(JPEG, { analyzers: [withParams], params: { params: { quality: 75 } }, artifacts: new MemoryArtifactStore() });
    const p = r.analyzers['params']!.provenance;
    assert.equal(p.analyzer, 'params');
    assert.equal(p.version, '1');
    assert.deepEqual(p.parameters, { quality: 75, mode: 'x' });
    assert.equal(p.inputSha256, r.evidence?.sha256);
    assert.ok(p.durationMs >= 0);
    assert.ok(!Number.isNaN(Date.parse(p.startedAt)));
    assert.deepEqual(r.analyzers['params']!.data, { q: 75 });
    assert.equal(r.integrity?.unchanged, true);
  });

  it('marks analyzers that do not apply, and rejects bare scores and non-JSON data', async () => {
    const r = await analyzeFile(JPEG, { analyzers: [videoOnly, badScore, notJson], artifacts: new MemoryArtifactStore() });
    assert.equal(r.analyzers['video']?.status, 'not-applicable');
    assert.equal(r.analyzers['bare-score']?.status, 'error');
    assert.match(r.analyzers['bare-score']?.error?.message ?? '', /scoreInfo/);
    assert.equal(r.analyzers['not-json']?.status, 'error');
  });

  it('cancels through the signal', async () => {
    const ac = new AbortController();
    const slow: Analyzer = {
      ...base,
      id: 'slow',
      title: 'slow',
      run: (_e, ctx) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve({ status: 'ok', data: {} }), 10_000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(ctx.signal.reason);
          });
        }),
    };
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const r = await analyzeFile(JPEG, { analyzers: [slow, ok], artifacts: new MemoryArtifactStore(), signal: ac.signal });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.analyzers['slow']?.error?.code, 'cancelled');
    assert.equal(r.analyzers['ok']?.error?.code, 'cancelled');
  });

  it('turns intake failures into a per-file error, not an exception', async () => {
    const r = await analyzeFile('/definitely/not/here.jpg', { analyzers: [ok], artifacts: new MemoryArtifactStore() });
    assert.equal(r.evidence, null);
    assert.equal(r.error?.code, 'not-found');
  });
});

describe('runner timeouts', () => {
  it("lets the caller's timeout override an analyzer's own default", async () => {
    const patient: Analyzer = { ...base, id: 'patient', title: 'patient', timeoutMs: 60_000, run: () => new Promise((res) => setTimeout(() => res({ status: 'ok', data: {} }), 2000)) };
    const t0 = Date.now();
    const r = await analyzeFile(JPEG, { analyzers: [patient], artifacts: new MemoryArtifactStore(), timeoutMs: 50 });
    assert.equal(r.analyzers['patient']?.error?.code, 'timeout');
    assert.ok(Date.now() - t0 < 1500, 'stopped at the caller timeout, not the analyzer default');
  });
});
