import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ANALYZERS } from '../../src/analyzers/index.js';
import type { AnalyzerResults } from '../../src/contract/analyzers/index.js';
import { MemoryArtifactStore } from '../../src/engine/artifacts.js';
import { analyzeFile } from '../../src/engine/runner.js';
import { createEngineServices } from '../../src/engine/services.js';
// The renderer's pure helpers (no DOM), run here on real engine output.
import { collectFaces } from '../../renderer/src/lib/faces.js';
import { quantTables } from '../../renderer/src/lib/jpeg.js';
import { groupMetadata } from '../../renderer/src/lib/metadata.js';
import { parseBlocks } from '../../renderer/src/lib/markdown.js';
import { dataOf, fixture, ROOT } from '../helpers.js';

async function run(file: string, only: string[]): Promise<AnalyzerResults> {
  const r = await analyzeFile(file, { analyzers: ANALYZERS, only, artifacts: new MemoryArtifactStore(), services: createEngineServices() });
  return r.analyzers;
}

describe('renderer helpers on real engine output', () => {
  let ela: AnalyzerResults;
  let selfie: AnalyzerResults;
  before(async () => {
    ela = await run(fixture('images', 'ela_modified.jpg'), ['metadata', 'jpeg']);
    selfie = await run(fixture('e2e', 'selfie-live_T1.jpg'), ['faces', 'liveness', 'face-swap']);
  });

  it('finds both quantisation tables of a JPEG, 64 values each, named by role', () => {
    const tables = quantTables(dataOf(ela, 'jpeg'));
    assert.deepEqual(
      tables.map((t) => [t.label.split(' ')[0], t.values.length]),
      [
        ['luminance', 64],
        ['chrominance', 64],
      ],
    );
    // Quality 95 IJG luminance table starts 2, 1, 1, 2 (natural order).
    assert.deepEqual(tables[0]!.values.slice(0, 4), [2, 1, 1, 2]);
  });

  it('flags the metadata rows the editor warning points at, first, and filters by search', () => {
    const groups = groupMetadata(dataOf(ela, 'metadata'), ela.metadata!.findings, '');
    const flagged = groups.flatMap((g) => g.rows.filter((r) => r.flagged).map((r) => r.text));
    assert.ok(flagged.includes('GIMP 2.8.18'), flagged.join(', '));
    assert.ok(groups[0]!.flagged > 0, 'a group with flagged rows comes first');
    for (const g of groups) {
      const firstPlain = g.rows.findIndex((r) => !r.flagged);
      assert.ok(firstPlain === -1 || g.rows.slice(firstPlain).every((r) => !r.flagged), `flagged rows first in ${g.name}`);
    }
    const none = groupMetadata(dataOf(ela, 'metadata'), [], 'gimp');
    assert.ok(
      none.every((g) =>
        g.rows.every((r) => !r.flagged && (r.path.toLowerCase().includes('gimp') || r.text.toLowerCase().includes('gimp'))),
      ),
    );
    assert.ok(none.length > 0);
  });

  it('collects the face box, five landmarks and the per-face liveness and face-swap scores', () => {
    const faces = collectFaces(selfie);
    assert.equal(faces.length, 1);
    const f = faces[0]!;
    assert.equal(f.landmarks.length, 5);
    assert.ok(f.box.width > 50 && f.box.height > 50);
    for (const p of f.landmarks) assert.ok(p.x >= f.box.x - 5 && p.x <= f.box.x + f.box.width + 5, 'landmarks inside the box');
    assert.deepEqual(Object.keys(f.scores).sort(), ['face-swap', 'liveness']);
    assert.equal(f.scores.liveness, dataOf(selfie, 'liveness').faces[0]!.spoof);
    assert.equal(f.scores['face-swap'], dataOf(selfie, 'face-swap').faces[0]!.score);
  });

  it('parses the shipped model cards into headings and joined bullet items', async () => {
    const md = await readFile(join(ROOT, 'models', 'MODEL_CARDS.md'), 'utf8');
    const blocks = parseBlocks(md);
    assert.ok(blocks.some((b) => b.kind === 'h' && b.text.includes('`yunet`')));
    const items = blocks.filter((b) => b.kind === 'li');
    assert.ok(items.length > 5);
    assert.ok(
      items.every((b) => !b.text.includes('\n')),
      'wrapped lines are joined',
    );
  });
});
