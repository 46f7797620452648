import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { JsonObject } from '../../src/contract/json.js';
import type { ResultOf } from '../../src/contract/analyzers/index.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { provenanceAnalyzer } from '../../src/analyzers/provenance/index.js';
import { c2paHost } from '../../src/analyzers/provenance/c2pa-reader.js';
import { bundledTrust } from '../../src/analyzers/provenance/trust.js';
import { fixture } from '../helpers.js';

const gen = (f: string): string => fixture('provenance', 'generators', f);
const c2 = (f: string): string => fixture('provenance', 'c2pa', f);

type ProvenanceOk = Extract<ResultOf<'provenance'>, { status: 'ok' }>;

async function run(path: string, params: JsonObject = {}): Promise<ProvenanceOk> {
  const r = await analyzeFile(path, { analyzers: [provenanceAnalyzer], artifacts: new MemoryArtifactStore(), params: { provenance: params } });
  const a = r.analyzers.provenance;
  assert.ok(a, `${path}: provenance did not run (${r.error?.message ?? 'no result'})`);
  if (a.status !== 'ok') assert.fail(`${path}: ${a.status} ${a.error?.message ?? ''}`);
  return a;
}

const c2paOf = (a: ProvenanceOk): ProvenanceOk['data']['c2pa'] => a.data.c2pa;
const generatorOf = (a: ProvenanceOk): ProvenanceOk['data']['generator'] => a.data.generator;
const codes = (a: ProvenanceOk, severity?: string): string[] => a.findings.filter((f) => !severity || f.severity === severity).map((f) => f.code);

after(() => c2paHost(bundledTrust().settingsJson).close());

describe('provenance: generator traces', () => {
  const cases: [string, RegExp, RegExp | null][] = [
    ['sd-webui.png', /^AUTOMATIC1111 Stable Diffusion web UI$/, /hatsune miku/],
    ['invokeai.png', /^InvokeAI$/, /hatsune miku/],
    ['novelai-curated.png', /^NovelAI \(NovelAI Diffusion V4\.5\)$/, /hatsune miku/],
    ['ruined-fooocus.png', /^RuinedFooocus$/, /hatsune miku/],
    ['lora_lora.png', /^ComfyUI$/, /.+/],
    ['mochi_mochi_simple_checkpoint.webp', /^ComfyUI$/, /fast driving in the beautiful winding mountain roads/],
  ];
  for (const [file, name, prompt] of cases) {
    it(`names the generator of ${file}`, async () => {
      const a = await run(gen(file));
      const g = generatorOf(a);
      assert.ok(g, `${file}: no generator found`);
      assert.match(g.name, name);
      assert.ok(g.evidence.length > 10);
      if (prompt) assert.match(g.prompt ?? '', prompt);
      assert.equal(a.verdict, 'suspicious');
      assert.equal(a.score, 1);
      assert.ok(codes(a, 'alert').includes('generator-trace'));
      assert.equal(a.scoreInfo?.strength, 'strong');
    });
  }

  it('reads ComfyUI traces from WebP EXIF (Make/Model "workflow:" / "prompt:")', async () => {
    const g = generatorOf(await run(gen('mochi_mochi_simple_checkpoint.webp')));
    assert.match(g?.evidence ?? '', /^EXIF (Make|Model): ComfyUI node graph \(prompt\) and workflow$/);
  });

  it('finds nothing in a re-saved, stripped file (gimp.png)', async () => {
    const a = await run(gen('gimp.png'));
    assert.equal(generatorOf(a), null);
    assert.deepEqual(codes(a, 'alert'), []);
    assert.equal(a.verdict, 'inconclusive');
    assert.equal(a.score, 0);
    assert.equal(a.scoreInfo?.strength, 'weak');
    assert.equal(c2paOf(a).validationState, 'none');
  });
});

describe('provenance: C2PA (offline, bundled trust lists)', () => {
  it('reports an intact but untrusted manifest as valid, with signer, actions and ingredient tree', async () => {
    const a = await run(c2('CA.jpg'));
    const c = c2paOf(a);
    assert.equal(c.present, true);
    assert.equal(c.validationState, 'valid');
    assert.deepEqual(c.integrityFailures, []);
    assert.ok(c.trust.some((t) => t.code === 'signingCredential.untrusted'));
    assert.equal(c.signer?.issuer, 'C2PA Test Signing Cert');
    assert.ok(c.signer?.time?.startsWith('20'));
    assert.match(c.claimGenerator ?? '', /make_test_images/);
    assert.ok(c.actions.some((x) => x.action === 'c2pa.opened'));
    assert.ok(c.actions.some((x) => x.action === 'c2pa.color_adjustments'));
    assert.equal(c.ingredients[0]?.title, 'A.jpg');
    assert.equal(c.ingredients[0]?.relationship, 'parentOf');
    assert.equal(c.offline, true);
    assert.deepEqual(c.reader.ran && c.reader.blockedNetworkRequests, []);
    assert.ok(codes(a, 'info').includes('c2pa-valid-untrusted'));
    assert.equal(a.verdict, 'consistent');
    assert.equal(a.scoreInfo?.strength, 'moderate');
    assert.match(a.scoreInfo?.limits ?? '', /offline/);
  });

  it('reports valid manifests from another implementation (c2pa-ts) as valid', async () => {
    const c = c2paOf(await run(c2('trustnxt-icon-signed-timestamp.jpg')));
    assert.equal(c.validationState, 'valid');
    assert.deepEqual(c.integrityFailures, []);
  });

  for (const [file, code] of [
    ['E-sig-CA.jpg', 'claimSignature.mismatch'],
    ['XCA.jpg', 'assertion.dataHash.mismatch'],
    ['dashinit.mp4', 'assertion.bmffHash.mismatch'],
  ] as const) {
    it(`reports the tampered ${file} as invalid with integrity failure ${code}`, async () => {
      const a = await run(c2(file));
      const c = c2paOf(a);
      assert.equal(c.validationState, 'invalid');
      assert.ok(c.integrityFailures.some((x) => x.code === code), JSON.stringify(c.integrityFailures));
      assert.ok(c.integrityFailures.every((x) => !x.code.startsWith('signingCredential.')));
      assert.ok(codes(a, 'alert').includes('c2pa-integrity-failure'));
      assert.equal(a.verdict, 'suspicious');
    });
  }

  for (const file of ['no_manifest.jpg', 'trustnxt-icon.png']) {
    it(`reports the unsigned ${file} as none`, async () => {
      const a = await run(c2(file));
      const c = c2paOf(a);
      assert.equal(c.present, false);
      assert.equal(c.validationState, 'none');
      assert.deepEqual(c.integrityFailures, []);
      assert.deepEqual(codes(a, 'alert'), []);
    });
  }

  it('trusts a manifest that chains to the interim list, names the list and its date, and reads declared AI in ingredients', async () => {
    const a = await run(c2('ocsp.jpg'));
    const c = c2paOf(a);
    assert.equal(c.validationState, 'trusted');
    assert.deepEqual(c.integrityFailures, []);
    assert.deepEqual(c.trustedBy, [{ id: 'content-credentials-interim', title: 'Content Credentials interim trust list (temporary, to be deprecated)', date: '2025-08-28' }]);
    assert.equal(c.digitalSourceType, 'compositeWithTrainedAlgorithmicMedia');
    assert.ok(c.ingredients.some((i) => i.digitalSourceTypes.includes('trainedAlgorithmicMedia')));
    assert.deepEqual(codes(a).sort(), ['c2pa-declares-ai', 'c2pa-trusted']);
    assert.equal(a.verdict, 'suspicious');
  });

  it('trusts ChatGPT output through the official C2PA list and names the generator from the manifest', async () => {
    const a = await run(gen('chatgpt-image2.png'));
    const c = c2paOf(a);
    assert.equal(c.validationState, 'trusted');
    assert.equal(c.trustedBy[0]?.id, 'c2pa-trust-list');
    assert.equal(c.trustedBy[0]?.date, '2026-08-13');
    assert.equal(c.digitalSourceType, 'trainedAlgorithmicMedia');
    assert.equal(c.signer?.issuer, 'OpenAI OpCo, LLC');
    assert.equal(generatorOf(a)?.name, 'gpt-image 2.0');
    assert.match(generatorOf(a)?.evidence ?? '', /^C2PA manifest \(trusted\)/);
    assert.ok(codes(a, 'alert').includes('c2pa-declares-ai'));
  });

  it('does not fetch a remote manifest and says so', async () => {
    const a = await run(c2('cloud.jpg'));
    const c = c2paOf(a);
    assert.equal(c.validationState, 'none');
    assert.match(c.remoteManifestUrl ?? '', /^https:\/\/cai-manifests\.adobe\.com\//);
    assert.ok(codes(a, 'warn').includes('c2pa-remote-manifest'));
    assert.deepEqual(c.reader.ran && c.reader.blockedNetworkRequests, []);
  });

  it('reports a manifest c2pa-rs cannot read as a broken manifest with the reason', async () => {
    const a = await run(c2('no_alg.jpg'));
    const c = c2paOf(a);
    assert.equal(c.present, true);
    assert.equal(c.validationState, 'invalid');
    assert.match(c.readerError ?? '', /UnknownAlgorithm/);
    assert.ok(codes(a, 'alert').includes('c2pa-unreadable'));
  });

  it('separates a failed identity (CAWG) assertion from the content integrity', async () => {
    const a = await run(c2('ica_validation__signature_mismatch.jpg'));
    const c = c2paOf(a);
    assert.equal(c.engineState, 'Invalid');
    assert.equal(c.validationState, 'valid');
    assert.ok(c.identity.some((x) => x.code === 'cawg.ica.signature_mismatch'));
    assert.ok(codes(a, 'warn').includes('c2pa-identity-failure'));
  });

  it('can be turned off, and rejects bad parameters with a clear error', async () => {
    const a = await run(c2('CA.jpg'), { c2pa: false });
    assert.equal(c2paOf(a).validationState, 'none');
    assert.equal(c2paOf(a).reader.ran, false);
    await assert.rejects(analyzeFile(c2('CA.jpg'), { analyzers: [provenanceAnalyzer], artifacts: new MemoryArtifactStore(), params: { provenance: { c2paTimeoutMs: 'soon' } } }), {
      code: 'bad-parameter',
      message: "provenance: parameter c2paTimeoutMs must be an integer from 100 to 600000, got 'soon'",
    });
  });

  it('leaves the evidence bytes unchanged', async () => {
    const before = readFileSync(c2('XCA.jpg'));
    const r = await analyzeFile(c2('XCA.jpg'), { analyzers: [provenanceAnalyzer], artifacts: new MemoryArtifactStore() });
    assert.equal(r.integrity?.unchanged, true);
    assert.ok(readFileSync(c2('XCA.jpg')).equals(before));
  });
});

describe('provenance: status classification and declarations', () => {
  it('splits C2PA status codes into integrity, trust and identity', async () => {
    const { classifyStatus } = await import('../../src/analyzers/provenance/c2pa.js');
    const table: [string, string][] = [
      ['assertion.dataHash.mismatch', 'integrity'],
      ['claimSignature.mismatch', 'integrity'],
      ['assertion.bmffHash.mismatch', 'integrity'],
      ['claim.missing', 'integrity'],
      ['assertion.required.missing', 'integrity'],
      ['timeStamp.mismatch', 'integrity'],
      ['timeStamp.malformed', 'integrity'],
      ['general.error', 'integrity'],
      ['signingCredential.untrusted', 'trust'],
      ['signingCredential.expired', 'trust'],
      ['signingCredential.revoked', 'trust'],
      ['signingCredential.invalid', 'trust'],
      ['timeStamp.untrusted', 'trust'],
      ['claimSignature.outsideValidity', 'trust'],
      ['cawg.ica.signature_mismatch', 'identity'],
      ['cawg.ica.did_unavailable', 'identity'],
    ];
    for (const [code, group] of table) assert.equal(classifyStatus(code), group, code);
  });

  it('finds embedded stores and XMP declarations with the bounded byte scans', async () => {
    const { scanContainer } = await import('../../src/evidence/containers.js');
    const { readXmpDeclarations } = await import('../../src/analyzers/provenance/xmp.js');
    const { aiToolName } = await import('../../src/analyzers/provenance/generators.js');
    const jpeg = scanContainer('jpeg', readFileSync(c2('ica_validation__signature_mismatch.jpg')));
    assert.equal(jpeg.c2paMarker, true);
    assert.equal(jpeg.jumbf, true);
    const d = readXmpDeclarations(jpeg.xmp);
    assert.equal(d.creatorTool, 'Adobe Lightroom 5.3 (Macintosh)');
    assert.equal(aiToolName(d.creatorTool), undefined);
    assert.equal(scanContainer('png', readFileSync(gen('chatgpt-image2.png'))).c2paMarker, true);
    const stripped = scanContainer('png', readFileSync(gen('gimp.png')));
    assert.equal(stripped.c2paMarker, false);
    assert.deepEqual(stripped.entries.map((e) => e.key), ['Comment']);
  });
});
