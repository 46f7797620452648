import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

export const SHIPPED_MODELS = join(ROOT, 'models');

/** A private copy of the shipped models folder (tests tamper with copies, never with models/). */
export async function copyModels(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'verilens-models-'));
  await cp(SHIPPED_MODELS, dir, { recursive: true });
  return dir;
}

/** Flip one bit of the byte at `offset` (default: the middle of the file). */
export async function flipByte(path: string, offset?: number): Promise<void> {
  const b = await readFile(path);
  const at = offset ?? Math.floor(b.length / 2);
  b[at] = (b[at] as number) ^ 0x01;
  await writeFile(path, b);
}

// Minimal protobuf writer, enough to build small ONNX ModelProtos for the external-data tests.
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
function field(no: number, payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Uint8Array.from([...varint(no * 8 + 2), ...varint(bytes.length), ...bytes]);
}
function vfield(no: number, v: number): Uint8Array {
  return Uint8Array.from([...varint(no * 8), ...varint(v)]);
}
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

/**
 * An ONNX ModelProto (ir_version 8, one float initializer `w` of 4 values) whose initializer lives in
 * an external file at `location`, as `onnx.save(..., save_as_external_data=True)` writes it.
 */
export function onnxWithExternalData(location: string): Uint8Array {
  const tensor = cat(
    vfield(1, 4), // dims
    vfield(2, 1), // data_type FLOAT
    field(8, 'w'), // name
    field(13, cat(field(1, 'location'), field(2, location))),
    field(13, cat(field(1, 'length'), field(2, '16'))),
    vfield(14, 1), // data_location EXTERNAL
  );
  const graph = cat(field(2, 'g'), field(5, tensor));
  return cat(vfield(1, 8), field(7, graph));
}
