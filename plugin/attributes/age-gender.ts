/**
 * Age and gender for one face crop, with the face-api AgeGenderNet model
 * converted to ONNX (role 'ageGender'; contract in models/models.json).
 */
import type { AttributeSample, Box, RgbImage } from '../core/types';
import { cropSquare } from '../detect/crop';
import type { ModelRunner, Tensor } from '../inference/session';

export { fuseAttributes, DEFAULT_FUSION_OPTIONS, type FusionOptions, type WeightedSample } from './fusion';

/** Side of the square model input in pixels. */
export const AGE_GENDER_SIZE = 112;
/** Per-channel RGB mean the model was trained with; inputs are (pixel - mean) / 255. */
export const AGE_GENDER_MEAN_RGB: readonly [number, number, number] = [122.782, 117.001, 104.298];

/**
 * Default side of the square crop relative to the YuNet box. On 57 labelled
 * photos 1.2 gave the best gender accuracy (1.0 and 1.1 got one photo wrong).
 * On tightly cropped UTKFace chips it cost about 1 point of gender accuracy
 * and 0.1 y of age error against 1.0. docs/models.md has the table.
 */
export const DEFAULT_CROP_SCALE = 1.2;

export interface AgeGenderOptions {
  /** Side of the square crop as a multiple of the larger box side (default 1.2). */
  cropScale?: number;
}

/**
 * Estimates age and the probability of male for the face in `box`: square
 * crop around the box (black beyond the frame), bilinear resize to 112x112,
 * then one run of the 'ageGender' model.
 */
export async function estimateAgeGender(
  runner: ModelRunner,
  image: RgbImage,
  box: Box,
  options: AgeGenderOptions = {},
): Promise<AttributeSample> {
  const cropScale = options.cropScale ?? DEFAULT_CROP_SCALE;
  if (!(cropScale > 0)) throw new Error(`estimateAgeGender: cropScale must be > 0, got ${cropScale}`);
  const crop = cropSquare(image, box, cropScale, AGE_GENDER_SIZE);
  return runAgeGender(runner, crop);
}

/** Runs the model on a 112x112 RGB face crop. */
export async function runAgeGender(runner: ModelRunner, crop: RgbImage): Promise<AttributeSample> {
  const outputs = await runner.run('ageGender', { input: toInputTensor(crop) });
  return parseOutputs(outputs);
}

/** Converts a 112x112 packed RGB crop into the model's normalised NCHW float tensor. */
export function toInputTensor(crop: RgbImage): Tensor {
  const size = AGE_GENDER_SIZE;
  if (crop.width !== size || crop.height !== size) {
    throw new Error(`age/gender input must be ${size}x${size}, got ${crop.width}x${crop.height}`);
  }
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let ch = 0; ch < 3; ch++) {
      data[ch * plane + i] = (crop.data[i * 3 + ch] - AGE_GENDER_MEAN_RGB[ch]) / 255;
    }
  }
  return { data, dims: [1, 3, size, size] };
}

function parseOutputs(outputs: Record<string, Tensor>): AttributeSample {
  const age = outputs.age?.data[0];
  const pMale = outputs.gender?.data[0];
  if (age === undefined || pMale === undefined || !Number.isFinite(age) || !Number.isFinite(pMale)) {
    throw new Error(`ageGender model returned no finite "age" and "gender" outputs (got ${Object.keys(outputs).join(', ')})`);
  }
  return { age, pMale: Math.min(1, Math.max(0, pMale)) };
}
