import type { FaceSwapFace } from '../../contract/analyzers/face-swap.js';
import type { Finding, ScoreInfo } from '../../contract/results.js';
import { defineAnalyzer } from '../../engine/analyzer.js';
import { classify } from '../../models/classifier.js';
import type { VerifiedModel } from '../../models/registry.js';
import { VerilensError } from '../../util/errors.js';
import { workImage } from '../faces/image.js';
import { SMALL_FACE_PX } from '../faces/index.js';
import { facesFrom, registryOf, round4 } from '../faces/shared.js';
import { performanceText } from '../liveness/index.js';

/** Mean of the models' manipulation probabilities (the DF and F2F heads disagree often; the mean is steadier). Pure. */
export function fuseSwap(probs: readonly number[]): number {
  return probs.length ? probs.reduce((a, b) => a + b, 0) / probs.length : 0;
}

export const faceSwapAnalyzer = defineAnalyzer({
  id: 'face-swap',
  version: '1.0.0',
  requires: ['faces'],
  accepts: (info) => info.kind === 'image',
  async run(ev, ctx) {
    const registry = registryOf(ctx.services);
    const entries = await registry.entries('face-swap');
    if (entries.length === 0) throw new VerilensError('model-integrity', `no face-swap model is listed in ${registry.dirs.map((d) => `${d}/manifest.json`).join(' or ')}`);
    const models: VerifiedModel[] = [];
    for (const e of entries) models.push(await registry.session(e.entry.id));
    const img = await workImage(ev);
    const faces = facesFrom(ctx.results.faces, img.scale);
    if (faces.length === 0) return { status: 'not-applicable', reason: 'no face found' };
    const geometry = faces.map((f) => f.geometry);
    const perModel: number[][] = [];
    for (const [i, vm] of models.entries()) {
      ctx.signal.throwIfAborted();
      perModel.push((await classify(vm, img, geometry)).map((o) => o.probManipulated));
      ctx.progress((i + 1) / models.length);
    }
    const out: FaceSwapFace[] = faces.map((f, k) => {
      const ps = perModel.map((p) => p[k] ?? 0);
      return {
        index: f.record.index,
        score: round4(fuseSwap(ps)),
        perModel: Object.fromEntries(models.map((vm, m) => [vm.entry.id, round4(ps[m] ?? 0)])),
      };
    });
    const main = out[0] as FaceSwapFace;
    const first = models[0] as VerifiedModel;
    const threshold = first.entry.thresholds['manipulated'] ?? 0.5;
    const mainWidth = (geometry[0]?.box.width ?? 0) / img.scale;
    const findings: Finding[] = [];
    // Below the threshold the verdict stays inconclusive: a detector this weak cannot vouch for a face.
    let verdict: 'suspicious' | 'inconclusive' = main.score >= threshold ? 'suspicious' : 'inconclusive';
    const aucRow = first.entry.performance.find((p) => p.metric === 'pair AUC' && p.dataset.includes('dfdc'));
    if (main.score < threshold) {
      findings.push({
        severity: 'info',
        code: 'face-swap-not-flagged',
        message: `MesoNet does not flag the main face (${main.score.toFixed(2)}, threshold ${threshold}), but it misses most modern face swaps${aucRow ? ` (measured AUC ${aucRow.value})` : ''}, so this is not evidence that the face is genuine.`,
      });
    } else {
      findings.push({
        severity: 'warn',
        code: 'face-swap-signal',
        message: `MesoNet rates the main face as possibly swapped or reenacted (${main.score.toFixed(2)}, threshold ${threshold}); this is a weak signal, so look for blending edges and mismatched skin tone before acting on it.`,
      });
    }
    if (mainWidth < SMALL_FACE_PX) {
      verdict = 'inconclusive';
      findings.push({ severity: 'warn', code: 'face-too-small', message: `The main face is only ${Math.round(mainWidth)} pixels wide, too small for MesoNet to judge; the verdict is inconclusive.` });
    }
    const scoreInfo: ScoreInfo = {
      method: `${aucRow ? `Weak signal (measured AUC ${aucRow.value} on DFDC face crops). ` : ''}MesoNet (Meso4, 2018) on an eye-aligned 256x256 crop of the main face; mean of the manipulation probabilities of ${models.map((m) => m.entry.id).join(' and ')}.`,
      measuredOn: performanceText(models.map((m) => m.entry)),
      limits: first.entry.limits,
      strength: 'weak',
      threshold,
    };
    return { status: 'ok', verdict, score: round4(main.score), scoreInfo, findings, models: models.map((m) => m.use), data: { faces: out, mainFace: 0, threshold, measuredAuc: aucRow?.value ?? null } };
  },
});
