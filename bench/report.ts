// Report export for a case of 20 images: PDF + canonical JSON + signature, against baselines
// measured in the same run (re-verifying the case, building the JSON alone, verifying the bundle).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ANALYZERS } from '../src/analyzers/index.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { CaseSession, loadCase, verifyCase } from '../src/cases/index.js';
import { loadOrCreateAnalystKey } from '../src/keys/keyring.js';
import { exportReport } from '../src/reports/export.js';
import { buildReport } from '../src/reports/model.js';
import { verifyReport } from '../src/reports/verify.js';
import { fixture } from '../test/helpers.js';
import { ratioLine, timeIt } from './_util.js';

const SOURCES = ['images/ela_modified.jpg', 'images/ela_original.jpg', 'images/img_1771.jpg', 'images/orientation_f6t.jpg', 'faces/image_F1.jpg'];
const QUALITIES = [78, 84, 90, 96];

export async function bench(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'verilens-bench-report-'));
  try {
    // 20 distinct real photos: 5 fixtures re-encoded at 4 JPEG qualities (the case dedupes identical bytes).
    const inputs: string[] = [];
    for (const s of SOURCES) {
      for (const q of QUALITIES) {
        const p = join(tmp, `${s.replace(/\W/g, '_')}-q${q}.jpg`);
        await writeFile(p, await sharp(fixture(...s.split('/'))).rotate().jpeg({ quality: q }).toBuffer());
        inputs.push(p);
      }
    }
    const dir = join(tmp, 'case');
    const home = join(tmp, 'home');
    const c = await CaseSession.create(dir, { title: 'Benchmark: 20 images', analyst: 'bench' });
    const t0 = performance.now();
    try {
      for (const f of inputs) await c.addEvidence(f);
      await c.analyze({ analyzers: ANALYZERS, only: ['metadata', 'ela', 'jpeg'] });
      await c.annotate({ kind: 'note', text: 'benchmark case' });
    } finally {
      await c.close();
    }
    const setupMs = performance.now() - t0;
    const key = await loadOrCreateAnalystKey(home, 'bench', 'bench passphrase');
    const { state } = await loadCase(dir);
    const artifacts = state.evidence.reduce((n, e) => n + Object.values(e.analysis?.analyzers ?? {}).reduce((m, r) => m + r.artifacts.length, 0), 0);
    console.log(`case: ${state.evidence.length} images, ${artifacts} artifacts, intake + analysis ${(setupMs / 1000).toFixed(1)} s`);

    let pdfBytes = 0;
    let pages = 0;
    const out = join(tmp, 'out', 'report.pdf');
    const exp = await timeIt(
      async () => {
        const r = await exportReport(dir, out, key);
        pdfBytes = r.pdf.length;
        pages = (r.pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
      },
      { warmup: 1, runs: 3 },
    );
    const verifyCaseMs = (await timeIt(() => verifyCase(dir), { warmup: 1, runs: 3 })).medianMs;
    const jsonOnly = await timeIt(
      async () => {
        const l = await loadCase(dir);
        canonicalJson(buildReport(l.state, l.lines, { analyst: key.analyst, fingerprint: key.fingerprint }));
      },
      { warmup: 1, runs: 3 },
    );
    const verifyMs = (await timeIt(() => verifyReport(out, { home, caseDir: dir }), { warmup: 1, runs: 3 })).medianMs;
    console.log(`export: median ${exp.medianMs.toFixed(0)} ms for ${state.evidence.length} images (${(exp.medianMs / state.evidence.length).toFixed(0)} ms per image); PDF ${pages} pages, ${(pdfBytes / 1024 / 1024).toFixed(2)} MiB`);
    console.log(ratioLine('export (PDF + JSON + signature)', exp.medianMs, 'case verify (re-hash evidence, walk chain)', verifyCaseMs));
    console.log(ratioLine('export (PDF + JSON + signature)', exp.medianMs, 'JSON report alone', jsonOnly.medianMs));
    console.log(ratioLine('verify report with --case', verifyMs, 'case verify', verifyCaseMs));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
