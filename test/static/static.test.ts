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
});
