/**
 * Shared pieces of the age/gender evaluation (models/measure-age-gender.ts
 * and the golden tests): labelled test images outside the repository,
 * decoding, and the scores.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import type { RgbImage } from '../plugin/core/types';
import { ageToBand } from '../plugin/attributes/fusion';
import { REPO_ROOT } from './loader';

/** Returns the folder of the labelled face data sets: env SHOPFACE_DATASETS, else shared/datasets beside the repository. */
export function datasetsDir(): string {
  return path.resolve(REPO_ROOT, process.env.SHOPFACE_DATASETS || '../shared/datasets');
}

export interface LabelledFace {
  file: string;
  male: boolean;
  /** Years; absent where the data set has no age labels. */
  age?: number;
  /** Person id where the data set groups images by person. */
  identity?: string;
}

/** Decodes an image file into packed RGB24 in memory (greyscale and alpha are converted). */
export async function decodeRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function readCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i]]));
  });
}

/** UTKFace chips with age and gender labels (gender 0 = male, 1 = female). */
export function readUtkFaces(dir = path.join(datasetsDir(), 'utkface-sample')): LabelledFace[] {
  return readCsv(path.join(dir, 'labels.csv')).map((row) => ({
    file: path.join(dir, row.file),
    age: Number(row.age),
    male: row.gender === '0',
  }));
}

/** Photos of known people; gender comes from identities.csv, one label per person. */
export function readIdentityFaces(dir = path.join(datasetsDir(), 'identity-verification')): LabelledFace[] {
  const genders = new Map(readCsv(path.join(dir, 'identities.csv')).map((row) => [row.identity, row.gender]));
  return readCsv(path.join(dir, 'labels.csv')).map((row) => {
    const gender = genders.get(row.identity);
    if (gender !== 'male' && gender !== 'female') throw new Error(`identities.csv: no gender for identity ${row.identity}`);
    return { file: path.join(dir, row.file), identity: row.identity, male: gender === 'male' };
  });
}

/** Picks every n-th item, so that a subset spreads over the whole (sorted) list. */
export function spreadSubset<T>(items: T[], limit: number): T[] {
  if (limit >= items.length) return items;
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)]);
}

export interface Prediction {
  face: LabelledFace;
  age: number;
  pMale: number;
}

export interface AgeGenderScores {
  n: number;
  genderAccuracy: number;
  /** Over faces labelled 18 or older; NaN without age labels. */
  genderAccuracyAdults: number;
  ageMae: number;
  /** Over faces labelled 18 to 70. */
  ageMaeAdults: number;
  /** Share of faces whose predicted age band equals the labelled one. */
  bandAccuracy: number;
}

/** Scores predictions: gender decided at pMale > 0.5, age as mean absolute error in years. */
export function scorePredictions(predictions: Prediction[]): AgeGenderScores {
  const withAge = predictions.filter((p) => p.face.age !== undefined);
  const adults = withAge.filter((p) => (p.face.age as number) >= 18);
  const ageAdults = adults.filter((p) => (p.face.age as number) <= 70);
  return {
    n: predictions.length,
    genderAccuracy: genderAccuracy(predictions),
    genderAccuracyAdults: genderAccuracy(adults),
    ageMae: ageMae(withAge),
    ageMaeAdults: ageMae(ageAdults),
    bandAccuracy: mean(withAge.map((p) => (ageToBand(p.age) === ageToBand(p.face.age as number) ? 1 : 0))),
  };
}

function genderAccuracy(predictions: Prediction[]): number {
  return mean(predictions.map((p) => ((p.pMale > 0.5) === p.face.male ? 1 : 0)));
}

function ageMae(predictions: Prediction[]): number {
  return mean(predictions.map((p) => Math.abs(p.age - (p.face.age as number))));
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
