/**
 * 1:1 verification on identity-verification (every pair of templates) and
 * impostor statistics over a larger population (UTKFace chips against
 * identity-verification photos), which the product's threshold is built on.
 */
import { cosine } from '../../plugin/embed/similarity';
import { tarAtFar } from '../measure-detect-embed';
import { mean, rocCurve, sd, thinRoc, type RocPoint } from './stats';

export interface Template {
  /** Person label, or a unique label for a face of unknown identity. */
  identity: string;
  template: Float32Array;
}

export interface ScoreStats {
  pairs: number;
  mean: number;
  sd: number;
  max: number;
}

export interface VerificationEval {
  faces: number;
  identities: number;
  genuine: ScoreStats;
  impostor: ScoreStats;
  /** Share of genuine pairs above the threshold at which at most 1 % (0.1 %) of impostor pairs score above it. */
  tarAtFar1: number;
  thresholdAtFar1: number;
  tarAtFar01: number;
  thresholdAtFar01: number;
  roc: RocPoint[];
  /** Impostor scores of UTKFace chips against identity-verification photos: many more pairs, different people. */
  crossImpostor: ImpostorStats;
}

export interface ImpostorStats extends ScoreStats {
  /** Share of pairs at or above mean + k sd of the same scores, beside what a normal distribution predicts. */
  tail: { k: number; observed: number; normal: number }[];
}

/** Mean, sd, maximum and the upper tail of impostor scores. */
export function impostorStats(scores: readonly number[]): ImpostorStats {
  const base = stats(scores);
  return {
    ...base,
    tail: [2, 3, 4].map((k) => ({
      k,
      observed: scores.filter((s) => s >= base.mean + k * base.sd).length / Math.max(1, scores.length),
      normal: normalTail(k),
    })),
  };
}

function stats(scores: readonly number[]): ScoreStats {
  return { pairs: scores.length, mean: mean(scores), sd: sd(scores), max: scores.reduce((a, b) => Math.max(a, b), -Infinity) };
}

/** Scores every pair of `faces`: same identity is genuine, different is impostor. */
export function pairScores(faces: readonly Template[]): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      (faces[i].identity === faces[j].identity ? genuine : impostor).push(cosine(faces[i].template, faces[j].template));
    }
  }
  return { genuine, impostor };
}

/** Scores every probe against every gallery face; the caller ensures they are different people. */
export function crossScores(probes: readonly Float32Array[], gallery: readonly Float32Array[]): number[] {
  const scores: number[] = [];
  for (const probe of probes) for (const g of gallery) scores.push(cosine(probe, g));
  return scores;
}

/** Upper tail of the standard normal: P(Z >= k). */
function normalTail(k: number): number {
  // Abramowitz and Stegun 7.1.26 for erfc, absolute error below 1.5e-7.
  const x = k / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 0.5 * poly * Math.exp(-x * x);
}

export function evaluateVerification(identityFaces: readonly Template[], crossImpostor: readonly number[]): VerificationEval {
  const { genuine, impostor } = pairScores(identityFaces);
  const at1 = tarAtFar(genuine, impostor, 0.01);
  const at01 = tarAtFar(genuine, impostor, 0.001);
  return {
    faces: identityFaces.length,
    identities: new Set(identityFaces.map((f) => f.identity)).size,
    genuine: stats(genuine),
    impostor: stats(impostor),
    tarAtFar1: at1.tar,
    thresholdAtFar1: at1.threshold,
    tarAtFar01: at01.tar,
    thresholdAtFar01: at01.threshold,
    roc: thinRoc(rocCurve(genuine, impostor), 40),
    crossImpostor: impostorStats(crossImpostor),
  };
}
