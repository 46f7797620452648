import type { LivenessFace } from '../../contract/analyzers/liveness.js';
import type { Finding, ScoreInfo } from '../../contract/results.js';
import { defineAnalyzer } from '../../engine/analyzer.js';
import { classify } from '../../models/classifier.js';
import type { VerifiedModel } from '../../models/registry.js';
import type { ModelEntry } from '../../models/manifest.js';
import { workImage } from '../faces/image.js';
import { SMALL_FACE_PX } from '../faces/index.js';
import { facesFrom, registryOf, round4 } from '../faces/shared.js';

/** The two MiniFASNet models used together, as upstream does. */
export const LIVENESS_MODELS = ['minifasnet-v2', 'minifasnet-v1se'] as const;

/** Upstream's fusion: average the two softmax outputs; live when class 1 wins. Pure. */
export function fuseLive(liveProbs: readonly number[]): number {
  return liveProbs.reduce((a, b) => a + b, 0) / liveProbs.length;
}

/**
 * Measured figures from the manifest for scoreInfo.measuredOn: the rows measured on the fused pair
 * (metric 'pair ...') of the first model, else every row. Pure.
 */
export function performanceText(entries: readonly ModelEntry[]): string {
  const first = entries[0];
  const pair = first ? first.performance.filter((p) => p.metric.startsWith('pair ') && !p.metric.includes('accuracy')) : [];
  const rows = pair.length ? pair.map((p) => ({ ...p, metric: p.metric.slice(5) })) : entries.flatMap((e) => e.performance.map((p) => ({ ...p, metric: `${e.id} ${p.metric}` })));
  const parts = rows.map((p) => {
    const split = /(\d+ positive, \d+ negative)/.exec(p.note ?? '');
    return `${p.metric} ${p.value} on ${p.dataset} (n=${p.n}${split ? `: ${split[1]}` : ''})`;
  });
  return parts.length ? `Measured with npm run eval: ${parts.join('; ')}` : 'no measurement recorded in the manifest';
}

export const livenessAnalyzer = defineAnalyzer({
  id: 'liveness',
  version: '1.0.0',
  requires: ['faces'],
  accepts: (info) => info.kind === 'image',
  async run(ev, ctx) {
    const registry = registryOf(ctx.services);
    const models: VerifiedModel[] = [];
    for (const id of LIVENESS_MODELS) models.push(await registry.session(id));
    const img = await workImage(ev);
    const faces = facesFrom(ctx.results.faces, img.scale);
    if (faces.length === 0) return { status: 'not-applicable', reason: 'no face found' };
    const geometry = faces.map((f) => f.geometry);
    const perModel: number[][] = [];
    for (const [i, vm] of models.entries()) {
      ctx.signal.throwIfAborted();
      perModel.push((await classify(vm, img, geometry)).map((o) => 1 - o.probManipulated));
      ctx.progress((i + 1) / models.length);
    }
    const threshold = models[0]?.entry.thresholds['spoof'] ?? 0.5;
    const out: LivenessFace[] = faces.map((f, k) => {
      const lives = perModel.map((p) => p[k] ?? 0);
      const live = fuseLive(lives);
      return {
        index: f.record.index,
        live: round4(live),
        spoof: round4(1 - live),
        perModel: Object.fromEntries(models.map((vm, m) => [vm.entry.id, round4(lives[m] ?? 0)])),
      };
    });
    const main = out[0] as LivenessFace;
    const score = Math.min(1, Math.max(0, 1 - fuseLive(perModel.map((p) => p[0] ?? 0))));
    const region = faces[0]?.record.box;
    const mainWidth = (geometry[0]?.box.width ?? 0) / img.scale;
    const findings: Finding[] = [];
    let verdict: 'suspicious' | 'consistent' | 'inconclusive' = score >= threshold ? 'suspicious' : 'consistent';
    if (score >= threshold) {
      findings.push({
        severity: 'warn',
        code: 'presentation-attack',
        message: `The main face looks like a photo of a print or a screen (spoof probability ${main.spoof.toFixed(2)}, threshold ${threshold}); ask for a new live capture.`,
        ...(region ? { region } : {}),
      });
    } else {
      findings.push({ severity: 'info', code: 'live-face', message: `The main face looks like a live capture (spoof probability ${main.spoof.toFixed(2)}, threshold ${threshold}).`, ...(region ? { region } : {}) });
    }
    if (mainWidth < SMALL_FACE_PX) {
      verdict = 'inconclusive';
      findings.push({ severity: 'warn', code: 'face-too-small', message: `The main face is only ${Math.round(mainWidth)} pixels wide, too small for the anti-spoofing models to judge; the verdict is inconclusive.` });
    }
    const entries = models.map((m) => m.entry);
    const scoreInfo: ScoreInfo = {
      method: 'Two MiniFASNet anti-spoofing CNNs (Silent-Face-Anti-Spoofing) on 2.7x and 4.0x crops around the main face, live probabilities averaged; score = 1 - live probability.',
      measuredOn: performanceText(entries.slice(0, 1)) + '. Upstream claims TPR 97.8% at FPR 1e-5 on its own internal data (not reproducible here).',
      limits: entries[0]?.limits ?? '',
      strength: entries[0]?.strength ?? 'moderate',
      threshold,
    };
    return { status: 'ok', verdict, score: round4(score), scoreInfo, findings, models: models.map((m) => m.use), data: { faces: out, mainFace: 0, threshold } };
  },
});
