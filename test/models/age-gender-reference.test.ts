/**
 * Checks the converted ONNX graph against an independent forward pass of the
 * same network in TensorFlow.js (CPU backend). That pass reads the face-api
 * weights with tfjs's own dequantisation and uses TF's native HWIO filters and
 * "same" padding, so layout or padding mistakes in the converter show up.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AGE_GENDER_SIZE, runAgeGender } from '../../plugin/attributes/age-gender';
import type { RgbImage } from '../../plugin/core/types';
import { cropSquare } from '../../plugin/detect/crop';
import { OrtRunner } from '../../plugin/inference/session';
import { decodeRgb, readUtkFaces, spreadSubset } from '../../models/age-gender-eval';
import { AGE_GENDER_SOURCE, convertAgeGender, faceApiPackageDir } from '../../models/convert-age-gender';

/** tfjs's pure-JavaScript CPU backend needs roughly a second per forward pass on a busy 2-core machine, so a few chips keep the test short. */
const CHIPS = 4;

type Weights = tf.NamedTensorMap;

function loadWeights(): Weights {
  const dir = faceApiPackageDir();
  const manifest = JSON.parse(readFileSync(path.join(dir, AGE_GENDER_SOURCE.manifest), 'utf8'));
  const bin = readFileSync(path.join(dir, AGE_GENDER_SOURCE.weights));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length);
  return tf.io.decodeWeights(buffer, manifest[0].weights);
}

function separable(w: Weights, x: tf.Tensor4D, prefix: string): tf.Tensor4D {
  const depthwise = w[`${prefix}/depthwise_filter`] as tf.Tensor4D;
  const pointwise = w[`${prefix}/pointwise_filter`] as tf.Tensor4D;
  return tf.add(tf.separableConv2d(x, depthwise, pointwise, 1, 'same'), w[`${prefix}/bias`]);
}

function reduction(w: Weights, x: tf.Tensor4D, prefix: string, reluInput: boolean): tf.Tensor4D {
  let out = separable(w, reluInput ? tf.relu(x) : x, `${prefix}/separable_conv0`);
  out = separable(w, tf.relu(out), `${prefix}/separable_conv1`);
  out = tf.maxPool(out, 3, 2, 'same');
  const shortcut = tf.add(tf.conv2d(x, w[`${prefix}/expansion_conv/filters`] as tf.Tensor4D, 2, 'same'), w[`${prefix}/expansion_conv/bias`]);
  return tf.add(out, shortcut);
}

function middle(w: Weights, x: tf.Tensor4D, prefix: string): tf.Tensor4D {
  let out = x;
  for (let i = 0; i < 3; i++) out = separable(w, tf.relu(out), `${prefix}/separable_conv${i}`);
  return tf.add(out, x);
}

/** AgeGenderNet forward pass on one 112x112 RGB crop; returns [age, pMale]. */
function referenceForward(w: Weights, crop: RgbImage): [number, number] {
  return tf.tidy(() => {
    const pixels = tf.tensor4d(Float32Array.from(crop.data), [1, AGE_GENDER_SIZE, AGE_GENDER_SIZE, 3]);
    const x = tf.div(tf.sub(pixels, tf.tensor1d([122.782, 117.001, 104.298])), 255) as tf.Tensor4D;
    let out = tf.relu(tf.add(tf.conv2d(x, w['entry_flow/conv_in/filters'] as tf.Tensor4D, 2, 'same'), w['entry_flow/conv_in/bias'])) as tf.Tensor4D;
    out = reduction(w, out, 'entry_flow/reduction_block_0', false);
    out = reduction(w, out, 'entry_flow/reduction_block_1', true);
    out = middle(w, out, 'middle_flow/main_block_0');
    out = middle(w, out, 'middle_flow/main_block_1');
    out = reduction(w, out, 'exit_flow/reduction_block', true);
    out = tf.relu(separable(w, out, 'exit_flow/separable_conv'));
    const pooled = tf.reshape(tf.avgPool(out, 7, 2, 'valid'), [1, -1]) as tf.Tensor2D;
    const age = tf.add(tf.matMul(pooled, w['fc/age/weights'] as tf.Tensor2D), w['fc/age/bias']);
    const gender = tf.softmax(tf.add(tf.matMul(pooled, w['fc/gender/weights'] as tf.Tensor2D), w['fc/gender/bias']) as tf.Tensor2D);
    return [age.dataSync()[0], gender.dataSync()[0]];
  });
}

let runner: OrtRunner;
let weights: Weights;
let tempDir: string;

beforeAll(async () => {
  // PROD silences tfjs's advice to install its native Node backend.
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  weights = loadWeights();
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'shopface-reference-'));
  const modelPath = path.join(tempDir, 'age_gender.onnx');
  writeFileSync(modelPath, convertAgeGender());
  runner = await OrtRunner.open({ ageGender: modelPath });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  tf.dispose(weights);
  rmSync(tempDir, { recursive: true, force: true });
});

test('ONNX graph matches the TF.js forward pass', async () => {
  let maxAgeError = 0;
  let maxPMaleError = 0;
  for (const face of spreadSubset(readUtkFaces(), CHIPS)) {
    const image = await decodeRgb(face.file);
    const crop = cropSquare(image, { x: 0, y: 0, width: image.width, height: image.height }, 1, AGE_GENDER_SIZE);
    const [age, pMale] = referenceForward(weights, crop);
    const onnx = await runAgeGender(runner, crop);
    maxAgeError = Math.max(maxAgeError, Math.abs(onnx.age - age));
    maxPMaleError = Math.max(maxPMaleError, Math.abs(onnx.pMale - pMale));
  }
  // Float32 summation order differs between the runtimes; a layout or padding error gives differences of years.
  expect(maxAgeError).toBeLessThan(1e-3);
  expect(maxPMaleError).toBeLessThan(1e-4);
}, 60_000);
