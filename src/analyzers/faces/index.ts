import type { FaceRecord } from '../../contract/analyzers/faces.js';
import type { ArtifactRef, Finding } from '../../contract/results.js';
import { defineAnalyzer } from '../../engine/analyzer.js';
import { cropResize } from '../../models/preprocess.js';
import { detectFaces } from './detect.js';
import { pngOf, workImage } from './image.js';
import { registryOf, round1, round4 } from './shared.js';
import { facesReport } from './report.js';

export const FACE_DETECTOR_ID = 'yunet';
/** Crops saved as artifacts are at most this many pixels on their longest side. */
const CROP_MAX_SIDE = 256;
/** A main face narrower than this (display pixels) is too small for reliable liveness and face-swap checks. */
export const SMALL_FACE_PX = 80;

export const facesAnalyzer = defineAnalyzer({
  id: 'faces',
  version: '1.0.0',
  report: facesReport,
  accepts: (info) => info.kind === 'image',
  async run(ev, ctx) {
    const maxFaces = ctx.params.maxFaces;
    const registry = registryOf(ctx.services);
    const vm = await registry.session(FACE_DETECTOR_ID);
    ctx.progress(0.1, 'decoding');
    const img = await workImage(ev);
    ctx.signal.throwIfAborted();
    const th = vm.entry.thresholds;
    const scoreThreshold = th['score'] ?? 0.6;
    const maxSide = th['detectMaxSide'] ?? 640;
    ctx.progress(0.3, 'detecting faces');
    const det = await detectFaces(vm, img, { scoreThreshold, nmsIou: th['nmsIou'] ?? 0.3, maxSide, minSide: 160, maxFaces });
    const dets = det.faces;
    ctx.signal.throwIfAborted();
    const inv = 1 / img.scale;
    const faces: FaceRecord[] = [];
    const artifacts: ArtifactRef<'face-crop'>[] = [];
    for (const [index, d] of dets.entries()) {
      const p = (i: number): [number, number] => {
        const l = d.landmarks[i] ?? [0, 0];
        return [round1(l[0] * inv), round1(l[1] * inv)];
      };
      const box = { x: round1(d.box.x * inv), y: round1(d.box.y * inv), width: round1(d.box.width * inv), height: round1(d.box.height * inv) };
      // The crop shows a little context around the box, clamped to the image.
      const cx = d.box.x + d.box.width / 2;
      const cy = d.box.y + d.box.height / 2;
      const half = (Math.max(d.box.width, d.box.height) * 1.3) / 2;
      const x0 = Math.max(0, Math.floor(cx - half));
      const y0 = Math.max(0, Math.floor(cy - half));
      const x1 = Math.min(img.width - 1, Math.ceil(cx + half));
      const y1 = Math.min(img.height - 1, Math.ceil(cy + half));
      const cw = x1 - x0 + 1;
      const ch = y1 - y0 + 1;
      const k = Math.min(1, CROP_MAX_SIDE / Math.max(cw, ch));
      const crop = cropResize(img, x0, y0, x1, y1, Math.max(1, Math.round(cw * k)), Math.max(1, Math.round(ch * k)));
      const ref = await ctx.artifacts.put({
        kind: 'face-crop',
        mime: 'image/png',
        data: await pngOf(crop),
        width: crop.width,
        height: crop.height,
        note: `face ${index + 1} of ${dets.length}, detector score ${d.score.toFixed(2)}`,
      });
      artifacts.push(ref);
      faces.push({
        index,
        box,
        score: round4(d.score),
        landmarks: { rightEye: p(0), leftEye: p(1), nose: p(2), mouthRight: p(3), mouthLeft: p(4) },
        areaFraction: round4((box.width * box.height) / (img.displayWidth * img.displayHeight)),
        crop: ref.sha256,
      });
      ctx.progress(0.5 + (0.5 * (index + 1)) / dets.length);
    }
    const findings: Finding[] = [];
    const main = faces[0];
    if (!main) {
      findings.push({ severity: 'info', code: 'no-face', message: 'No face was found, so the liveness and face-swap checks do not apply to this image.' });
    } else {
      findings.push({
        severity: 'info',
        code: 'faces-found',
        message: `${faces.length} face${faces.length > 1 ? 's were' : ' was'} found; the largest (face 1) is the one the liveness and face-swap verdicts are about.`,
        region: main.box,
      });
      if (main.box.width < SMALL_FACE_PX) {
        findings.push({
          severity: 'warn',
          code: 'small-face',
          message: `The main face is only ${Math.round(main.box.width)} pixels wide, so the liveness and face-swap checks on it are unreliable; ask for a closer photo.`,
          region: main.box,
        });
      }
      if (faces.length > 1) {
        findings.push({
          severity: 'info',
          code: 'multiple-faces',
          message: `More than one face is visible (${faces.length}); check whether the second face is an ID document held up on purpose or another person.`,
        });
      }
    }
    return {
      status: 'ok',
      findings,
      artifacts,
      models: [vm.use],
      data: {
        faceCount: faces.length,
        faces,
        mainFace: main ? 0 : null,
        detection: { width: det.width, height: det.height, scoreThreshold, detector: `${vm.entry.id} ${vm.entry.version}` },
      },
    };
  },
});
