import type { ClassifierRun } from '../../contract/analyzers/classifiers.js';
import type { Finding, ModelUse, ScoreInfo } from '../../contract/results.js';
import { defineAnalyzer, type AnalyzerOutput } from '../../engine/analyzer.js';
import { classify } from '../../models/classifier.js';
import { workImage } from '../faces/image.js';
import { facesFrom, registryOf, round4 } from '../faces/shared.js';
import { performanceText } from '../liveness/index.js';

/**
 * Runs every generic classifier an organisation declared in a signed models manifest (role
 * `classifier`): input spec, crop (whole image or face) and output semantics all come from the
 * manifest, so a team can plug in its own licensed detector without code.
 */
export const classifiersAnalyzer = defineAnalyzer({
  id: 'classifiers',
  version: '1.0.0',
  requires: ['faces'],
  accepts: (info) => info.kind === 'image',
  async run(ev, ctx): Promise<AnalyzerOutput<'classifiers'>> {
    const registry = registryOf(ctx.services);
    const entries = await registry.entries('classifier');
    if (entries.length === 0) return { status: 'not-applicable', reason: 'no organisation classifier is installed; add a signed models folder with --models DIR' };
    const img = await workImage(ev);
    const faces = facesFrom(ctx.results.faces, img.scale);
    const runs: ClassifierRun[] = [];
    const uses: ModelUse[] = [];
    const findings: Finding[] = [];
    let best: { score: number; info: ScoreInfo } | undefined;
    let suspicious = false;
    for (const [i, { entry }] of entries.entries()) {
      ctx.signal.throwIfAborted();
      const vm = await registry.session(entry.id);
      uses.push(vm.use);
      const threshold = entry.thresholds['manipulated'] ?? 0.5;
      const wholeImage = entry.crop.kind === 'image';
      const outs = wholeImage || faces.length ? await classify(vm, img, faces.map((f) => f.geometry)) : [];
      const results = outs.map((o, k) => ({ face: wholeImage ? null : k, score: round4(o.probManipulated) }));
      runs.push({ id: entry.id, version: entry.version, title: entry.title, crop: entry.crop.kind, threshold, strength: entry.strength, results });
      const main = results[0];
      if (!main) {
        findings.push({ severity: 'info', code: 'classifier-no-face', message: `${entry.title} needs a face and none was found, so it did not run.` });
      } else {
        if (main.score >= threshold) {
          suspicious = true;
          findings.push({ severity: 'warn', code: 'classifier-flag', message: `${entry.title} scores ${main.score.toFixed(2)}, at or above its threshold ${threshold}; read its model card before acting on it.` });
        }
        if (!best || main.score > best.score) {
          best = {
            score: main.score,
            info: { method: `${entry.title} (organisation model ${entry.id} ${entry.version}, ${wholeImage ? 'whole image' : 'main face'})`, measuredOn: performanceText([entry]), limits: entry.limits, strength: entry.strength, threshold },
          };
        }
      }
      ctx.progress((i + 1) / entries.length);
    }
    if (!best) return { status: 'ok', findings, models: uses, data: { models: runs } };
    return { status: 'ok', findings, models: uses, data: { models: runs }, score: best.score, scoreInfo: best.info, verdict: suspicious ? 'suspicious' : 'consistent' };
  },
});
