import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApi, type Api } from '../../src/api.js';
import { loadCase } from '../../src/cases/index.js';
import { API_METHODS, API_VALIDATORS, validateCall, type ApiEvent } from '../../src/contract/api.js';
import { analyzerById } from '../../src/analyzers/index.js';
import { createEngineServices } from '../../src/engine/services.js';
import { generateEd25519, publicKeyPem } from '../../src/keys/ed25519.js';
import { trustKey } from '../../src/keys/trust-store.js';
import { parseManifest, type Manifest } from '../../src/models/manifest.js';
import { ModelRegistry } from '../../src/models/registry.js';
import { SIGNATURE_FILE, signManifest } from '../../src/models/signature.js';
import { fixture, ROOT } from '../helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const SHA0 = '0'.repeat(64);

describe('UI API contract validators', () => {
  it('lists every handler exactly once and validates every method', () => {
    const api = createApi({
      pickEvidenceFiles: async () => [],
      pickReportDestination: async () => null,
      pickReportFile: async () => null,
      emit: () => undefined,
    });
    assert.deepEqual([...API_METHODS].sort(), Object.keys(api.handlers).sort());
    assert.deepEqual([...API_METHODS].sort(), Object.keys(API_VALIDATORS).sort());
    assert.equal(new Set(API_METHODS).size, API_METHODS.length);
  });

  it('refuses unknown methods, wrong arity, bad ids, hashes, fields and text', () => {
    const code = (m: unknown, a: unknown): string | undefined => validateCall(m, a)?.code;
    assert.equal(code('readFile', []), 'unknown-method');
    assert.equal(code('__proto__', []), 'unknown-method');
    assert.equal(code('openCase', 'VL-1'), 'bad-arguments');
    assert.equal(code('openCase', []), 'bad-arguments');
    assert.equal(code('openCase', ['VL-1', 'extra']), 'bad-arguments');
    assert.equal(code('openCase', ['../../etc']), 'bad-arguments');
    assert.equal(code('openCase', ['a/b']), 'bad-arguments');
    assert.equal(code('openCase', ['..']), 'bad-arguments');
    assert.equal(code('getArtifact', ['VL-1', 'ABC']), 'bad-arguments');
    assert.equal(code('getArtifact', ['VL-1', 'A'.repeat(64)]), 'bad-arguments');
    assert.equal(code('createCase', [{ title: 'x', analyst: 'y', admin: true }]), 'bad-arguments');
    assert.equal(code('createCase', [{ title: '  ', analyst: 'y' }]), 'bad-arguments');
    assert.equal(code('createCase', [{ title: 'a\u0007b', analyst: 'y' }]), 'bad-arguments');
    assert.equal(code('createCase', [{ title: 'x'.repeat(201), analyst: 'y' }]), 'bad-arguments');
    assert.equal(code('createCase', [Object.assign(Object.create({ evil: 1 }) as object, { title: 't', analyst: 'a' })]), 'bad-arguments');
    assert.equal(code('setVerdictOverride', ['VL-1', SHA0, 'ela', 'fine', 'because']), 'bad-arguments');
    assert.equal(code('setVerdictOverride', ['VL-1', SHA0, 'ela', 'consistent', '']), 'bad-arguments');
    assert.equal(code('addBookmark', ['VL-1', SHA0, { comment: 'c', region: { x: -1, y: 0, width: 1, height: 1 } }]), 'bad-arguments');
    assert.equal(code('addEvidenceDropped', ['VL-1', ['a\u0000b']]), 'bad-arguments');
    assert.equal(code('analyze', ['VL-1', [], 'job-1', { params: { ela: { quality: { nested: 1 } } } }]), 'bad-arguments');
    assert.match(validateCall('getArtifact', ['VL-1', 'ABC'])?.message ?? '', /getArtifact: argument 2 must be a lowercase SHA-256/);
    // Valid calls pass.
    assert.equal(validateCall('getAppInfo', []), null);
    assert.equal(validateCall('setVerdictOverride', ['VL-1', SHA0, '', 'consistent', 'scanner artefact']), null);
    assert.equal(validateCall('analyze', ['VL-1', [SHA0], 'job-1', { only: ['ela'], params: { ela: { quality: 90 } } }]), null);
  });
});

describe('UI API handlers on the real case store and engine', () => {
  let home: string;
  let api: Api;
  const events: ApiEvent[] = [];
  let onEvent: (e: ApiEvent) => void = () => undefined;
  let dialog: string[] = [];
  let reportDest: string | null = null;
  let reportFile: string | null = null;
  let caseId = '';

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'verilens-api-'));
    api = createApi(
      {
        pickEvidenceFiles: async () => dialog,
        pickReportDestination: async () => reportDest,
        pickReportFile: async () => reportFile,
        emit: (e) => {
          events.push(e);
          onEvent(e);
        },
      },
      { home },
    );
  });
  after(async () => {
    api.dispose();
    await rm(home, { recursive: true, force: true }).catch(async () => {
      // Evidence copies are read-only; make them writable so the temp folder can go.
      for (const c of await readdir(join(home, 'cases')).catch(() => [] as string[])) {
        for (const f of await readdir(join(home, 'cases', c, 'evidence')).catch(() => [] as string[]))
          await chmod(join(home, 'cases', c, 'evidence', f), 0o644);
      }
      await rm(home, { recursive: true, force: true });
    });
  });

  it('never throws: validation and handler failures come back as {ok:false, error}', async () => {
    const r = await api.call('openCase', ['VL-NOPE']);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'unknown-case');
    const bad = await api.call('openCase', ['../x']);
    assert.equal(!bad.ok && bad.error.code, 'bad-arguments');
    assert.deepEqual(await api.call('listRecentCases', []), { ok: true, value: [] });
    assert.deepEqual(await api.call('getSigner', []), { ok: true, value: null });
  });

  it('creates a case and adds evidence from the dialog: duplicates and refusals are reported by name', async () => {
    const created = await api.call('createCase', [{ title: 'Loan 2291', analyst: 'A. Trainee' }]);
    assert.ok(created.ok);
    caseId = created.value.id;
    assert.match(caseId, /^VL-\d{8}-[0-9A-F]{6}$/);
    dialog = [fixture('images', 'ela_modified.jpg'), fixture('images', 'not-png-bad-signature.png'), fixture('images', 'Bush-dog.tif')];
    const out = await api.call('addEvidenceFromDialog', [caseId]);
    assert.ok(out.ok);
    assert.deepEqual(
      out.value.added.map((e) => e.name),
      ['ela_modified.jpg', 'Bush-dog.tif'],
    );
    assert.equal(out.value.refused.length, 1);
    assert.equal(out.value.refused[0]!.name, 'not-png-bad-signature.png');
    assert.equal(out.value.refused[0]!.error.code, 'unsupported-type');
    assert.ok(!out.value.refused[0]!.error.message.includes(fixture('images')), 'no folder path goes back to the UI');
    const again = await api.call('addEvidenceDropped', [caseId, [fixture('images', 'ela_modified.jpg')]]);
    assert.ok(again.ok);
    assert.deepEqual(again.value.duplicates, ['ela_modified.jpg']);
    assert.ok(events.some((e) => e.type === 'case-changed' && e.caseId === caseId));
    const recent = await api.handlers.listRecentCases();
    assert.deepEqual(
      recent.map((c) => [c.id, c.evidenceCount]),
      [[caseId, 2]],
    );
  });

  it('serves the evidence image (exact bytes for JPEG, a PNG rendition for TIFF) and thumbnails', async () => {
    const view = await api.handlers.openCase(caseId);
    const jpeg = view.evidence.find((e) => e.name === 'ela_modified.jpg')!;
    const img = await api.handlers.getEvidenceImage(caseId, jpeg.sha256);
    assert.equal(img.mime, 'image/jpeg');
    assert.equal(sha(Buffer.from(img.base64, 'base64')), jpeg.sha256);
    const tif = view.evidence.find((e) => e.name === 'Bush-dog.tif')!;
    const png = await api.handlers.getEvidenceImage(caseId, tif.sha256);
    assert.equal(png.mime, 'image/png');
    assert.match(png.note ?? '', /evidence file is unchanged/);
    assert.equal(Buffer.from(png.base64, 'base64').subarray(1, 4).toString('latin1'), 'PNG');
    const thumb = await api.handlers.getThumbnail(caseId, jpeg.sha256);
    assert.ok(thumb.width! <= 192 && thumb.height! <= 192);
    const missing = await api.call('getEvidenceImage', [caseId, SHA0]);
    assert.equal(!missing.ok && missing.error.code, 'unknown-evidence');
    // A copy gone from the case folder: a clear error, without the absolute path.
    const stored = join(home, 'cases', caseId, 'evidence', `${tif.sha256}.tiff`);
    await rm(stored);
    const gone = await api.call('getThumbnail', [caseId, tif.sha256]);
    assert.equal(!gone.ok && gone.error.code, 'enoent');
    assert.ok(
      !gone.ok && gone.error.message.includes(`${tif.sha256}.tiff`) && !gone.error.message.includes(home),
      !gone.ok ? gone.error.message : '',
    );
    await cp(fixture('images', 'Bush-dog.tif'), stored);
    await chmod(stored, 0o444);
  });

  it('analyses with progress events, stores results and serves the heatmap artifact by hash', async () => {
    const jpeg = (await api.handlers.openCase(caseId)).evidence.find((e) => e.name === 'ela_modified.jpg')!;
    events.length = 0;
    const r = await api.call('analyze', [caseId, [jpeg.sha256], 'job-ela', { only: ['ela'] }]);
    assert.ok(r.ok, JSON.stringify(r));
    const entry = r.value.evidence.find((e) => e.sha256 === jpeg.sha256)!;
    const ela = entry.analysis?.analyzers['ela'];
    assert.equal(ela?.status, 'ok');
    assert.equal(entry.analysis?.integrity?.unchanged, true);
    const progress = events.filter((e) => e.type === 'progress' && e.jobId === 'job-ela');
    assert.ok(progress.length >= 2);
    const last = progress.at(-1);
    assert.equal(last?.type === 'progress' ? last.fraction : -1, 1);
    assert.deepEqual(events.at(-1), { type: 'job-finished', jobId: 'job-ela', ok: true, cancelled: false });
    const heat = ela!.artifacts.find((a) => a.kind === 'ela-heatmap')!;
    const art = await api.handlers.getArtifact(caseId, heat.sha256);
    assert.equal(art.mime, 'image/png');
    assert.equal(sha(Buffer.from(art.base64, 'base64')), heat.sha256);
    const none = await api.call('getArtifact', [caseId, SHA0]);
    assert.equal(!none.ok && none.error.code, 'unknown-artifact');
    // An artifact altered on disk is refused, not served.
    const file = join(home, 'cases', caseId, 'artifacts', `${heat.sha256}.png`);
    await writeFile(file, Buffer.from('not the heatmap'));
    const altered = await api.call('getArtifact', [caseId, heat.sha256]);
    assert.equal(!altered.ok && altered.error.code, 'integrity');
  });

  it('cancels a running analysis from a progress event', async () => {
    events.length = 0;
    onEvent = (e) => {
      if (e.type === 'progress' && e.jobId === 'job-cancel') void api.call('cancelJob', ['job-cancel']);
    };
    const r = await api.call('analyze', [caseId, [], 'job-cancel', {}]);
    onEvent = () => undefined;
    assert.equal(!r.ok && r.error.code, 'cancelled');
    assert.deepEqual(events.at(-1), { type: 'job-finished', jobId: 'job-cancel', ok: false, cancelled: true });
    assert.deepEqual(await api.call('cancelJob', ['job-cancel']), { ok: true, value: false });
  });

  it('records overrides, finding marks and bookmarks in the case (append-only, later wins)', async () => {
    const jpeg = (await api.handlers.openCase(caseId)).evidence.find((e) => e.name === 'ela_modified.jpg')!;
    // Re-run: the cancelled run above may have left ela without findings.
    await api.handlers.analyze(caseId, [jpeg.sha256], 'job-ela-2', { only: ['ela'] });
    const ela = (await api.handlers.openCase(caseId)).evidence.find((e) => e.sha256 === jpeg.sha256)!.analysis!.analyzers['ela']!;
    await api.handlers.setVerdictOverride(caseId, jpeg.sha256, 'ela', 'consistent', 'bright edges only');
    let e = await api.handlers.setVerdictOverride(caseId, jpeg.sha256, 'ela', 'suspicious', 'pasted penguin confirmed');
    e = await api.handlers.setVerdictOverride(caseId, jpeg.sha256, '', 'suspicious', 'overall: edited');
    assert.deepEqual(
      e.overrides.map((o) => [o.analyzer ?? '', o.verdict, o.by]),
      [
        ['ela', 'consistent', 'A. Trainee'],
        ['ela', 'suspicious', 'A. Trainee'],
        ['', 'suspicious', 'A. Trainee'],
      ],
    );
    // Several findings share the code ela-outlier-region (one per region): a mark addresses one of them.
    const code = 'ela-outlier-region';
    const regions = ela.findings.flatMap((f, i) => (f.code === code ? [i] : []));
    assert.ok(regions.length >= 2, `ela reported several outlier regions on the pasted penguin, got ${regions.length}`);
    e = await api.handlers.markFinding(caseId, jpeg.sha256, 'ela', code, regions[1]!, 'confirmed', 'matches the paste');
    assert.deepEqual(
      e.marks.map((m) => [m.code, m.index, m.stale, m.mark, m.comment]),
      [[code, regions[1], undefined, 'confirmed', 'matches the paste']],
    );
    const ambiguous = await api.call('markFinding', [caseId, jpeg.sha256, 'ela', code, null, 'confirmed', '']);
    assert.equal(!ambiguous.ok && ambiguous.error.code, 'ambiguous-finding');
    const wrong = await api.call('markFinding', [caseId, jpeg.sha256, 'ela', code, ela.findings.length, 'confirmed', '']);
    assert.equal(!wrong.ok && wrong.error.code, 'unknown-finding');
    const bad = await api.call('markFinding', [caseId, jpeg.sha256, 'ela', 'no-such-finding', null, 'confirmed', '']);
    assert.equal(!bad.ok && bad.error.code, 'unknown-finding');
    for (const index of [-1, 1.5, '1']) {
      const r = await api.call('markFinding', [caseId, jpeg.sha256, 'ela', code, index, 'confirmed', '']);
      assert.equal(!r.ok && r.error.code, 'bad-arguments', `index ${JSON.stringify(index)}`);
    }
    const old = await api.call('markFinding', [caseId, jpeg.sha256, 'ela', code, 'confirmed', '']);
    assert.equal(!old.ok && old.error.code, 'bad-arguments', 'a call without the index is refused, not taken as every region');
    e = await api.handlers.addBookmark(caseId, jpeg.sha256, { comment: 'look here', region: { x: 10, y: 20, width: 30, height: 40 } });
    assert.deepEqual(
      e.bookmarks.map((b) => [b.comment, b.region]),
      [['look here', { x: 10, y: 20, width: 30, height: 40 }]],
    );
    assert.ok(e.bookmarks[0]!.seq > 0);
  });

  it('exports a signed report through the save dialog and verifies it; a flipped PDF byte makes it invalid', async () => {
    const view = await api.handlers.openCase(caseId);
    const jpeg = view.evidence.find((e) => e.name === 'ela_modified.jpg')!;
    assert.equal(jpeg.overall.verdict, 'suspicious');
    assert.equal(jpeg.overall.overridden, true);
    reportDest = null;
    assert.deepEqual(await api.call('exportReport', [caseId, 'job-r0', 'correct horse battery']), { ok: true, value: null });
    reportDest = join(home, 'out', 'loan-2291');
    const weak = await api.call('exportReport', [caseId, 'job-r1', 'short']);
    assert.equal(!weak.ok && weak.error.code, 'weak-passphrase');
    const r = await api.call('exportReport', [caseId, 'job-r2', 'correct horse battery']);
    assert.ok(r.ok && r.value, JSON.stringify(r));
    assert.equal(r.value.fileName, 'loan-2291.pdf');
    assert.deepEqual(r.value.files, ['loan-2291.json', 'loan-2291.sig']);
    assert.equal(r.value.signer.analyst, 'A. Trainee');
    const signer = await api.handlers.getSigner();
    assert.equal(signer?.fingerprint, r.value.signer.fingerprint);
    const pdf = join(home, 'out', 'loan-2291.pdf');
    reportFile = pdf;
    const ok = await api.handlers.verifyReportFromDialog();
    assert.equal(ok?.valid, true, JSON.stringify(ok?.reasons));
    assert.equal(ok?.signer?.trusted, true);
    assert.ok(
      ok!.checks.every((c) => !c.detail.includes(home)),
      'no folder paths in the checks',
    );
    const bytes = await readFile(pdf);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await writeFile(pdf, bytes);
    const bad = await api.handlers.verifyReportFromDialog();
    assert.equal(bad?.valid, false);
    assert.ok(
      bad!.reasons.some((x) => /pdf/i.test(x)),
      bad!.reasons.join('; '),
    );
    reportFile = null;
    assert.equal(await api.handlers.verifyReportFromDialog(), null);
  });

  it('records custody entries under the signing key owner, the person at this machine', async () => {
    const other = await api.call('createCase', [{ title: 'Colleague case', analyst: 'B. Colleague' }]);
    assert.ok(other.ok);
    dialog = [fixture('images', 'noexif.jpg')];
    const added = await api.call('addEvidenceFromDialog', [other.value.id]);
    assert.ok(added.ok);
    const view = await api.handlers.openCase(other.value.id);
    await api.handlers.addBookmark(other.value.id, view.evidence[0]!.sha256, { comment: 'checked by the key owner' });
    const { state } = await loadCase(join(home, 'cases', other.value.id));
    const last = state.annotations.at(-1);
    assert.equal(last?.analyst, 'A. Trainee', 'the key made by the report export belongs to A. Trainee');
  });
});

describe('UI API models view', () => {
  const host = {
    pickEvidenceFiles: async () => [],
    pickReportDestination: async () => null,
    pickReportFile: async () => null,
    emit: () => undefined,
  };

  it('lists every shipped model as verified, with its card', async () => {
    const home = await mkdtemp(join(tmpdir(), 'verilens-api-models-'));
    try {
      const models = await createApi(host, { home }).handlers.listModels();
      assert.ok(models.length >= 5, `${models.length} models`);
      assert.ok(
        models.every((m) => m.status === 'verified' && m.trust === 'pinned'),
        JSON.stringify(models.map((m) => [m.id, m.status, m.reason])),
      );
      const yunet = models.find((m) => m.id === 'yunet');
      assert.match(yunet?.card ?? '', /YuNet/);
      // Which analyzers run a model comes from the analyzer contracts' model roles, by real analyzer id.
      assert.deepEqual(yunet?.used_by, ['faces', 'video-faces']);
      assert.deepEqual(models.find((m) => m.id === 'minifasnet-v2')?.used_by, ['liveness', 'video-faces']);
      for (const m of models) for (const id of m.used_by ?? []) assert.ok(analyzerById(id), `${m.id} used by unknown analyzer '${id}'`);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("names the classifiers analyzer as the user of an organisation's classifier (regression: the role was mapped to 'classifier', no such analyzer)", async () => {
    const home = await mkdtemp(join(tmpdir(), 'verilens-api-models-'));
    try {
      const pair = generateEd25519();
      await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Org', purposes: ['models'] });
      const dir = await mkdtemp(join(tmpdir(), 'verilens-org-models-'));
      await cp(join(ROOT, 'models'), dir, { recursive: true });
      const shipped = parseManifest(await readFile(join(ROOT, 'models', 'manifest.json')), 'manifest.json');
      const base = shipped.models.find((e) => e.id === 'mesonet-df')!;
      const manifest: Manifest = { format: 'verilens-models', version: 1, models: [{ ...base, id: 'org-image', role: 'classifier', title: 'Org detector', crop: { kind: 'image' } }] };
      const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
      await writeFile(join(dir, 'manifest.json'), bytes);
      const digest = createHash('sha256').update(bytes).digest('hex');
      await writeFile(join(dir, SIGNATURE_FILE), JSON.stringify(signManifest(bytes, digest, pair.privateKey, pair.publicKey)));
      const api = createApi(host, { home, services: createEngineServices({ home, modelsDir: dir }) });
      const org = (await api.handlers.listModels()).find((m) => m.id === 'org-image');
      assert.equal(org?.status, 'verified', org?.reason);
      assert.deepEqual(org?.used_by, ['classifiers']);
      assert.ok(analyzerById('classifiers'));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('reports a model file with one flipped byte as refused, naming the file, and keeps the others verified', async () => {
    const home = await mkdtemp(join(tmpdir(), 'verilens-api-models-'));
    try {
      const dir = join(home, 'models');
      await cp(join(ROOT, 'models'), dir, { recursive: true });
      const file = join(dir, 'mesonet_meso4_df.onnx');
      const bytes = await readFile(file);
      bytes[bytes.length >> 1]! ^= 0x40;
      await writeFile(file, bytes);
      const api = createApi(host, { home, services: { models: new ModelRegistry({ shippedDir: dir, home }) } });
      const models = await api.handlers.listModels();
      const bad = models.filter((m) => m.status !== 'verified');
      assert.deepEqual(
        bad.map((m) => m.id),
        ['mesonet-df'],
      );
      assert.match(bad[0]!.reason ?? '', /mesonet_meso4_df\.onnx/);
      assert.ok(!(bad[0]!.reason ?? '').includes(home), 'folder-relative names only');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
