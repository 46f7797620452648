import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANALYZER_IDS, isAnalyzerId } from '../../src/contract/analyzers/index.js';
import { ROOT } from '../helpers.js';

const PANELS = join(ROOT, 'renderer', 'src', 'panels', 'analyzers');

describe('renderer analyzer panels', () => {
  it('are one file per real analyzer id, each declaring the panel of the analyzer it is named after (regression: a dead "c2pa" panel case)', () => {
    const files = readdirSync(PANELS).filter((f) => f.endsWith('.tsx'));
    assert.ok(files.length >= 7, files.join(', '));
    for (const f of files) {
      const id = f.replace(/\.tsx$/, '');
      assert.ok(isAnalyzerId(id), `${f} is named after no analyzer (known: ${ANALYZER_IDS.join(', ')})`);
      const src = readFileSync(join(PANELS, f), 'utf8');
      const declared = [...src.matchAll(/definePanel\('([^']+)'/g)].map((m) => m[1]);
      assert.deepEqual(declared, [id], `${f} must export exactly one panel, for '${id}'`);
    }
  });
});
