import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixture, ROOT } from '../helpers.js';
import { createTestBridge, serveStatic, type TestBridge } from './bridge.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `Debian Chromium not found at ${CHROMIUM} (apt-get install chromium); the renderer end-to-end suite needs it`;
const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
const RENDERER = join(ROOT, 'renderer');

/** Build the UI with Vite (a second or two) so the test always runs the current renderer. */
async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(RENDERER, 'vite.config.ts'), logLevel: 'error' });
}

describe('renderer static checks', () => {
  it('typechecks strictly with the DOM library (renderer/tsconfig.json)', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(RENDERER, 'tsconfig.json'), '--noEmit'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('ships index.html with the strict CSP and no inline script or style', async () => {
    const html = await readFile(join(RENDERER, 'index.html'), 'utf8');
    assert.ok(html.includes(`content="default-src 'none'; script-src 'self'; img-src 'self' data: blob:; style-src 'self'"`));
    assert.doesNotMatch(html, /<style|<script(?![^>]*\bsrc=)|\sstyle=/);
  });
});

describe('renderer end-to-end (Vite build in Chromium, real engine through the test bridge)', { skip }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let bridge: TestBridge;
  let server: { url: string; close(): Promise<void> };
  let home: string;
  const consoleErrors: string[] = [];

  before(async () => {
    await buildRenderer();
    home = await mkdtemp(join(tmpdir(), 'verilens-e2e-'));
    await mkdir(SHOTS, { recursive: true });
    server = await serveStatic(join(RENDERER, 'dist'));
    bridge = createTestBridge({ home, dropRoots: [fixture('images'), fixture('video'), fixture('jpeg')] });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    // The app is offline: any request that is not the local UI server fails the test.
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(server.url) || u.startsWith('blob:') || u.startsWith('data:')) return route.continue();
      consoleErrors.push(`network request outside the app: ${u}`);
      return route.abort();
    });
    await bridge.attach(context);
    page = await context.newPage();
    bridge.setPage(page);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  after(async () => {
    bridge?.api.dispose();
    await browser?.close();
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  /** A global shortcut: leave any text field first, as an analyst would (shortcuts are ignored while typing). */
  const key = async (k: string): Promise<void> => {
    await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
    await page.keyboard.press(k);
  };
  const openPanel = async (id: string): Promise<void> => {
    const header = page.locator(`section.analyzer[data-analyzer="${id}"] > header`);
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  };

  it('opens on the cases view under the strict CSP with the bridge connected', async () => {
    await page.goto(server.url);
    await page.locator('.brand').waitFor();
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.equal(csp, "default-src 'none'; script-src 'self'; img-src 'self' data: blob:; style-src 'self'");
    assert.equal(await page.locator('text=The engine is not connected').count(), 0);
    await page.getByText('No cases yet').waitFor();
    await shot('01-cases-empty');
  });

  it('creates a case, adds evidence through the dialog, and lists it with hashes', async () => {
    await page.getByLabel('Case title').fill('Loan 2291 — ID selfie and document');
    await page.getByLabel('Analyst name').fill('A. Trainee');
    await page.getByLabel('Case notes').fill('Received by e-mail from the onboarding team.');
    await page.getByRole('button', { name: 'Create case' }).click();
    await page.getByText('No evidence', { exact: false }).or(page.locator('[data-testid="evidence-list"]')).first().waitFor();
    bridge.queueEvidence([
      fixture('images', 'ela_modified.jpg'),
      fixture('e2e', 'selfie-live_T1.jpg'),
      fixture('images', 'not-png-bad-signature.png'),
    ]);
    await key('Control+o');
    const items = page.locator('[data-testid="evidence-list"] li');
    await assert.doesNotReject(items.nth(1).waitFor());
    assert.equal(await items.count(), 2);
    // The malformed PNG is refused at intake with a reason naming the file.
    await page.locator('.notice.error', { hasText: 'not-png-bad-signature.png' }).waitFor();
    const cases = await bridge.api.handlers.listRecentCases();
    assert.equal(cases.length, 1);
    assert.equal(cases[0]!.evidenceCount, 2);
    const view = await bridge.api.handlers.openCase(cases[0]!.id);
    const ela = view.evidence.find((e) => e.name === 'ela_modified.jpg');
    assert.ok(ela);
    assert.ok(await items.first().locator(`code[title="SHA-256 ${ela.sha256}"]`).count());
  });

  it('analyses the ELA fixture and shows the heatmap overlay, block map and side by side', async () => {
    await page.locator('[data-testid="evidence-list"] li', { hasText: 'ela_modified.jpg' }).click();
    await page.locator('[data-testid="viewer"] img.base').first().waitFor();
    await page.getByTestId('analyze').click();
    await page.locator('section.analyzer[data-analyzer="ela"]').waitFor({ timeout: 120_000 });
    assert.ok(
      bridge.events.some((e) => e.type === 'progress'),
      'progress events were streamed',
    );
    assert.ok(bridge.events.some((e) => e.type === 'job-finished' && e.ok));
    await key('h');
    const heat = page.getByTestId('heatmap-overlay');
    await heat.waitFor();
    // Predicates run in the page (serialized, so self-contained); typed by hand as this file has no DOM library.
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } })
        .document;
      const img = doc.querySelector('[data-testid="heatmap-overlay"]');
      return Boolean(img && img.complete && img.naturalWidth > 0);
    });
    const opacity = (): Promise<string> =>
      page.evaluate(`getComputedStyle(document.querySelector('[data-testid="heatmap-overlay"]')).opacity`);
    assert.equal(await opacity(), '0.6');
    await page.getByLabel('Heatmap opacity').fill('0.85');
    assert.equal(await opacity(), '0.85');
    await openPanel('ela');
    await shot('02-examine-ela-heatmap');
    await key('b');
    await page.getByTestId('blockmap-overlay').waitFor();
    await key('b');
    await key('s');
    await page.getByText('ELA heatmap', { exact: true }).last().waitFor();
    assert.equal(await page.locator('[data-testid="viewer"] .pane').count(), 2);
    await shot('03-examine-side-by-side');
    await key('s');
    // "Show" on a finding with a region zooms the image to it and outlines it.
    const zoomBefore = await page.locator('.zoom-readout').textContent();
    await page
      .locator('section.analyzer[data-analyzer="ela"] .finding', { has: page.getByRole('button', { name: 'Show' }) })
      .first()
      .getByRole('button', { name: 'Show' })
      .click();
    await page.getByTestId('highlight').waitFor();
    assert.notEqual(await page.locator('.zoom-readout').textContent(), zoomBefore);
    await shot('04-examine-ela-region');
    await key('h');
    await key('0');
  });

  it('analyses the selfie and draws the face boxes with landmarks', async (t) => {
    const info = await bridge.api.handlers.getAppInfo();
    if (!info.analyzers.some((a) => a.id === 'faces')) {
      t.skip('the faces analyzer is not registered in this build');
      return;
    }
    await page.locator('[data-testid="evidence-list"] li', { hasText: 'selfie-live_T1.jpg' }).click();
    await page.getByTestId('analyze').click();
    await page.locator('section.analyzer[data-analyzer="faces"]').waitFor({ timeout: 120_000 });
    const marks = page.locator('[data-testid="face-overlay"] g.face-mark');
    await marks.first().waitFor();
    assert.ok((await marks.count()) >= 1);
    assert.ok((await marks.first().locator('circle').count()) === 5, 'five landmarks per face');
    await openPanel('faces');
    await shot('05-examine-faces');
  });

  it('adds a dropped video and scrubs its timeline, showing the frame at the cursor', async () => {
    // A real drop event carrying a File: the bridge maps its name to the fixture, as the preload maps it to a path.
    const dt = await page.evaluateHandle(
      `(() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'asl_yes.mkv', { type: 'video/x-matroska' })); return d; })()`,
    );
    await page.getByTestId('evidence-list').dispatchEvent('drop', { dataTransfer: dt });
    const item = page.locator('[data-testid="evidence-list"] li', { hasText: 'asl_yes.mkv' });
    await item.waitFor();
    await item.click();
    await page.getByTestId('video-scrubber').waitFor();
    await page.getByTestId('analyze').click();
    await page
      .locator('section.analyzer[data-analyzer="video-faces"]')
      .or(page.locator('section.analyzer[data-analyzer="container"]'))
      .first()
      .waitFor({ timeout: 120_000 });
    const frame = page.locator('[data-testid="viewer"] img.base').first();
    await frame.waitFor();
    const first = await frame.getAttribute('src');
    await page.getByLabel('Video position').fill('1.5');
    await page.waitForFunction((prev) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } })
        .document;
      return doc.querySelector('[data-testid="viewer"] img.base')?.getAttribute('src') !== prev;
    }, first);
    await page.locator('.scrubber .mono', { hasText: '1.50 s' }).waitFor();
    await shot('06-examine-video');
  });

  it('shows the content credentials (C2PA) of a signed file with their validation state', async () => {
    const dt = await page.evaluateHandle(
      `(() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'app11-c2pa-ijg-q92.jpg', { type: 'image/jpeg' })); return d; })()`,
    );
    await page.getByTestId('evidence-list').dispatchEvent('drop', { dataTransfer: dt });
    const item = page.locator('[data-testid="evidence-list"] li', { hasText: 'app11-c2pa-ijg-q92.jpg' });
    await item.waitFor();
    await item.click();
    await page.getByTestId('analyze').click();
    await page.locator('section.analyzer[data-analyzer="provenance"]').waitFor({ timeout: 120_000 });
    await openPanel('provenance');
    assert.match((await page.getByTestId('c2pa-state').textContent()) ?? '', /Valid signature/);
    await page
      .locator('section.analyzer[data-analyzer="provenance"] > header')
      .evaluate((el) => (el as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'start' }));
    await shot('07-examine-c2pa');
  });

  it('shows metadata grouped and searchable, with the rows a warning points at flagged first', async () => {
    await page.locator('[data-testid="evidence-list"] li', { hasText: 'ela_modified.jpg' }).click();
    await openPanel('metadata');
    const panel = page.locator('section.analyzer[data-analyzer="metadata"]');
    await panel.getByLabel('Search metadata').fill('software');
    const flagged = panel.locator('tr.flagged', { hasText: 'GIMP' });
    await flagged.first().waitFor();
    // Within its group, a flagged row comes before the others.
    const firstRow = panel.locator('details.meta-group').first().locator('tbody tr').first();
    assert.match((await firstRow.getAttribute('class')) ?? '', /flagged/);
    const ela = page.locator('section.analyzer[data-analyzer="ela"] > header');
    if ((await ela.getAttribute('aria-expanded')) === 'true') await ela.click();
    await panel
      .locator('> header')
      .evaluate((el) => (el as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'start' }));
    await shot('07-examine-metadata-search');
    await panel.getByLabel('Search metadata').fill('');
    await openPanel('jpeg');
    const qcells = page.locator('section.analyzer[data-analyzer="jpeg"] .qgrid span');
    assert.ok((await qcells.count()) >= 64, 'at least one 8x8 quantisation table is drawn');
  });

  it('records a verdict override with its reason in the case custody log', async () => {
    await page.locator('[data-testid="evidence-list"] li', { hasText: 'ela_modified.jpg' }).click();
    const panel = page.locator('section.analyzer[data-analyzer="ela"]');
    await openPanel('ela');
    await panel.getByTestId('override-ela').click();
    await panel.getByLabel('Override verdict').selectOption('suspicious');
    await panel.getByLabel('Override reason').fill('Pasted object visible at full zoom; heatmap confirms a bright block.');
    await panel.getByRole('button', { name: 'Record override' }).click();
    await panel.locator('.override-note').waitFor();
    const [c] = await bridge.api.handlers.listRecentCases();
    const view = await bridge.api.handlers.openCase(c!.id);
    const ela = view.evidence.find((e) => e.name === 'ela_modified.jpg')!;
    assert.deepEqual(
      ela.overrides.map((o) => [o.analyzer, o.verdict, o.by]),
      [['ela', 'suspicious', 'A. Trainee']],
    );
    const log = await readFile(join(home, 'cases', c!.id, 'custody.log'), 'utf8');
    assert.match(log, /"verdict-override"/);
    assert.match(log, /heatmap confirms a bright block/);
    await page.getByLabel('Bookmark comment').fill('Compare this area with the original scan');
    await page.getByRole('button', { name: 'Bookmark view' }).click();
    await page.locator('.bookmarks li', { hasText: 'Compare this area' }).waitFor();
    // Mark the first ELA finding as confirmed, with a comment.
    const finding = panel.locator('.finding').first();
    const code = await finding.getAttribute('data-code');
    await finding.getByRole('button', { name: 'Mark' }).click();
    await finding.getByLabel('Comment on finding').fill('matches the pasted penguin');
    await finding.getByRole('button', { name: 'Confirmed' }).click();
    await panel.locator(`.finding.marked-confirmed[data-code="${code}"]`).first().waitFor();
    const marked = (await bridge.api.handlers.openCase(c!.id)).evidence.find((e) => e.name === 'ela_modified.jpg')!.marks;
    assert.deepEqual(
      marked.map((m) => [m.analyzer, m.code, m.index, m.mark, m.comment]),
      [['ela', code, Number(await finding.getAttribute('data-index')), 'confirmed', 'matches the pasted penguin']],
    );
    // Several findings share the code (one per region): only the one marked shows the mark.
    assert.ok((await panel.locator(`.finding[data-code="${code}"]`).count()) >= 2, 'ELA lists several regions with the same code');
    assert.equal(await panel.locator('.finding.marked-confirmed').count(), 1);
    await panel.locator('.findings').scrollIntoViewIfNeeded();
    await shot('08a-examine-one-region-marked');
    // The magnifier follows the pointer over the image.
    await key('m');
    const box = (await page.getByTestId('viewer').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.lens').waitFor();
    await shot('08-examine-override');
    await key('m');
  });

  it('shows the integrity status of every model with its card', async () => {
    await key('3');
    await page.getByRole('heading', { name: 'Models' }).waitFor();
    const rows = page.locator('[data-testid="models-table"] tbody tr');
    const none = page.getByText('No models are installed');
    await rows.first().or(none).waitFor({ timeout: 60_000 });
    if (await rows.count()) {
      const statuses = await rows.locator('.badge').allTextContents();
      assert.ok(
        statuses.every((s) => s === 'Verified'),
        `every shipped model verifies: ${statuses.join(', ')}`,
      );
    }
    await shot('09-models');
  });

  it('exports a signed report and verifies it', async (t) => {
    const info = await bridge.api.handlers.getAppInfo();
    await key('4');
    await page.getByRole('heading', { name: 'Verify a report' }).waitFor();
    await shot('10-report');
    if (!info.features.reports) {
      t.skip('signed reports are not part of this build yet (src/reports)');
      return;
    }
    const dest = join(home, 'out', 'report.pdf');
    bridge.queueReportDestination(dest);
    await page.getByLabel('Key passphrase').fill('correct horse battery staple');
    await page.getByTestId('export-report').click();
    await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
    bridge.queueReportFile(dest);
    await page.getByTestId('verify-report').click();
    await page.getByTestId('verify-result').waitFor();
    assert.match((await page.getByTestId('verify-result').textContent()) ?? '', /VALID/);
    await shot('11-report-verified');
  });

  it('switches theme, lists shortcuts and recent cases, with no console errors or network requests', async () => {
    await key('2');
    await key('t');
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'light');
    await shot('12-examine-light');
    await key('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await key('t');
    await key('1');
    const row = page.locator('table.recent tbody tr', { hasText: 'Loan 2291' });
    await row.waitFor();
    assert.equal(await row.locator('td').nth(1).textContent(), 'A. Trainee');
    // The list refreshes when the view opens; wait for the fresh count (two photos, the video, the C2PA file).
    await row.locator('td', { hasText: /^4$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('td').nth(2).textContent(), '4');
    await shot('13-cases-recent');
    assert.deepEqual(consoleErrors, []);
  });
});
