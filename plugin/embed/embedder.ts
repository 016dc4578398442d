import type { Landmarks, RgbImage } from '../core/types';
import { alignFace112 } from '../detect/crop';
import type { ModelRunner, Tensor } from '../inference/session';
import { l2Normalize } from './similarity';

/** Side of the aligned crop the embedder takes, in pixels. */
export const EMBED_SIZE = 112;
/** Length of the template vector. */
export const EMBED_DIM = 512;

/**
 * Pixel normalisation of the embedder input: (p - mean) / scale per RGB
 * channel. The faceplugin fr_feature library feeds (p - 127) / 128.
 */
export interface EmbedNormalisation {
  mean: number;
  scale: number;
}

export const FR_FEATURE_NORMALISATION: EmbedNormalisation = { mean: 127, scale: 128 };

/**
 * Computes the L2-normalised 512-d template of one face: a 5-point
 * similarity alignment onto the ArcFace 112x112 template, RGB planes
 * normalised by `normalisation`, then the 'embedder' model
 * (faceplugin fr_feature.onnx: input "input" [1,3,112,112], output "output" [1,512]).
 */
export async function embedFace(
  runner: ModelRunner,
  image: RgbImage,
  landmarks: Landmarks,
  normalisation: EmbedNormalisation = FR_FEATURE_NORMALISATION,
): Promise<Float32Array> {
  const aligned = alignFace112(image, landmarks);
  return embedAligned(runner, aligned, normalisation);
}

/** Computes the template of a face already aligned to 112x112 (see embedFace). */
export async function embedAligned(
  runner: ModelRunner,
  aligned: RgbImage,
  normalisation: EmbedNormalisation = FR_FEATURE_NORMALISATION,
): Promise<Float32Array> {
  if (aligned.width !== EMBED_SIZE || aligned.height !== EMBED_SIZE) {
    throw new Error(`embedAligned: crop must be ${EMBED_SIZE}x${EMBED_SIZE}, got ${aligned.width}x${aligned.height}`);
  }
  const outputs = await runner.run('embedder', { input: toRgbTensor(aligned, normalisation) });
  const output = outputs.output;
  if (!output || output.data.length !== EMBED_DIM) {
    const got = output ? `${output.data.length} values` : 'no "output" tensor';
    throw new Error(`embedAligned: embedder must return "output" with ${EMBED_DIM} values, got ${got}`);
  }
  // Copy: the runtime may reuse the output buffer.
  return l2Normalize(Float32Array.from(output.data));
}

function toRgbTensor(image: RgbImage, normalisation: EmbedNormalisation): Tensor {
  const plane = image.width * image.height;
  const data = new Float32Array(3 * plane);
  const { mean, scale } = normalisation;
  for (let i = 0; i < plane; i++) {
    data[i] = (image.data[i * 3] - mean) / scale;
    data[plane + i] = (image.data[i * 3 + 1] - mean) / scale;
    data[2 * plane + i] = (image.data[i * 3 + 2] - mean) / scale;
  }
  return { data, dims: [1, 3, image.height, image.width] };
}
