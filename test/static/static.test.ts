import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../helpers.js';

describe('static checks', () => {
  it('typechecks strictly', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('lints clean', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const results = await eslint.lintFiles(['src', 'electron', 'renderer', 'test', 'bench', 'scripts', 'bin'].filter((d) => existsSync(join(ROOT, d))));
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId ?? ''} ${m.message}`));
    assert.deepEqual(problems, []);
  });

  it('enforces the boundaries: src/ never imports electron or react, the renderer only the contract', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const lint = async (filePath: string, code: string): Promise<string[]> =>
      (await eslint.lintText(code, { filePath: join(ROOT, filePath) })).flatMap((r) => r.messages.map((m) => m.ruleId ?? ''));
    assert.ok((await lint('src/engine/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).includes('no-restricted-imports'));
    assert.ok((await lint('src/engine/x.ts', "import React from 'react';\nexport const r = React;\n")).includes('no-restricted-imports'));
    assert.ok((await lint('src/contract/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).includes('no-restricted-imports'));
    assert.deepEqual(await lint('src/engine/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"), []);
  });

  it('keeps analyzer data typed at the seam: no untyped data index, no computed result id, no cast through unknown', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const rules = async (filePath: string, code: string): Promise<string[]> =>
      (await eslint.lintText(code, { filePath: join(ROOT, filePath) })).flatMap((r) => r.messages.map((m) => `${m.ruleId ?? ''}: ${m.message}`));
    const untyped = "export const f = (r: { data: Record<string, unknown> }): unknown => r.data['faces'];\n";
    for (const file of ['renderer/src/lib/x.ts', 'src/reports/x.ts']) {
      assert.ok((await rules(file, untyped)).some((m) => /typed contract/.test(m)), `${file}: data['key'] is refused`);
    }
    assert.ok((await rules('renderer/src/lib/x.ts', 'export const f = (e: { analyzers: Record<string, unknown> }, id: string): unknown => e.analyzers[id];\n')).some((m) => /literal id/.test(m)));
    assert.ok((await rules('src/engine/x.ts', 'export const f = (v: string): number => v as unknown as number;\n')).some((m) => /as unknown as/.test(m)));
    // The typed forms pass.
    assert.deepEqual(await rules('renderer/src/lib/x.ts', 'export const f = (r: { data: { faces: number[] } }): number[] => r.data.faces;\n'), []);
    // Contract files may import each other, never the engine.
    assert.ok((await rules('src/contract/analyzers/x.ts', "import { ANALYZERS } from '../../analyzers/index.js';\nexport const a = ANALYZERS;\n")).some((m) => /no-restricted-imports/.test(m)));
    assert.deepEqual(await rules('src/contract/analyzers/x.ts', "import type { JsonObject } from '../json.js';\nexport type A = JsonObject;\n"), []);
  });
});
