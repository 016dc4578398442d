/**
 * Reads TensorFlow.js layer weights (a weights manifest plus one or more
 * binary shards) into float32 arrays, undoing the per-tensor uint8/uint16
 * affine quantisation that tfjs converters apply: value = q * scale + min.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale: number; min: number };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}

export interface TfjsTensor {
  shape: number[];
  values: Float32Array;
}

/** Reads every tensor listed in `manifestPath`; shard paths are relative to the manifest. */
export function readTfjsWeights(manifestPath: string): Map<string, TfjsTensor> {
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestGroup[];
  if (!Array.isArray(groups)) throw new Error(`${manifestPath}: expected a JSON array of weight groups`);
  const tensors = new Map<string, TfjsTensor>();
  for (const group of groups) {
    const shards = group.paths.map((p) => readFileSync(path.join(path.dirname(manifestPath), p)));
    const bytes = Buffer.concat(shards);
    const end = readGroup(group.weights, bytes, tensors);
    if (end !== bytes.length) {
      throw new Error(`${manifestPath}: weights use ${end} bytes but the shards hold ${bytes.length}`);
    }
  }
  return tensors;
}

/** Decodes one group's tensors in manifest order and returns the number of bytes consumed. */
function readGroup(weights: ManifestWeight[], bytes: Buffer, out: Map<string, TfjsTensor>): number {
  let offset = 0;
  for (const weight of weights) {
    const count = weight.shape.reduce((a, b) => a * b, 1);
    const { values, byteLength } = decodeTensor(weight, bytes, offset, count);
    out.set(weight.name, { shape: weight.shape, values });
    offset += byteLength;
  }
  return offset;
}

function decodeTensor(
  weight: ManifestWeight,
  bytes: Buffer,
  offset: number,
  count: number,
): { values: Float32Array; byteLength: number } {
  if (weight.dtype !== 'float32') {
    throw new Error(`weight ${weight.name}: dtype ${weight.dtype} is not supported (expected float32)`);
  }
  const q = weight.quantization;
  const width = q ? quantisedWidth(weight.name, q.dtype) : 4;
  const byteLength = count * width;
  if (offset + byteLength > bytes.length) {
    throw new Error(`weight ${weight.name}: needs bytes ${offset}..${offset + byteLength} but the shards end at ${bytes.length}`);
  }
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = offset + i * width;
    if (!q) values[i] = bytes.readFloatLE(at);
    else values[i] = (width === 1 ? bytes[at] : bytes.readUInt16LE(at)) * q.scale + q.min;
  }
  return { values, byteLength };
}

function quantisedWidth(name: string, dtype: string): number {
  if (dtype === 'uint8') return 1;
  if (dtype === 'uint16') return 2;
  throw new Error(`weight ${name}: quantisation dtype ${dtype} is not supported (expected uint8 or uint16)`);
}
