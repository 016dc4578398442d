/**
 * Converts face-api's AgeGenderNet (TinyXception with two middle blocks,
 * TensorFlow.js weights from @vladmandic/face-api, MIT) into an ONNX model
 * (opset 13) that onnxruntime runs.
 *
 * Graph contract:
 *   input  `input`  float32 [1, 3, 112, 112], NCHW, RGB, already normalised
 *                   as (pixel - mean) / 255 with mean RGB [122.782, 117.001, 104.298]
 *   output `age`    float32 [1, 1], years
 *   output `gender` float32 [1, 2], softmax over [male, female]
 *
 * The output is deterministic: the same weights always give the same bytes,
 * so models.json can pin its sha256.
 *
 * Usage: npx tsx models/convert-age-gender.ts OUT.onnx
 */
import { createHash } from 'crypto';
import { mkdirSync, renameSync, writeFileSync } from 'fs';
import * as path from 'path';
import {
  encodeModel,
  floatTensor,
  floatValueInfo,
  intAttribute,
  intsAttribute,
  stringAttribute,
  type NodeMessage,
  type TensorMessage,
} from './onnx-proto';
import { readTfjsWeights, type TfjsTensor } from './tfjs-weights';

export const AGE_GENDER_INPUT_SIZE = 112;

/** The face-api files the converter reads, relative to the package root. */
export const AGE_GENDER_SOURCE = {
  packageName: '@vladmandic/face-api',
  manifest: 'model/age_gender_model-weights_manifest.json',
  weights: 'model/age_gender_model.bin',
} as const;

const MIDDLE_BLOCKS = 2;

/** Returns the absolute folder of the installed @vladmandic/face-api package. */
export function faceApiPackageDir(): string {
  return path.dirname(require.resolve(`${AGE_GENDER_SOURCE.packageName}/package.json`));
}

/** Accumulates nodes and initializers of one ONNX graph, naming tensors after their TF.js weights. */
class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];

  constructor(private readonly weights: Map<string, TfjsTensor>) {}

  weight(name: string): TfjsTensor {
    const tensor = this.weights.get(name);
    if (!tensor) throw new Error(`age/gender weights: tensor "${name}" is missing from the manifest`);
    return tensor;
  }

  initializer(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  node(opType: string, name: string, input: string[], attribute: NodeMessage['attribute'] = []): string {
    this.nodes.push({ name, opType, input, output: [name], attribute });
    return name;
  }

  /** Regular convolution from TF.js filters [kh, kw, in, out] and bias [out]. */
  conv(x: string, prefix: string, stride: number): string {
    const filters = this.weight(`${prefix}/filters`);
    const [kh, kw, cin, cout] = filters.shape;
    const w = this.initializer(`${prefix}/filters`, [cout, cin, kh, kw], hwioToOihw(filters));
    const b = this.initializer(`${prefix}/bias`, [cout], this.weight(`${prefix}/bias`).values);
    return this.node('Conv', prefix, [x, w, b], convAttributes(kh, stride, 1));
  }

  /** Depthwise 3x3 (group = channels) followed by a pointwise 1x1 with bias, as tf.separableConv2d. */
  separableConv(x: string, prefix: string): string {
    const depthwise = this.weight(`${prefix}/depthwise_filter`);
    const [kh, kw, channels, multiplier] = depthwise.shape;
    if (multiplier !== 1) throw new Error(`${prefix}: depthwise multiplier ${multiplier} is not supported (expected 1)`);
    const dw = this.initializer(`${prefix}/depthwise_filter`, [channels, 1, kh, kw], hwioToOihw(depthwise, true));
    const depth = this.node('Conv', `${prefix}/depthwise`, [x, dw], convAttributes(kh, 1, channels));

    const pointwise = this.weight(`${prefix}/pointwise_filter`);
    const cout = pointwise.shape[3];
    const pw = this.initializer(`${prefix}/pointwise_filter`, [cout, channels, 1, 1], hwioToOihw(pointwise));
    const b = this.initializer(`${prefix}/bias`, [cout], this.weight(`${prefix}/bias`).values);
    return this.node('Conv', `${prefix}/pointwise`, [depth, pw, b], convAttributes(1, 1, 1));
  }

  relu(x: string, name: string): string {
    return this.node('Relu', name, [x]);
  }

  /** Dense layer from TF.js weights [in, out] and bias [out]; `name` names the node and its output. */
  dense(x: string, prefix: string, name = prefix): string {
    const weights = this.weight(`${prefix}/weights`);
    const w = this.initializer(`${prefix}/weights`, weights.shape, weights.values);
    const b = this.initializer(`${prefix}/bias`, [weights.shape[1]], this.weight(`${prefix}/bias`).values);
    return this.node('Gemm', name, [x, w, b]);
  }
}

/** TF "same" padding puts the odd extra pixel at the end, which is ONNX's SAME_UPPER. */
function convAttributes(kernel: number, stride: number, group: number): NodeMessage['attribute'] {
  return [
    stringAttribute('auto_pad', 'SAME_UPPER'),
    intAttribute('group', group),
    intsAttribute('kernel_shape', [kernel, kernel]),
    intsAttribute('strides', [stride, stride]),
  ];
}

/**
 * Reorders TF.js filters [kh, kw, in, out] into ONNX [out, in, kh, kw]. For a
 * depthwise filter [kh, kw, channels, 1] the ONNX layout is [channels, 1, kh, kw].
 */
export function hwioToOihw(filter: TfjsTensor, depthwise = false): Float32Array {
  const [kh, kw, cin, cout] = filter.shape;
  const out = new Float32Array(filter.values.length);
  const outChannels = depthwise ? cin : cout;
  const inChannels = depthwise ? 1 : cin;
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const source = depthwise ? ((y * kw + x) * cin + o) * cout : ((y * kw + x) * cin + i) * cout + o;
          out[((o * inChannels + i) * kh + y) * kw + x] = filter.values[source];
        }
      }
    }
  }
  return out;
}

/** ReLU (unless the block is the first one), two separable convs, max-pool, plus a strided 1x1 shortcut. */
function reductionBlock(g: GraphBuilder, x: string, prefix: string, reluInput: boolean): string {
  let out = reluInput ? g.relu(x, `${prefix}/relu_in`) : x;
  out = g.separableConv(out, `${prefix}/separable_conv0`);
  out = g.separableConv(g.relu(out, `${prefix}/relu0`), `${prefix}/separable_conv1`);
  out = g.node('MaxPool', `${prefix}/max_pool`, [out], [
    stringAttribute('auto_pad', 'SAME_UPPER'),
    intsAttribute('kernel_shape', [3, 3]),
    intsAttribute('strides', [2, 2]),
  ]);
  const shortcut = g.conv(x, `${prefix}/expansion_conv`, 2);
  return g.node('Add', `${prefix}/add`, [out, shortcut]);
}

/** Three (ReLU, separable conv) pairs plus the block input. */
function mainBlock(g: GraphBuilder, x: string, prefix: string): string {
  let out = x;
  for (let i = 0; i < 3; i++) {
    out = g.separableConv(g.relu(out, `${prefix}/relu${i}`), `${prefix}/separable_conv${i}`);
  }
  return g.node('Add', `${prefix}/add`, [out, x]);
}

function buildGraph(g: GraphBuilder): { age: string; gender: string } {
  let out = g.relu(g.conv('input', 'entry_flow/conv_in', 2), 'entry_flow/relu_in');
  out = reductionBlock(g, out, 'entry_flow/reduction_block_0', false);
  out = reductionBlock(g, out, 'entry_flow/reduction_block_1', true);
  for (let i = 0; i < MIDDLE_BLOCKS; i++) out = mainBlock(g, out, `middle_flow/main_block_${i}`);
  out = reductionBlock(g, out, 'exit_flow/reduction_block', true);
  out = g.relu(g.separableConv(out, 'exit_flow/separable_conv'), 'exit_flow/relu');

  // The feature map is 7x7 here, so the 7x7 "valid" pool leaves one value per channel.
  const pooled = g.node('AveragePool', 'avg_pool', [out], [
    intsAttribute('kernel_shape', [7, 7]),
    intsAttribute('strides', [2, 2]),
  ]);
  const flat = g.node('Flatten', 'flatten', [pooled], [intAttribute('axis', 1)]);
  const age = g.dense(flat, 'fc/age', 'age');
  const logits = g.dense(flat, 'fc/gender');
  const gender = g.node('Softmax', 'gender', [logits], [intAttribute('axis', 1)]);
  return { age, gender };
}

/** Builds the ONNX model bytes from the face-api weights under `packageDir`. */
export function convertAgeGender(packageDir = faceApiPackageDir()): Uint8Array {
  const weights = readTfjsWeights(path.join(packageDir, AGE_GENDER_SOURCE.manifest));
  const g = new GraphBuilder(weights);
  const { age, gender } = buildGraph(g);
  const size = AGE_GENDER_INPUT_SIZE;
  return encodeModel({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'shopface convert-age-gender',
    producerVersion: '1',
    docString: 'face-api AgeGenderNet (TinyXception), converted from @vladmandic/face-api TF.js weights (MIT)',
    graph: {
      name: 'age_gender',
      node: g.nodes,
      initializer: g.initializers,
      input: [floatValueInfo('input', [1, 3, size, size])],
      output: [floatValueInfo(age, [1, 1]), floatValueInfo(gender, [1, 2])],
    },
  });
}

/** Converts the weights and writes the model to `outPath` atomically; returns its sha256 and size. */
export function writeAgeGenderModel(outPath: string, packageDir?: string): { sha256: string; bytes: number } {
  const bytes = convertAgeGender(packageDir);
  mkdirSync(path.dirname(outPath), { recursive: true });
  const tempPath = `${outPath}.${process.pid}.tmp`;
  writeFileSync(tempPath, bytes);
  renameSync(tempPath, outPath);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

if (require.main === module) {
  const outPath = process.argv[2];
  if (!outPath) {
    console.error('usage: npx tsx models/convert-age-gender.ts OUT.onnx');
    process.exit(2);
  }
  const written = writeAgeGenderModel(path.resolve(outPath));
  console.log(`wrote ${outPath}: ${written.bytes} bytes, sha256 ${written.sha256}`);
}
