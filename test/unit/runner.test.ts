import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANALYZER_MAP } from '../../src/analyzers/index.js';
import { okData } from '../../src/contract/analyzers/index.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile, checkParams, planAnalyzers } from '../../src/engine/runner.js';
import { standIn } from '../analyzer-doubles.js';
import { fixture } from '../helpers.js';

const { metadata, container, ela } = ANALYZER_MAP;
const boom = standIn('jpeg', async () => {
  throw new Error('kaboom');
});
const hang = standIn('synthetic', () => new Promise(() => undefined), { timeoutMs: 150 });
const dependent = standIn('faces', async (_ev, ctx) => ({ status: 'ok', data: { sawMetadata: ctx.results.metadata?.status === 'ok' } }), { requires: ['metadata'] });
const needsBoom = standIn('liveness', async () => ({ status: 'ok', data: {} }), { requires: ['jpeg'] });
const bareScore = standIn('classifiers', async () => ({ status: 'ok', score: 0.5, data: { models: [] } }));
const notJson = standIn('face-swap', async () => ({ status: 'ok', data: { when: new Date() } }));

const JPEG = fixture('images', 'noexif.jpg');

describe('runner', () => {
  it('orders by requires and adds prerequisites of --only', () => {
    assert.deepEqual(
      planAnalyzers([dependent, metadata], ['faces']).map((a) => a.id),
      ['metadata', 'faces'],
    );
    assert.throws(() => planAnalyzers([metadata], ['nope']), { code: 'unknown-analyzer' });
  });

  it('isolates failures: one analyzer throwing or hanging never sinks another', async () => {
    const r = await analyzeFile(JPEG, { analyzers: [boom, hang, metadata, dependent, needsBoom], artifacts: new MemoryArtifactStore() });
    assert.equal(r.analyzers.jpeg?.status, 'error');
    assert.equal(r.analyzers.jpeg?.error?.message, 'kaboom');
    assert.equal(r.analyzers.synthetic?.status, 'error');
    assert.equal(r.analyzers.synthetic?.error?.code, 'timeout');
    assert.equal(r.analyzers.metadata?.status, 'ok');
    assert.deepEqual(r.analyzers.faces?.data, { sawMetadata: true });
    assert.equal(r.analyzers.liveness?.status, 'unavailable');
    assert.match(r.analyzers.liveness?.error?.message ?? '', /needs 'jpeg'/);
  });

  it('validates parameters against the contract, fills the defaults and records them in provenance', async () => {
    const r = await analyzeFile(JPEG, { analyzers: [ela], only: ['ela'], params: { ela: { quality: 75 } }, artifacts: new MemoryArtifactStore() });
    const p = r.analyzers.ela!.provenance;
    assert.equal(p.analyzer, 'ela');
    assert.deepEqual(p.parameters, { quality: 75, sweep: [70, 80, 90, 95], blockSize: 0, maxPixels: 16_000_000, zThreshold: 4 });
    assert.equal(p.inputSha256, r.evidence?.sha256);
    assert.ok(p.durationMs >= 0);
    assert.ok(!Number.isNaN(Date.parse(p.startedAt)));
    assert.equal(okData(r.analyzers, 'ela')?.quality, 75, 'the analyzer ran with the given quality');
    assert.equal(r.integrity?.unchanged, true);
  });

  it('refuses unknown analyzers, unknown parameters and out-of-range values before touching a file, with one message style', async () => {
    const all = [ela, metadata];
    assert.throws(() => checkParams(all, { elx: { quality: 75 } }), { code: 'bad-parameter', message: /unknown analyzer 'elx'/ });
    assert.throws(() => checkParams(all, { ela: { qualty: 75 } }), { code: 'bad-parameter', message: /^ela: unknown parameter 'qualty' \(known: quality, sweep, blockSize, maxPixels, zThreshold\)$/ });
    assert.throws(() => checkParams(all, { ela: { quality: 0 } }), { code: 'bad-parameter', message: /^ela: parameter quality must be an integer from 1 to 100, got 0$/ });
    assert.throws(() => checkParams(all, { ela: { blockSize: 12 } }), { message: /blockSize must be a multiple of 8 from 0 to 256/ });
    assert.throws(() => checkParams(all, { metadata: { compareThumbnail: 'yes' } }), { message: /^metadata: parameter compareThumbnail must be true or false, got 'yes'$/ });
    await assert.rejects(analyzeFile('/definitely/not/here.jpg', { analyzers: all, params: { ela: { quality: 101 } }, artifacts: new MemoryArtifactStore() }), { code: 'bad-parameter' });
  });

  it('marks analyzers that do not apply, and rejects bare scores and non-JSON data', async () => {
    const r = await analyzeFile(JPEG, { analyzers: [container, bareScore, notJson], artifacts: new MemoryArtifactStore() });
    assert.equal(r.analyzers.container?.status, 'not-applicable');
    assert.match(r.analyzers.container?.data.reason ?? '', /does not apply to image\/jpeg/);
    assert.equal(r.analyzers.classifiers?.status, 'error');
    assert.match(r.analyzers.classifiers?.error?.message ?? '', /scoreInfo/);
    assert.equal(r.analyzers['face-swap']?.status, 'error');
  });

  it('cancels through the signal', async () => {
    const ac = new AbortController();
    const slow = standIn(
      'ela',
      (_e, ctx) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve({ status: 'not-applicable', reason: 'never' }), 10_000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(ctx.signal.reason);
          });
        }),
    );
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const r = await analyzeFile(JPEG, { analyzers: [slow, metadata], artifacts: new MemoryArtifactStore(), signal: ac.signal });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.analyzers.ela?.error?.code, 'cancelled');
    assert.equal(r.analyzers.metadata?.error?.code, 'cancelled');
  });

  it('turns intake failures into a per-file error, not an exception', async () => {
    const r = await analyzeFile('/definitely/not/here.jpg', { analyzers: [metadata], artifacts: new MemoryArtifactStore() });
    assert.equal(r.evidence, null);
    assert.equal(r.error?.code, 'not-found');
  });
});

describe('runner timeouts', () => {
  it("lets the caller's timeout override an analyzer's own default", async () => {
    const patient = standIn('ela', () => new Promise((res) => setTimeout(() => res({ status: 'not-applicable', reason: 'late' }), 2000)), { timeoutMs: 60_000 });
    const t0 = Date.now();
    const r = await analyzeFile(JPEG, { analyzers: [patient], artifacts: new MemoryArtifactStore(), timeoutMs: 50 });
    assert.equal(r.analyzers.ela?.error?.code, 'timeout');
    assert.ok(Date.now() - t0 < 1500, 'stopped at the caller timeout, not the analyzer default');
  });
});
