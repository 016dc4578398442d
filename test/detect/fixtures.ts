/**
 * Shared set-up of the detect and embed tests: the face datasets folder, the
 * model runner and image helpers. Images stay in memory and nothing is written to disk.
 */
import * as path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from '../../plugin/core/types';
import { OrtRunner } from '../../plugin/inference/session';
import { resolveModel } from '../../models/loader';

/** The face datasets folder: env SHOPFACE_DATASETS, else ../shared/datasets next to the repository. */
export const DATASETS_DIR = path.resolve(__dirname, '..', '..', process.env.SHOPFACE_DATASETS ?? '../shared/datasets');

/** Opens the detector and embedder through the model loader, using ../shared/models-alt as mirror unless SHOPFACE_MODEL_MIRROR is set. */
export async function openRunner(): Promise<OrtRunner> {
  const mirrorDir = process.env.SHOPFACE_MODEL_MIRROR ?? path.resolve(DATASETS_DIR, '..', 'models-alt');
  const detector = await resolveModel('detector', { mirrorDir });
  const embedder = await resolveModel('embedder', { mirrorDir });
  return OrtRunner.open({ detector: detector.path, embedder: embedder.path });
}

export function multifacePhoto(name: string): string {
  return path.join(DATASETS_DIR, 'multiface-photos', 'images', name);
}

export function identityPhoto(name: string): string {
  return path.join(DATASETS_DIR, 'identity-verification', 'images', name);
}

/** Runs a sharp pipeline over an in-memory RGB image and returns packed RGB24. */
export async function transform(image: RgbImage, edit: (s: Sharp) => Sharp): Promise<RgbImage> {
  const input = sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } });
  const { data, info } = await edit(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`transform: the sharp pipeline returned ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Copies a rectangle of `image` (inside the frame) into a new image. */
export function cropImage(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    data.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, data };
}

/** Places `image` at (x, y) on a black canvas of the given size. */
export function placeOnCanvas(image: RgbImage, width: number, height: number, x: number, y: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < image.height; row++) {
    const from = row * image.width * 3;
    data.set(image.data.subarray(from, from + image.width * 3), ((y + row) * width + x) * 3);
  }
  return { width, height, data };
}
