import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { fixture } from '../helpers.js';
import { createApi } from '../../src/api.js';
import type { AddEvidenceOutcome, ApiEvent, Blob64, CaseView } from '../../src/contract/api.js';
import {
  EngineClient,
  serveEngine,
  type DialogKind,
  type EngineChild,
  type FromEngine,
  type ToEngine,
} from '../../electron/engine-protocol.js';
import { PassphraseVault, type KeychainCipher } from '../../electron/passphrase.js';

/**
 * Main <-> engine host over a real MessageChannel (structured clone, as Electron's parentPort),
 * with the real handler table on the engine side: dialogs are asked of main, events stream back.
 */
function portOf<In, Out>(p: MessagePort): { post(m: Out): void; onMessage(l: (m: In) => void): void } {
  return { post: (m) => p.postMessage(m), onMessage: (l) => p.on('message', (m: In) => l(m)) };
}

describe('engine host protocol (real engine over a MessageChannel)', () => {
  let home: string;
  let client: EngineClient;
  const events: ApiEvent[] = [];
  const dialogs: [DialogKind, string | undefined][] = [];
  const answers: (string[] | string | null)[] = [];
  const ports: MessagePort[] = [];

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'verilens-host-'));
    client = new EngineClient({
      spawn: (): EngineChild => {
        const { port1, port2 } = new MessageChannel();
        ports.push(port1, port2);
        serveEngine(portOf<ToEngine, FromEngine>(port2), (host) => createApi(host, { home }));
        return { ...portOf<FromEngine, ToEngine>(port1), onExit: () => undefined, kill: () => port1.close() };
      },
      dialog: async (kind, name) => {
        dialogs.push([kind, name]);
        return answers.shift() ?? null;
      },
      emit: (e) => void events.push(e),
    });
  });
  after(async () => {
    client.dispose();
    for (const p of ports) p.close();
    await rm(home, { recursive: true, force: true });
  });

  it('runs a case through the host: create, add by main dialog, analyse with streamed progress, serve the heatmap by hash through getArtifact', async () => {
    const created = await client.call('createCase', [{ title: 'Host test', analyst: 'A. Tester' }]);
    assert.ok(created.ok, JSON.stringify(created));
    const caseId = (created.value as CaseView).id;
    answers.push([fixture('images', 'ela_modified.jpg')]);
    const added = await client.call('addEvidenceFromDialog', [caseId]);
    assert.ok(added.ok, JSON.stringify(added));
    assert.deepEqual(dialogs, [['evidence', undefined]]);
    const entry = (added.value as AddEvidenceOutcome).added[0]!;
    assert.equal(entry.name, 'ela_modified.jpg');
    const analysed = await client.call('analyze', [caseId, [entry.sha256], 'job-1', { only: ['ela'] }]);
    assert.ok(analysed.ok, JSON.stringify(analysed));
    const ela = (analysed.value as CaseView).evidence[0]!.analysis!.analyzers.ela!;
    assert.equal(ela.status, 'ok');
    const progress = events.filter((e) => e.type === 'progress' && e.jobId === 'job-1');
    assert.ok(progress.length >= 2, 'progress streamed from the host');
    assert.ok(events.some((e) => e.type === 'job-finished' && e.jobId === 'job-1' && e.ok));
    const heat = ela.artifacts.find((a) => a.kind === 'ela-heatmap');
    assert.ok(heat, 'ELA emitted its declared heatmap kind');
    // The one artifact route: getArtifact by case id and hash, re-hashed by the engine.
    const served = await client.call('getArtifact', [caseId, heat.sha256]);
    assert.ok(served.ok, JSON.stringify(served));
    assert.equal((served.value as Blob64).mime, heat.mime);
    assert.equal(createHash('sha256').update(Buffer.from((served.value as Blob64).base64, 'base64')).digest('hex'), heat.sha256);
    // Argument validation holds inside the host too (defence in depth behind main's check).
    const bad = await client.call('getArtifact', [caseId, '../../etc/passwd']);
    assert.equal(!bad.ok && bad.error.code, 'bad-arguments');
  });

  it('returns null when the analyst cancels the report dialog, and nothing is written', async () => {
    const list = await client.call('listRecentCases', []);
    assert.ok(list.ok);
    const caseId = (list.value as { id: string }[])[0]!.id;
    answers.push(null);
    const r = await client.call('exportReport', [caseId, 'job-2', 'a passphrase']);
    assert.deepEqual(r, { ok: true, value: null });
    assert.deepEqual(dialogs.at(-1), ['report-destination', `${caseId}-report.pdf`]);
  });

  it('shuts down cleanly: a running analysis is cancelled and answered before the host is stopped', async () => {
    const list = await client.call('listRecentCases', []);
    assert.ok(list.ok);
    const caseId = (list.value as { id: string }[])[0]!.id;
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const order: string[] = [];
    serveEngine(portOf<ToEngine, FromEngine>(port2), (host) => createApi(host, { home }));
    const jobEvents: ApiEvent[] = [];
    const second = new EngineClient({
      spawn: () => ({ ...portOf<FromEngine, ToEngine>(port1), onExit: () => undefined, kill: () => void order.push('stopped') }),
      dialog: async (kind) => (kind === 'evidence' ? [fixture('e2e', 'selfie-live_T1.jpg')] : null),
      emit: (e) => void jobEvents.push(e),
    });
    // Everything on the selfie (face models included) takes long enough to be stopped midway.
    const add = await second.call('addEvidenceFromDialog', [caseId]);
    assert.ok(add.ok, JSON.stringify(add));
    const sha = (add.value as AddEvidenceOutcome).added[0]!.sha256;
    const running = second.call('analyze', [caseId, [sha], 'job-quit', {}]).then((r) => {
      order.push('answered');
      return r;
    });
    while (!jobEvents.some((e) => e.type === 'progress' && e.jobId === 'job-quit')) await new Promise((r) => setTimeout(r, 5));
    await second.shutdown(20_000);
    const r = await running;
    assert.equal(!r.ok && r.error.code, 'cancelled', JSON.stringify(r).slice(0, 300));
    assert.deepEqual(order, ['answered', 'stopped'], 'the job was answered before the host was stopped');
    assert.equal(second.running, false);
    assert.ok(jobEvents.some((e) => e.type === 'job-finished' && e.jobId === 'job-quit' && e.cancelled));
    // The case is intact and unlocked for the next session.
    const reopened = await client.call('openCase', [caseId]);
    assert.ok(reopened.ok, JSON.stringify(reopened));
  });

  it('drops malformed messages on both sides instead of throwing', async () => {
    const sent: FromEngine[] = [];
    let deliver: ((m: ToEngine) => void) | undefined;
    serveEngine({ post: (m) => void sent.push(m), onMessage: (l) => void (deliver = l) }, (host) => createApi(host, { home }));
    for (const bad of [undefined, null, 42, 'call', {}, { t: 'bogus' }, { t: 7 }])
      assert.doesNotThrow(() => deliver?.(bad as unknown as ToEngine));
    assert.deepEqual(sent, [{ t: 'ready' }], 'nothing answered, nothing crashed');
    let fromEngine: ((m: FromEngine) => void) | undefined;
    const c = new EngineClient({
      spawn: () => ({ post: () => undefined, onMessage: (l) => void (fromEngine = l), onExit: () => undefined, kill: () => undefined }),
      dialog: async () => null,
      emit: () => assert.fail('no event from a malformed message'),
    });
    void c.call('listModels', []);
    for (const bad of [undefined, null, { t: 'result' }, { t: 'nope', id: 1 }, [1, 2]])
      assert.doesNotThrow(() => fromEngine?.(bad as unknown as FromEngine));
    c.dispose();
  });

  it('fails pending calls with engine-stopped when the host dies, and starts a new host on the next call', async () => {
    let exit: ((code: number) => void) | undefined;
    let posted = 0;
    let starts = 0;
    const crashing = new EngineClient({
      spawn: () => {
        starts += 1;
        return { post: () => void posted++, onMessage: () => undefined, onExit: (l) => void (exit = l), kill: () => undefined };
      },
      dialog: async () => null,
      emit: () => undefined,
    });
    const pending = crashing.call('listModels', []);
    exit?.(134);
    const r = await pending;
    assert.equal(!r.ok && r.error.code, 'engine-stopped');
    assert.match(!r.ok ? r.error.message : '', /exit code 134/);
    assert.equal(starts, 1);
    void crashing.call('listModels', []);
    assert.equal(starts, 2, 'a fresh host was started');
    assert.equal(posted, 2, 'and received the next call');
  });
});

describe('analyst key passphrase wrapped with the OS keychain', () => {
  // A real AES-GCM cipher stands in for safeStorage's OS keychain key.
  const key = randomBytes(32);
  const cipher = (available = true): KeychainCipher => ({
    available: () => available,
    encrypt: (s) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(s, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt: (b) => {
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
      d.setAuthTag(b.subarray(12, 28));
      return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
    },
  });
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verilens-vault-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('stores only the wrapped form, private to the user, and recalls it', async () => {
    const file = join(dir, 'keys', 'analyst.passphrase.safe');
    const v = new PassphraseVault(file, cipher());
    assert.equal(await v.recall(), null);
    assert.equal(await v.remember('correct horse battery staple'), true);
    const stored = await readFile(file);
    assert.ok(!stored.includes(Buffer.from('correct horse')), 'the passphrase is never stored in clear');
    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await v.recall(), 'correct horse battery staple');
    await writeFile(file, Buffer.concat([stored.subarray(0, 20), Buffer.from('tampered')]));
    assert.equal(await v.recall(), null, 'an unreadable entry means asking again, not a crash');
    await v.forget();
    assert.equal(await v.recall(), null);
  });

  it('stores nothing when the keychain offers no real protection', async () => {
    const file = join(dir, 'none', 'analyst.passphrase.safe');
    const v = new PassphraseVault(file, cipher(false));
    assert.equal(await v.remember('secret'), false);
    await assert.rejects(stat(file));
    assert.equal(await v.recall(), null);
  });
});
