/**
 * Find the external-data files an ONNX model would load, without a protobuf library: a minimal
 * wire-format walk over the messages that can hold tensors (graph initializers, node attributes,
 * subgraphs, sparse tensors, functions). Pure; throws ScanError on malformed input.
 */

export class ScanError extends Error {}

interface Field {
  no: number;
  wire: number;
  /** For wire type 2: the payload. */
  bytes?: Uint8Array;
  /** For wire type 0. */
  varint?: number;
}

const MAX_DEPTH = 32;

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ScanError('truncated varint');
    const b = buf[pos++] as number;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [result, pos];
    mul *= 128;
  }
  throw new ScanError('varint too long');
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (no === 0) throw new ScanError('field number 0');
    switch (wire) {
      case 0: {
        const [v, p2] = readVarint(buf, pos);
        pos = p2;
        yield { no, wire, varint: v };
        break;
      }
      case 1:
        pos += 8;
        if (pos > buf.length) throw new ScanError('truncated fixed64');
        yield { no, wire };
        break;
      case 2: {
        const [len, p2] = readVarint(buf, pos);
        if (p2 + len > buf.length) throw new ScanError('length-delimited field runs past the end');
        yield { no, wire, bytes: buf.subarray(p2, p2 + len) };
        pos = p2 + len;
        break;
      }
      case 5:
        pos += 4;
        if (pos > buf.length) throw new ScanError('truncated fixed32');
        yield { no, wire };
        break;
      default:
        throw new ScanError(`unsupported wire type ${wire}`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function scanTensor(buf: Uint8Array, out: Set<string>): void {
  let external = false;
  let location: string | undefined;
  for (const f of fields(buf)) {
    if (f.no === 14 && f.wire === 0 && f.varint === 1) external = true;
    if (f.no === 13 && f.bytes) {
      let key = '';
      let value = '';
      for (const e of fields(f.bytes)) {
        if (e.no === 1 && e.bytes) key = utf8.decode(e.bytes);
        if (e.no === 2 && e.bytes) value = utf8.decode(e.bytes);
      }
      if (key === 'location') location = value;
      external = true;
    }
  }
  if (external) out.add(location ?? '');
}

function scanSparse(buf: Uint8Array, out: Set<string>): void {
  for (const f of fields(buf)) if ((f.no === 1 || f.no === 2) && f.bytes) scanTensor(f.bytes, out);
}

function scanGraph(buf: Uint8Array, out: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) throw new ScanError('graphs nested too deeply');
  for (const f of fields(buf)) {
    if (!f.bytes) continue;
    if (f.no === 1) scanNode(f.bytes, out, depth + 1);
    else if (f.no === 5) scanTensor(f.bytes, out);
    else if (f.no === 15) scanSparse(f.bytes, out);
  }
}

function scanAttribute(buf: Uint8Array, out: Set<string>, depth: number): void {
  for (const a of fields(buf)) {
    if (!a.bytes) continue;
    if (a.no === 5 || a.no === 10) scanTensor(a.bytes, out);
    else if (a.no === 6 || a.no === 11) scanGraph(a.bytes, out, depth + 1);
    else if (a.no === 22 || a.no === 23) scanSparse(a.bytes, out);
  }
}

function scanNode(buf: Uint8Array, out: Set<string>, depth: number): void {
  for (const f of fields(buf)) if (f.no === 5 && f.bytes) scanAttribute(f.bytes, out, depth);
}

/**
 * External-data locations referenced anywhere in the model ('' when a tensor is marked external
 * without a location). Throws ScanError when the bytes are not a well-formed ONNX ModelProto.
 */
export function externalDataLocations(model: Uint8Array): string[] {
  const out = new Set<string>();
  let sawGraph = false;
  for (const f of fields(model)) {
    if (f.no === 7 && f.bytes) {
      sawGraph = true;
      scanGraph(f.bytes, out, 0);
    } else if (f.no === 20 && f.bytes) {
      // TrainingInfoProto: initialization (1) and algorithm (2) graphs; inference ignores them, the check does not.
      for (const g of fields(f.bytes)) if ((g.no === 1 || g.no === 2) && g.bytes) scanGraph(g.bytes, out, 1);
    } else if (f.no === 25 && f.bytes) {
      // FunctionProto: nodes (7) and default attribute values (attribute_proto, 11), which may hold tensors.
      for (const n of fields(f.bytes)) {
        if (n.no === 7 && n.bytes) scanNode(n.bytes, out, 1);
        else if (n.no === 11 && n.bytes) scanAttribute(n.bytes, out, 1);
      }
    }
  }
  if (!sawGraph) throw new ScanError('no graph in the model');
  return [...out].sort();
}
