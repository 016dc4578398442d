/**
 * Age and gender scores of the product's output on utkface-sample (with a
 * breakdown by the data set's race labels) and gender on identity-verification.
 */
import { AGE_BANDS, type AttributeSample } from '../../plugin/core/types';
import { ageToBand, fuseAttributes } from '../../plugin/attributes/fusion';
import type { AnalysedPhoto, IdentityPhoto, UtkChip } from './faces';
import { mean, share } from './stats';

/** One UTKFace chip with what the product returned for it. */
export interface ScoredChip {
  chip: UtkChip;
  photo: AnalysedPhoto;
}

interface Judged {
  chip: UtkChip;
  sample: AttributeSample;
  /** The product's gender after fusing this one sample; null when it abstains. */
  reported: 'male' | 'female' | null;
}

export interface AgeScores {
  n: number;
  maeAll: number;
  mae18to70: number;
  /** Predicted and labelled age fall in the same decade (0-9, 10-19, ...). */
  band10Accuracy: number;
  /** Predicted and labelled age fall in the same product band (AGE_BANDS). */
  productBandAccuracy: number;
  productBandAccuracy18to70: number;
  /** The predicted product band is the labelled one or a neighbour. */
  productBandWithinOne: number;
}

export interface GenderScores {
  n: number;
  /** The model's decision at pMale >= 0.5, every age. */
  accuracy: number;
  /** Same, over faces labelled 18 or older. */
  accuracyAdults: number;
  /** Share of faces labelled 18+ for which fuseAttributes reports no gender (low confidence, or taken for under 18). */
  abstentionRateAdults: number;
  /** Accuracy of the genders fuseAttributes reports for faces labelled 18+ (abstentions left out). */
  accuracyReportedAdults: number;
}

export interface AttributeEval {
  chips: number;
  /** Chips where the detector found no face. */
  noFace: number;
  /** Chips with a face that the quality gate kept from demographics (mostly greyscale chips). */
  gated: number;
  age: AgeScores;
  gender: GenderScores;
  /** Rows are labelled bands, columns predicted bands, both in AGE_BANDS order. */
  confusion: { bands: string[]; counts: number[][] };
  byRace: { race: string; chips: number; age: AgeScores; gender: GenderScores }[];
}

function judge(scored: readonly ScoredChip[]): Judged[] {
  const judged: Judged[] = [];
  for (const { chip, photo } of scored) {
    const sample = photo.face?.attributes;
    if (!sample) continue;
    const reported = fuseAttributes([{ sample, weight: 1 }]).gender;
    judged.push({ chip, sample, reported });
  }
  return judged;
}

function scoreAge(judged: readonly Judged[]): AgeScores {
  const error = (j: Judged) => Math.abs(j.sample.age - j.chip.age);
  const band = (age: number) => AGE_BANDS.indexOf(ageToBand(age));
  const adults = judged.filter((j) => j.chip.age >= 18 && j.chip.age <= 70);
  const sameBand = (j: Judged) => band(j.sample.age) === band(j.chip.age);
  return {
    n: judged.length,
    maeAll: mean(judged.map(error)),
    mae18to70: mean(adults.map(error)),
    band10Accuracy: share(judged, (j) => Math.floor(Math.max(0, j.sample.age) / 10) === Math.floor(j.chip.age / 10)),
    productBandAccuracy: share(judged, sameBand),
    productBandAccuracy18to70: share(adults, sameBand),
    productBandWithinOne: share(judged, (j) => Math.abs(band(j.sample.age) - band(j.chip.age)) <= 1),
  };
}

function scoreGender(judged: readonly Judged[]): GenderScores {
  const right = (j: Judged) => (j.sample.pMale >= 0.5) === j.chip.male;
  const adults = judged.filter((j) => j.chip.age >= 18);
  const reported = adults.filter((j) => j.reported !== null);
  return {
    n: judged.length,
    accuracy: share(judged, right),
    accuracyAdults: share(adults, right),
    abstentionRateAdults: share(adults, (j) => j.reported === null),
    accuracyReportedAdults: share(reported, (j) => (j.reported === 'male') === j.chip.male),
  };
}

function confusion(judged: readonly Judged[]): number[][] {
  const counts = AGE_BANDS.map(() => AGE_BANDS.map(() => 0));
  for (const j of judged) counts[AGE_BANDS.indexOf(ageToBand(j.chip.age))][AGE_BANDS.indexOf(ageToBand(j.sample.age))]++;
  return counts;
}

/** Scores the product's age and gender on UTKFace chips. */
export function scoreUtk(scored: readonly ScoredChip[]): AttributeEval {
  const judged = judge(scored);
  const races = [...new Set(scored.map((s) => s.chip.race))].sort();
  return {
    chips: scored.length,
    noFace: scored.filter((s) => !s.photo.face).length,
    gated: scored.filter((s) => s.photo.face && !s.photo.face.attributes).length,
    age: scoreAge(judged),
    gender: scoreGender(judged),
    confusion: { bands: [...AGE_BANDS], counts: confusion(judged) },
    byRace: races.map((race) => {
      const ofRace = judged.filter((j) => j.chip.race === race);
      return { race, chips: scored.filter((s) => s.chip.race === race).length, age: scoreAge(ofRace), gender: scoreGender(ofRace) };
    }),
  };
}

export interface IdentityGenderEval {
  photos: number;
  /** Photos for which the product output age/gender (colour photos with a face that passed the gate). */
  withAttributes: number;
  /** Accuracy of pMale >= 0.5 over those photos. */
  accuracy: number;
  /** The model run on every detected face, the quality gate ignored (the greyscale photos included). */
  accuracyUngated: number;
  ungatedPhotos: number;
  /** Per person, the photos' samples fused by fuseAttributes (weights = quality score). */
  people: number;
  peopleRight: number;
  peopleAbstained: number;
}

/** Scores gender on identity-verification photos; their labels come from identities.csv, one per person. */
export function scoreIdentityGender(items: readonly { photo: IdentityPhoto; result: AnalysedPhoto }[]): IdentityGenderEval {
  const right = (male: boolean, sample: AttributeSample) => (sample.pMale >= 0.5) === male;
  const gated = items.filter((i) => i.result.face?.attributes);
  const ungated = items.filter((i) => i.result.face?.attributes || i.result.ungated);
  const people = new Map<string, { male: boolean; samples: { sample: AttributeSample; weight: number }[] }>();
  for (const item of gated) {
    const entry = people.get(item.photo.identity) ?? { male: item.photo.male, samples: [] };
    entry.samples.push({ sample: item.result.face!.attributes!, weight: Math.max(item.result.face!.quality.score, 1e-3) });
    people.set(item.photo.identity, entry);
  }
  const fused = [...people.values()].map((p) => ({ male: p.male, gender: fuseAttributes(p.samples).gender }));
  return {
    photos: items.length,
    withAttributes: gated.length,
    accuracy: share(gated, (i) => right(i.photo.male, i.result.face!.attributes!)),
    accuracyUngated: share(ungated, (i) => right(i.photo.male, (i.result.face?.attributes ?? i.result.ungated)!)),
    ungatedPhotos: ungated.length,
    people: fused.length,
    peopleRight: fused.filter((f) => f.gender !== null && (f.gender === 'male') === f.male).length,
    peopleAbstained: fused.filter((f) => f.gender === null).length,
  };
}
