import type { AnalyzerResult } from '../../../src/contract/results.js';
import type { JsonValue } from '../../../src/contract/json.js';
import { isObject } from './flatten.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceMark {
  index: number;
  box: Box;
  landmarks: { x: number; y: number }[];
  /** Detector confidence, when given. */
  confidence?: number;
  /** Per-face scores from later checks (liveness, face-swap...), keyed by analyzer id. */
  scores: Record<string, number>;
}

const num = (v: JsonValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function toBox(v: JsonValue | undefined): Box | undefined {
  if (Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number')) {
    const [x, y, width, height] = v as number[];
    return { x: x!, y: y!, width: width!, height: height! };
  }
  if (!isObject(v)) return undefined;
  const x = num(v['x']);
  const y = num(v['y']);
  const w = num(v['width']) ?? num(v['w']);
  const h = num(v['height']) ?? num(v['h']);
  return x !== undefined && y !== undefined && w !== undefined && h !== undefined ? { x, y, width: w, height: h } : undefined;
}

function toPoints(v: JsonValue | undefined): { x: number; y: number }[] {
  const pts: { x: number; y: number }[] = [];
  const push = (p: JsonValue): void => {
    if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number') pts.push({ x: p[0], y: p[1] });
    else if (isObject(p) && num(p['x']) !== undefined && num(p['y']) !== undefined) pts.push({ x: p['x'] as number, y: p['y'] as number });
  };
  if (Array.isArray(v)) v.forEach(push);
  else if (isObject(v)) Object.values(v).forEach(push);
  return pts;
}

function faceList(r: AnalyzerResult | undefined): JsonValue[] {
  const f = r?.data['faces'];
  return Array.isArray(f) ? f : [];
}

/** A per-face score in one analyzer's data, whatever it is called there. */
function faceScore(f: JsonValue): number | undefined {
  if (!isObject(f)) return undefined;
  for (const k of ['score', 'spoof', 'spoofScore', 'fakeScore', 'swapScore']) {
    const v = num(f[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Faces from the `faces` analyzer, with per-face scores from every analyzer that lists faces in the same order. */
export function collectFaces(results: Record<string, AnalyzerResult>): FaceMark[] {
  const faces = faceList(results['faces']);
  return faces.flatMap((f, index) => {
    if (!isObject(f)) return [];
    const box = toBox(f['box']) ?? toBox(f['region']) ?? toBox(f);
    if (!box) return [];
    const scores: Record<string, number> = {};
    for (const [id, r] of Object.entries(results)) {
      if (id === 'faces') continue;
      const list = faceList(r);
      const same = list.find((x) => isObject(x) && x['index'] === index) ?? list[index] ?? null;
      const s = faceScore(same);
      if (s !== undefined) scores[id] = s;
    }
    const mark: FaceMark = { index, box, landmarks: toPoints(f['landmarks']), scores };
    const c = num(f['confidence']) ?? num(f['score']);
    if (c !== undefined) mark.confidence = c;
    return [mark];
  });
}

/** Short label for a per-face score in the overlay (what the number measures, higher = worse). */
export function scoreLabel(analyzer: string): string {
  switch (analyzer) {
    case 'liveness':
      return 'spoof';
    case 'face-swap':
      return 'swap';
    default:
      return analyzer;
  }
}
