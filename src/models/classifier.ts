import { VerilensError } from '../util/errors.js';
import type { OutputSpec } from './manifest.js';
import { cropFor, sigmoid, softmax, tensorDims, toTensor, type Box, type Point, type RgbImage } from './preprocess.js';
import { runModel, type VerifiedModel } from './registry.js';

const BATCH = 8;

export interface FaceGeometry {
  box: Box;
  landmarks: Point[];
}

export interface ClassifierOutput {
  /** Probability of manipulation / spoof per the manifest's output semantics, in [0, 1]. */
  probManipulated: number;
  /** The raw output row (before activation), for the record. */
  raw: number[];
}

/** Read one output row per the manifest's output spec. Pure. */
export function readOutput(row: readonly number[], spec: OutputSpec): number {
  const act = spec.activation === 'softmax' ? softmax(row) : spec.activation === 'sigmoid' ? row.map(sigmoid) : [...row];
  const v = act[spec.index];
  if (v === undefined || !Number.isFinite(v)) throw new VerilensError('model-output', `output '${spec.name}' has no finite value at index ${spec.index}`);
  const p = Math.min(1, Math.max(0, v));
  return spec.meaning === 'prob-authentic' ? 1 - p : p;
}

/**
 * Run a fixed-size classifier declared in a manifest on each face (or once on the whole image for
 * crop kind 'image'), batched. Input spec, crop rule and output semantics all come from the manifest.
 */
export async function classify(vm: VerifiedModel, img: RgbImage, faces: readonly FaceGeometry[]): Promise<ClassifierOutput[]> {
  const { input, output, crop } = vm.entry;
  if (!output || input.width === null || input.height === null) throw new VerilensError('model-output', `model '${vm.entry.id}' is not a fixed-size classifier`);
  const targets: (FaceGeometry | undefined)[] = crop.kind === 'image' ? [undefined] : [...faces];
  if (targets.length === 0) return [];
  const w = input.width;
  const h = input.height;
  const per = w * h * 3;
  const res: ClassifierOutput[] = [];
  // Batches of at most BATCH faces bound memory on crowd photos (a 256x256 input is 786 KB of floats).
  for (let start = 0; start < targets.length; start += BATCH) {
    const chunk = targets.slice(start, start + BATCH);
    const batch = new Float32Array(per * chunk.length);
    chunk.forEach((t, i) => batch.set(toTensor(cropFor(img, crop, w, h, t), input), i * per));
    const outs = await runModel(vm, batch, tensorDims(input, chunk.length, w, h));
    const t = outs[output.name];
    if (!t) throw new VerilensError('model-output', `model '${vm.entry.id}' has no output '${output.name}'`);
    const data = t.data as Float32Array;
    const k = data.length / chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const row = Array.from(data.subarray(i * k, (i + 1) * k));
      res.push({ probManipulated: readOutput(row, output), raw: row });
    }
  }
  return res;
}
