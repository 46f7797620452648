// `npm run eval`: measure the shipped face models on the evaluation sets beside the project
// (../shared/corpus/faces/eval-* and anti_spoofing_samples) and print detection rate, AUC and
// accuracy per model and dataset. Not a unit test; the eval data is never copied into the project.
// `npm run eval -- --json` prints the figures as JSON (used to fill models/manifest.json).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { faceSwapAnalyzer } from '../src/analyzers/face-swap/index.js';
import { facesAnalyzer } from '../src/analyzers/faces/index.js';
import { livenessAnalyzer } from '../src/analyzers/liveness/index.js';
import { okData } from '../src/contract/analyzers/index.js';
import { HashOnlyArtifactStore } from '../src/engine/artifacts.js';
import { analyzeFile } from '../src/engine/runner.js';
import { createEngineServices } from '../src/engine/services.js';
import { CORPUS } from '../test/helpers.js';

const FACES = join(CORPUS, 'faces');
const IMAGE = /\.(jpe?g|png|webp)$/i;

interface Sample {
  file: string;
  faceFound: boolean;
  /** Per-model and fused scores of the main face (higher = more manipulated / spoof). */
  scores: Record<string, number>;
}

function listImages(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => IMAGE.test(f))
      .map((f) => join(dir, f))
      .filter((p) => statSync(p).isFile())
      .sort();
  } catch {
    return [];
  }
}

/** Area under the ROC curve by the Mann-Whitney statistic (ties count half). Pure. */
export function auc(pos: readonly number[], neg: readonly number[]): number {
  if (!pos.length || !neg.length) return Number.NaN;
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

export function accuracy(pos: readonly number[], neg: readonly number[], threshold: number): number {
  const tp = pos.filter((p) => p >= threshold).length;
  const tn = neg.filter((n) => n < threshold).length;
  return (tp + tn) / (pos.length + neg.length);
}

const services = createEngineServices();
const cache = new Map<string, Sample>();

async function score(file: string): Promise<Sample> {
  const hit = cache.get(file);
  if (hit) return hit;
  const r = await analyzeFile(file, { analyzers: [facesAnalyzer, livenessAnalyzer, faceSwapAnalyzer], artifacts: new HashOnlyArtifactStore(), services });
  const s: Sample = { file, faceFound: (okData(r.analyzers, 'faces')?.faceCount ?? 0) > 0, scores: {} };
  for (const id of ['liveness', 'face-swap'] as const) {
    const a = r.analyzers[id];
    if (a?.status === 'ok' && a.score !== undefined) {
      s.scores[id] = a.score;
      const f0 = a.data.faces[0];
      for (const [m, v] of Object.entries(f0?.perModel ?? {})) s.scores[m] = id === 'liveness' ? 1 - v : v;
    } else if (a && a.status !== 'not-applicable') {
      throw new Error(`${file}: ${id} ${a.status} ${a.error?.message ?? ''}`);
    }
  }
  cache.set(file, s);
  return s;
}

interface Row {
  task: string;
  dataset: string;
  model: string;
  metric: string;
  value: number;
  n: number;
  note: string;
}
const rows: Row[] = [];

async function scoreAll(files: string[]): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const f of files) out.push(await score(f));
  return out;
}

function pick(samples: Sample[], key: string): number[] {
  return samples.filter((s) => s.scores[key] !== undefined).map((s) => s.scores[key] as number);
}

async function detection(name: string, files: string[]): Promise<void> {
  if (!files.length) return;
  const s = await scoreAll(files);
  const found = s.filter((x) => x.faceFound).length;
  rows.push({ task: 'detection', dataset: name, model: 'yunet', metric: 'face found rate', value: found / s.length, n: s.length, note: 'every image shows one face' });
}

async function binary(task: string, name: string, posFiles: string[], negFiles: string[], models: string[], threshold: number, note: string): Promise<void> {
  if (!posFiles.length || !negFiles.length) return;
  const pos = await scoreAll(posFiles);
  const neg = await scoreAll(negFiles);
  for (const m of models) {
    const p = pick(pos, m);
    const n = pick(neg, m);
    if (!p.length || !n.length) continue;
    rows.push({ task, dataset: name, model: m, metric: 'AUC', value: auc(p, n), n: p.length + n.length, note: `${p.length} positive, ${n.length} negative; ${note}` });
    rows.push({ task, dataset: name, model: m, metric: `accuracy@${threshold}`, value: accuracy(p, n, threshold), n: p.length + n.length, note });
  }
}

async function rate(task: string, name: string, files: string[], model: string, threshold: number, label: string): Promise<void> {
  if (!files.length) return;
  const s = pick(await scoreAll(files), model);
  if (!s.length) return;
  rows.push({ task, dataset: name, model, metric: label, value: s.filter((x) => x >= threshold).length / s.length, n: s.length, note: `score >= ${threshold}` });
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const spoofDir = join(FACES, 'anti_spoofing_samples');
  const spoof = listImages(spoofDir).filter((f) => /image_F/.test(f));
  const live = listImages(spoofDir).filter((f) => /image_T/.test(f));
  const london = listImages(join(FACES, 'eval-real-london'));
  const dfdc = (split: string, kind: string): string[] => listImages(join(FACES, 'eval-dfdc-crops', 'sample_train_data', split, kind));
  const dfdcFake = ['train', 'validation', 'test'].flatMap((s) => dfdc(s, 'fake'));
  const dfdcReal = ['train', 'validation', 'test'].flatMap((s) => dfdc(s, 'real'));
  const sg3 = listImages(join(FACES, 'eval-stylegan3-fake'));
  const sfhq = listImages(join(FACES, 'eval-ai-sfhq-t2i'));
  if (!london.length && !spoof.length) {
    console.log(`no evaluation data under ${FACES}; nothing to measure`);
    return;
  }
  const t0 = performance.now();
  await detection('eval-real-london', london);
  await detection('eval-dfdc-crops', [...dfdcFake, ...dfdcReal]);
  await detection('eval-stylegan3-fake', sg3);
  await detection('eval-ai-sfhq-t2i', sfhq);
  const liveModels = ['liveness', 'minifasnet-v2', 'minifasnet-v1se'];
  await binary('liveness', 'anti_spoofing_samples (F* spoof) vs T1 + eval-real-london (live)', spoof, [...live, ...london], liveModels, 0.5, 'upstream samples; only 2 spoof images');
  for (const m of liveModels) {
    await rate('liveness', 'anti_spoofing_samples F* (spoof)', spoof, m, 0.5, 'spoof detected rate');
    await rate('liveness', 'eval-real-london (live studio portraits)', london, m, 0.5, 'false spoof rate');
    await rate('liveness', 'eval-dfdc-crops real (video frames)', dfdcReal, m, 0.5, 'false spoof rate');
  }
  const swapModels = ['face-swap', 'mesonet-df', 'mesonet-f2f'];
  const swapTh = 0.5;
  await binary('face-swap', 'eval-dfdc-crops (fake vs real)', dfdcFake, dfdcReal, swapModels, swapTh, 'DFDC face crops, all splits');
  await binary('face-swap', 'eval-stylegan3-fake vs eval-real-london', sg3, london, swapModels, swapTh, 'GAN faces: outside what MesoNet was trained on');
  await binary('face-swap', 'eval-ai-sfhq-t2i vs eval-real-london', sfhq, london, swapModels, swapTh, 'diffusion faces: outside what MesoNet was trained on');
  for (const m of swapModels) await rate('face-swap', 'eval-real-london (real)', london, m, swapTh, 'false positive rate');
  const secs = (performance.now() - t0) / 1000;
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`task       model            metric               value   n    dataset`);
  for (const r of rows) {
    console.log(`${r.task.padEnd(10)} ${r.model.padEnd(16)} ${r.metric.padEnd(20)} ${r.value.toFixed(3).padStart(6)} ${String(r.n).padStart(4)}  ${r.dataset}${r.note ? ` (${r.note})` : ''}`);
  }
  console.log(`\n${cache.size} images in ${secs.toFixed(1)} s`);
}

await main();
