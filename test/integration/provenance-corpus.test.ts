import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AnalyzerResult } from '../../src/contract/results.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { provenanceAnalyzer } from '../../src/analyzers/provenance/index.js';
import type { C2paSummary } from '../../src/analyzers/provenance/c2pa.js';
import { c2paHost } from '../../src/analyzers/provenance/c2pa-reader.js';
import { bundledTrust } from '../../src/analyzers/provenance/trust.js';
import { corpus, filesUnder, needCorpus } from '../helpers.js';

after(() => c2paHost(bundledTrust().settingsJson).close());


async function run(path: string): Promise<{ a: AnalyzerResult | undefined; error?: string; ms: number }> {
  const t0 = performance.now();
  const r = await analyzeFile(path, { analyzers: [provenanceAnalyzer], artifacts: new MemoryArtifactStore() });
  return { a: r.analyzers['provenance'], ...(r.error ? { error: r.error.code } : {}), ms: performance.now() - t0 };
}
const alerts = (a: { findings: { severity: string; code: string }[] }): string[] => a.findings.filter((f) => f.severity === 'alert').map((f) => f.code);
const c2paOf = (a: { data: Record<string, unknown> }): C2paSummary => a.data['c2pa'] as unknown as C2paSummary;

describe('provenance: shared corpus sweeps', { skip: needCorpus }, () => {
  const EXPECTED_NAME: Record<string, RegExp> = {
    'chatgpt-image2.png': /^gpt-image/,
    'comfyui-comfy-image-saver.png': /^ComfyUI$/,
    'comfyui-saveimagewithmetadata.png': /^ComfyUI$/,
    'comfyui.png': /^ComfyUI$/,
    'forge-classic.png': /^Stable Diffusion WebUI Forge Classic$/,
    'forge-neo.png': /^Stable Diffusion WebUI Forge Neo$/,
    'forge.png': /^Stable Diffusion WebUI Forge$/,
    'gemini_3.1pro.png': /Google/,
    'invokeai.png': /^InvokeAI$/,
    'novelai-curated.png': /^NovelAI/,
    'reforge.png': /^Stable Diffusion WebUI reForge$/,
    'ruined-fooocus.png': /^RuinedFooocus$/,
    'sd-next.png': /^SD\.Next$/,
    'sd-webui.png': /^AUTOMATIC1111 Stable Diffusion web UI$/,
  };
  const STRIPPED = new Set(['gimp.png', 'empty.png']);

  it('names the generator of every generator sample, and of neither stripped negative', async () => {
    const files = filesUnder(corpus('ai-generated'));
    assert.ok(files.length >= 34);
    for (const f of files) {
      const { a } = await run(f);
      assert.ok(a && a.status === 'ok', f);
      const g = a.data['generator'] as { name: string } | null;
      const name = basename(f);
      if (STRIPPED.has(name)) {
        assert.equal(g, null, `${name} should name no generator`);
        assert.deepEqual(alerts(a), [], name);
        continue;
      }
      assert.ok(g, `${name}: no generator named`);
      assert.match(g.name, f.includes('/comfyui/') ? /^ComfyUI$/ : (EXPECTED_NAME[name] ?? /^$/), name);
      assert.equal(a.verdict, 'suspicious', name);
    }
  });

  const UNSIGNED = new Set([
    'IMG_0003.jpg', 'MultiPage.tif', 'P1000827.jpg', 'TUSCANY.TIF', 'c.mov', 'earth_apollo17.jpg', 'libpng-test.png', 'mars.webp', 'no_manifest.jpg',
    'sample1.avif', 'sample1.heic', 'sample1.heif', 'sample1.png', 'sample1.webp', 'test.avi', 'test.tiff', 'test.webp', 'test_lossless.webp',
    'test_xmp.webp', 'video1_no_manifest.mp4', 'test-video.mp4', 'trustnxt-icon.heic', 'trustnxt-icon.jpg', 'trustnxt-icon.png',
  ]);
  const VALID = new Set([
    'C.jpg', 'CA.jpg', 'CACA.jpg', 'CACAE-uri-CA.jpg', 'CA_ct.jpg', 'CIE-sig-CA.jpg', 'C_with_CAWG_data.jpg', 'boxhash.jpg', 'legacy.mp4',
    'legacy_ingredient_hash.jpg', 'update_manifest.jpg', 'video1.mp4', 'ocsp.jpg', 'amazon-titan-g1.png', 'trustnxt-icon-signed-timestamp.jpg',
    'trustnxt-icon-signed-v2-bmff.heic', 'claim_aggregation__adobe_connected_identities.jpg', 'ica_validation__success.jpg', 'validation_method__no_hard_binding.jpg',
  ]);

  it('C2PA corpus: valid files are valid/trusted without integrity failures, E-*/X* files fail integrity, unsigned files are none', async () => {
    let tampered = 0;
    for (const f of filesUnder(corpus('c2pa'))) {
      const name = basename(f);
      const { a, error, ms } = await run(f);
      assert.ok(ms < 20_000, `${name} took ${ms} ms`);
      if (!a) {
        assert.equal(error, 'unsupported-type', `${name}: ${error}`); // the bare .c2pa manifest file is not evidence
        continue;
      }
      const c = c2paOf(a);
      if (/^(E-|X)/.test(name)) {
        tampered++;
        assert.equal(c.validationState, 'invalid', name);
        assert.ok(c.integrityFailures.length > 0, name);
      } else if (UNSIGNED.has(name)) {
        assert.equal(c.validationState, 'none', name);
        assert.equal(c.present, false, name);
      } else if (VALID.has(name)) {
        assert.ok(c.validationState === 'valid' || c.validationState === 'trusted', `${name}: ${c.validationState}`);
        assert.deepEqual(c.integrityFailures, [], name);
      }
      assert.deepEqual(c.integrityFailures.filter((x) => x.code.startsWith('signingCredential.')), [], `${name}: trust codes are not integrity failures`);
      // c2pa-rs fixture names: a later 'E' marks an ingredient that was broken when it was added.
      if (name === 'CACAE-uri-CA.jpg' || name === 'CIE-sig-CA.jpg') {
        assert.ok(c.ingredientFailures.length > 0, `${name}: the broken ingredient is reported`);
        assert.ok(a.findings.some((f) => f.code === 'c2pa-ingredient-failure'), name);
      }
    }
    assert.equal(tampered, 2);
  });

  it('camera photos produce no AI alert and name no generator', async () => {
    let n = 0;
    for (const f of filesUnder(corpus('camera'))) {
      const { a } = await run(f);
      if (!a || a.status === 'not-applicable') continue;
      n++;
      assert.equal(a.status, 'ok', f);
      assert.equal(a.data['generator'], null, f);
      assert.deepEqual(alerts(a).filter((c) => /ai|generator/.test(c)), [], f);
    }
    assert.ok(n >= 100, `only ${n} camera files were analysed`);
  });
});
