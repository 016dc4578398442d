/**
 * Fuses per-frame age/gender samples of one track into its demographics,
 * abstaining (null fields) where the evidence is weak.
 */
import { AGE_BANDS, type AgeBand, type AttributeSample, type Demographics } from '../core/types';

export interface WeightedSample {
  sample: AttributeSample;
  /** Relative trust in the sample (for example the face quality score); must be finite and >= 0. */
  weight: number;
}

export interface FusionOptions {
  /**
   * Gender is reported only when |pMale - 0.5| >= genderMargin for the fused
   * pMale; below it the gender is null. Range [0, 0.5].
   */
  genderMargin: number;
  /** Only the samples with the highest weights are fused, at most this many. */
  maxSamples: number;
}

/**
 * Default margin 0.2: reports a gender only when the fused pMale is outside
 * (0.3, 0.7), that is with genderConfidence >= 0.4.
 */
export const DEFAULT_FUSION_OPTIONS: FusionOptions = { genderMargin: 0.2, maxSamples: 10 };

/** Below this fused age the band is 'under 18' and gender is not reported, because the model's gender is weak on children. */
export const ADULT_AGE = 18;

/** Rounding slack so that a pMale of exactly 0.5 +/- margin counts as clearing the margin (0.7 - 0.5 < 0.2 in floating point). */
const MARGIN_TOLERANCE = 1e-9;

const NO_DEMOGRAPHICS: Demographics = { age: null, ageBand: null, gender: null, genderConfidence: 0 };

/**
 * Fuses a track's samples: weighted mean age and pMale over the best
 * `maxSamples` samples, the age band of the fused age, and a gender only for
 * adults and only when the fused pMale clears the margin. Without samples (or
 * with only zero weights) every field is null.
 */
export function fuseAttributes(samples: readonly WeightedSample[], options: Partial<FusionOptions> = {}): Demographics {
  const opts = { ...DEFAULT_FUSION_OPTIONS, ...options };
  validateOptions(opts);
  const best = pickBest(samples, opts.maxSamples);
  const totalWeight = best.reduce((sum, s) => sum + s.weight, 0);
  if (totalWeight <= 0) return { ...NO_DEMOGRAPHICS };

  const age = best.reduce((sum, s) => sum + s.sample.age * s.weight, 0) / totalWeight;
  const pMale = best.reduce((sum, s) => sum + s.sample.pMale * s.weight, 0) / totalWeight;
  const ageBand = ageToBand(age);
  if (age < ADULT_AGE || Math.abs(pMale - 0.5) < opts.genderMargin - MARGIN_TOLERANCE) {
    return { age, ageBand, gender: null, genderConfidence: 0 };
  }
  return { age, ageBand, gender: pMale >= 0.5 ? 'male' : 'female', genderConfidence: Math.abs(2 * pMale - 1) };
}

/**
 * Maps an age in years to its band: under 18, 18-24, 25-34, 35-44, 45-54,
 * 55-64, 65+. Each band includes its lower bound (24.99 is '18-24', 25 is '25-34').
 */
export function ageToBand(age: number): AgeBand {
  if (!Number.isFinite(age)) throw new Error(`ageToBand: age must be a finite number, got ${age}`);
  const lowerBounds = [0, 18, 25, 35, 45, 55, 65];
  let band = 0;
  for (let i = 1; i < lowerBounds.length; i++) {
    if (age >= lowerBounds[i]) band = i;
  }
  return AGE_BANDS[band];
}

function pickBest(samples: readonly WeightedSample[], maxSamples: number): WeightedSample[] {
  for (const s of samples) validateSample(s);
  return samples
    .filter((s) => s.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, maxSamples);
}

function validateSample(s: WeightedSample): void {
  if (!Number.isFinite(s.weight) || s.weight < 0) {
    throw new Error(`fuseAttributes: sample weight must be finite and >= 0, got ${s.weight}`);
  }
  if (!Number.isFinite(s.sample.age)) throw new Error(`fuseAttributes: sample age must be finite, got ${s.sample.age}`);
  if (!(s.sample.pMale >= 0 && s.sample.pMale <= 1)) {
    throw new Error(`fuseAttributes: sample pMale must be in [0, 1], got ${s.sample.pMale}`);
  }
}

function validateOptions(opts: FusionOptions): void {
  if (!(opts.genderMargin >= 0 && opts.genderMargin <= 0.5)) {
    throw new Error(`fuseAttributes: genderMargin must be in [0, 0.5], got ${opts.genderMargin}`);
  }
  if (!Number.isInteger(opts.maxSamples) || opts.maxSamples < 1) {
    throw new Error(`fuseAttributes: maxSamples must be an integer >= 1, got ${opts.maxSamples}`);
  }
}
