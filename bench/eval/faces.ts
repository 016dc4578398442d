/**
 * The product's per-frame path (analyzeFrame: detector, quality gate,
 * alignment, embedder, age/gender) applied to labelled single-face photos.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttributeSample, Face } from '../../plugin/core/types';
import { estimateAgeGender } from '../../plugin/attributes/age-gender';
import { analyzeFrame, type FrameAnalysisOptions } from '../../plugin/pipeline/analyze-frame';
import type { ModelRunner } from '../../plugin/inference/session';
import { loadRgb, padImage } from '../measure-detect-embed';

/**
 * Black border added on every side of a single-face photo, as a fraction of
 * its size. The data sets' photos are tight crops, and a face cut by the
 * image edge is flagged 'partial' (no template). In a camera frame the face
 * has background around it, and the border imitates that.
 */
export const SINGLE_FACE_PADDING = 0.25;

/** The largest face the product found in one photo, or null when it found none. */
export interface AnalysedPhoto {
  file: string;
  face: Face | null;
  /**
   * The age/gender model's output for a face the quality gate kept from
   * demographics (for example a greyscale photo); only with `ungated`.
   */
  ungated?: AttributeSample;
}

/**
 * Returns the detector's input width for an image: its own width rounded up
 * to a multiple of 32, at most the product's setting. The product scales a
 * 640x360 frame by 1 at its default of 640, so small photos keep that
 * 1:1 scale here instead of being enlarged.
 */
export function detectorWidthFor(imageWidth: number, productWidth: number): number {
  return Math.min(productWidth, Math.ceil(imageWidth / 32) * 32);
}

/**
 * Runs analyzeFrame on the padded photo and keeps its tallest face. With
 * `ungated`, the age/gender model also runs on a face the gate rejected.
 */
export async function analysePhoto(runner: ModelRunner, file: string, options: FrameAnalysisOptions, ungated = false): Promise<AnalysedPhoto> {
  const image = padImage(await loadRgb(file), SINGLE_FACE_PADDING);
  const inputWidth = detectorWidthFor(image.width, options.detection.inputWidth);
  const frame = await analyzeFrame(
    runner,
    { cameraId: 'eval', ts: 0, seq: 0, width: image.width, height: image.height, data: image.data },
    { ...options, detection: { ...options.detection, inputWidth } },
  );
  const face = frame.faces.reduce<Face | null>((best, f) => (best === null || f.box.height > best.box.height ? f : best), null);
  if (ungated && face && !face.attributes) return { file, face, ungated: await estimateAgeGender(runner, image, face.box) };
  return { file, face };
}

/** One UTKFace chip with its labels (race is used only to break the results down). */
export interface UtkChip {
  file: string;
  age: number;
  male: boolean;
  race: string;
}

/** Reads utkface-sample/labels.csv (columns file, age, gender 0 = male / 1 = female, race_name). */
export function readUtkChips(datasetsDir: string): UtkChip[] {
  const root = path.join(datasetsDir, 'utkface-sample');
  const rows = readCsv(path.join(root, 'labels.csv'));
  return rows.map((row) => {
    const age = Number(row.age);
    if (!row.file || !Number.isFinite(age) || (row.gender !== '0' && row.gender !== '1')) {
      throw new Error(`utkface-sample/labels.csv: invalid row ${JSON.stringify(row)}; expected file, numeric age and gender 0 or 1`);
    }
    return { file: path.join(root, row.file), age, male: row.gender === '0', race: row.race_name || `race ${row.race}` };
  });
}

/** One identity-verification photo with its person and that person's gender (identities.csv). */
export interface IdentityPhoto {
  file: string;
  identity: string;
  male: boolean;
}

export function readIdentityPhotos(datasetsDir: string): IdentityPhoto[] {
  const root = path.join(datasetsDir, 'identity-verification');
  const genders = new Map(readCsv(path.join(root, 'identities.csv')).map((row) => [row.identity, row.gender]));
  return readCsv(path.join(root, 'labels.csv')).map((row) => {
    const gender = genders.get(row.identity);
    if (gender !== 'male' && gender !== 'female') {
      throw new Error(`identity-verification/identities.csv: no gender for identity "${row.identity}"; add a row "identity,male|female"`);
    }
    return { file: path.join(root, row.file), identity: row.identity, male: gender === 'male' };
  });
}

/** Parses a simple CSV file (no quoted commas) into rows keyed by the header's column names. */
export function readCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}

/** Picks every n-th item, so a subset spreads over the whole list. */
export function spread<T>(items: readonly T[], limit: number): T[] {
  if (limit >= items.length) return [...items];
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)]);
}
