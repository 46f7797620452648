import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsc, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ElectronApplication, Page } from 'playwright-core';
import { fixture, ROOT } from '../helpers.js';
import { API_METHODS } from '../../src/contract/api.js';

/**
 * The desktop app end to end with Playwright's `_electron.launch`: the real main process, the
 * sandboxed window on verilens://, the generated preload, IPC validation and the engine in its
 * utilityProcess. Only the native dialogs are answered by the test (replaced in main, as an
 * analyst would pick files). Runs when the Electron binary is installed; otherwise it skips and
 * says why. `require('electron')` is never called here: without the binary it starts a download.
 */
function electronBinary(): { path?: string; why?: string } {
  const pkg = join(ROOT, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { why: 'the electron package is not installed (node_modules/electron)' };
  const pathTxt = join(pkg, 'path.txt');
  if (!existsSync(pathTxt))
    return {
      why: 'the Electron binary is not installed (node_modules/electron/path.txt is missing: setup ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `node node_modules/electron/install.js` on a machine that may download it',
    };
  const rel = readFileSync(pathTxt, 'utf8').trim();
  const dist = process.env['ELECTRON_OVERRIDE_DIST_PATH'] ?? join(pkg, 'dist');
  const bin = join(dist, rel);
  try {
    accessSync(bin, process.platform === 'win32' ? fsc.R_OK : fsc.X_OK);
  } catch {
    return { why: `the Electron binary ${bin} is missing or not executable` };
  }
  return { path: bin };
}

const found = electronBinary();
const skip = found.path ? false : `Electron end-to-end suite skipped: ${found.why}`;
const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');

/** A headless X server on Linux when there is no display (CI); null elsewhere. */
async function ensureDisplay(): Promise<{ display?: string; proc?: ChildProcess }> {
  if (process.platform !== 'linux' || process.env['DISPLAY']) return {};
  if (spawnSync('which', ['Xvfb']).status !== 0) return {};
  const display = `:${90 + (process.pid % 100)}`;
  const proc = spawn('Xvfb', [display, '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 800));
  return { display, proc };
}

// Skipped per test (not per suite) so the run's summary counts them as skipped, each with the reason.
describe('Electron end-to-end (_electron.launch, real engine in the utilityProcess)', () => {
  let app: ElectronApplication;
  let page: Page;
  let home: string;
  let xvfb: ChildProcess | undefined;
  const consoleErrors: string[] = [];

  before(async () => {
    if (skip) return;
    // The current renderer and shell, built as `npm start` builds them.
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'error' });
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'electron/tsconfig.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    home = await mkdtemp(join(tmpdir(), 'verilens-electron-e2e-'));
    await mkdir(SHOTS, { recursive: true });
    const x = await ensureDisplay();
    xvfb = x.proc;
    const { _electron } = await import('playwright-core');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    env['VERILENS_HOME'] = home;
    if (x.display) env['DISPLAY'] = x.display;
    app = await _electron.launch({ executablePath: found.path!, args: [ROOT], env, cwd: ROOT });
    page = await app.firstWindow();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.locator('.brand').waitFor();
  });

  after(async () => {
    if (skip) return;
    await app?.close().catch(() => undefined);
    xvfb?.kill();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `electron-${name}.png`) });
  const key = async (k: string): Promise<void> => {
    await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
    await page.keyboard.press(k);
  };

  it('loads the UI from verilens:// in a sandboxed page that sees only window.verilens', { skip }, async () => {
    assert.match(page.url(), /^verilens:\/\/app\//);
    const keys = (await page.evaluate('Object.keys(window.verilens).sort()')) as string[];
    assert.deepEqual(keys, [...API_METHODS, 'onEvent'].sort());
    assert.equal(await page.evaluate('typeof require'), 'undefined');
    assert.equal(await page.evaluate('typeof process'), 'undefined');
    assert.equal(
      await page.evaluate('typeof window.ipcRenderer + typeof window.electron + typeof window.verilens.ipcRenderer'),
      'undefinedundefinedundefined',
    );
    assert.equal(await page.evaluate('Object.isFrozen(window.verilens)'), true);
    // Offline: network requests fail, new windows and navigation are refused.
    assert.equal(await page.evaluate("fetch('http://127.0.0.1:9/').then(() => 'reached', () => 'blocked')"), 'blocked');
    assert.equal(await page.evaluate("window.open('https://example.com/') === null"), true);
    await page.evaluate("location.href = 'https://example.com/'").catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.match(page.url(), /^verilens:\/\/app\//);
    assert.equal(app.windows().length, 1);
    // A page-made File has no path: the preload refuses it without reaching main.
    const r = (await page.evaluate("window.verilens.addEvidenceDropped('VL-1', [new File(['x'], 'x.jpg')])")) as {
      ok: boolean;
      error?: { code: string };
    };
    assert.deepEqual([r.ok, r.error?.code], [false, 'bad-arguments']);
    // Every argument is validated in main.
    const bad = (await page.evaluate("window.verilens.getArtifact('VL-1', '../../etc/passwd')")) as {
      ok: boolean;
      error?: { code: string };
    };
    assert.deepEqual([bad.ok, bad.error?.code], [false, 'bad-arguments']);
    await shot('01-cases');
  });

  it('creates a case, adds evidence through the main-process dialog, analyses it and shows the heatmap', { skip }, async () => {
    await page.getByLabel('Case title').fill('Electron run — ELA fixture');
    await page.getByLabel('Analyst name').fill('A. Trainee');
    await page.getByRole('button', { name: 'Create case' }).click();
    await page.getByText('No evidence', { exact: false }).or(page.locator('[data-testid="evidence-list"]')).first().waitFor();
    await app.evaluate(
      ({ dialog }, paths) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: paths })) as typeof dialog.showOpenDialog;
      },
      [fixture('images', 'ela_modified.jpg'), fixture('e2e', 'selfie-live_T1.jpg')],
    );
    await key('Control+o');
    const items = page.locator('[data-testid="evidence-list"] li');
    await items.nth(1).waitFor();
    await page.locator('[data-testid="evidence-list"] li', { hasText: 'ela_modified.jpg' }).click();
    await page.getByTestId('analyze').click();
    await page.locator('section.analyzer[data-analyzer="ela"]').waitFor({ timeout: 120_000 });
    await key('h');
    await page.waitForFunction(
      `(() => { const img = document.querySelector('[data-testid="heatmap-overlay"]'); return Boolean(img && img.complete && img.naturalWidth > 0); })()`,
    );
    await shot('02-examine-ela');
  });

  it('records a verdict override in the case custody log', { skip }, async () => {
    const panel = page.locator('section.analyzer[data-analyzer="ela"]');
    const header = panel.locator('> header');
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    await panel.getByTestId('override-ela').click();
    await panel.getByLabel('Override verdict').selectOption('suspicious');
    await panel.getByLabel('Override reason').fill('Pasted object visible at full zoom.');
    await panel.getByRole('button', { name: 'Record override' }).click();
    await panel.locator('.override-note').waitFor();
    const { readdir } = await import('node:fs/promises');
    const [caseId] = await readdir(join(home, 'cases'));
    assert.ok(caseId);
    assert.match(await readFile(join(home, 'cases', caseId, 'custody.log'), 'utf8'), /Pasted object visible at full zoom/);
    await shot('03-override');
  });

  it('exports a signed report through the save dialog and verifies it', { skip }, async () => {
    const dest = join(home, 'out', 'report.pdf');
    await mkdir(join(home, 'out'), { recursive: true });
    await app.evaluate(({ dialog }, file) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: file })) as typeof dialog.showSaveDialog;
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [file] })) as typeof dialog.showOpenDialog;
    }, dest);
    await key('4');
    await page.getByLabel('Key passphrase').fill('correct horse battery staple');
    await page.getByTestId('export-report').click();
    await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
    assert.ok(existsSync(dest));
    await page.getByTestId('verify-report').click();
    await page.getByTestId('verify-result').waitFor();
    assert.match((await page.getByTestId('verify-result').textContent()) ?? '', /VALID/);
    await shot('04-report');
    assert.deepEqual(consoleErrors, []);
  });
});
