/**
 * Open-set identification as NIST FRVT 1:N reports it: FNIR (a returning
 * person is not found, or another visitor is returned) at a fixed FPIR (a
 * stranger is taken for a stored visitor), for galleries of 1 000 and 10 000.
 *
 * Gallery: one photo of each identity-verification person, UTKFace chips,
 * and synthetic templates up to the gallery size. Mated searches: every
 * other photo of an enrolled person. Non-mated searches: UTKFace chips that
 * are not enrolled. A synthetic template is represented only by its score
 * against the probe, drawn from a kernel density estimate of the real
 * impostor scores measured here, so it adds real-looking strangers but no
 * new information about the tail of the distribution.
 */
import { calibratedThreshold, type ImpostorModel } from '../../plugin/identity/threshold';
import { cosine } from '../../plugin/embed/similarity';
import { kdeSampler, seededUniform } from './stats';
import type { Template } from './verification';

export const GALLERY_SIZES = [1000, 10000] as const;
const SYNTHETIC_SEED = 20261204;

export interface OpenSetInput {
  /** identity-verification faces with templates, several per person. */
  identities: readonly Template[];
  /**
   * Splits of the UTKFace templates into enrolled other visitors (fillers)
   * and strangers (never enrolled). The searches of all folds are pooled.
   */
  folds: readonly { fillers: readonly Float32Array[]; strangers: readonly Float32Array[] }[];
  /** Real impostor scores the synthetic templates' scores are drawn like. */
  impostorScores: readonly number[];
  /** The product's threshold settings. */
  prior: ImpostorModel;
  targetFpir: number;
  minThreshold: number;
}

export interface OperatingPoint {
  threshold: number;
  fpir: number;
  fnir: number;
}

export interface GalleryEval {
  gallerySize: number;
  enrolledPeople: number;
  /** UTKFace templates in the gallery (per fold; the smaller fold when they differ). */
  realFillers: number;
  syntheticFillers: number;
  matedSearches: number;
  nonMatedSearches: number;
  /** FNIR where FPIR is at most 1 % (0.1 %); the threshold is the lowest that achieves it on these searches. */
  atFpir1: OperatingPoint;
  atFpir01: OperatingPoint;
  /** calibratedThreshold(prior, gallerySize, targetFpir, minThreshold), as the product computes it with one template per visitor. */
  product: OperatingPoint & { targetFpir: number };
}

interface Search {
  mate: number;
  nonMate: number;
}

/** Scores for the mated searches: each ordered pair of photos of one person, the first enrolled. */
function matedSearches(identities: readonly Template[], fillers: readonly Float32Array[]): Search[] {
  const enrolled = new Map<string, Float32Array>();
  for (const face of identities) if (!enrolled.has(face.identity)) enrolled.set(face.identity, face.template);
  const searches: Search[] = [];
  for (const probe of identities) {
    for (const mate of identities) {
      if (mate === probe || mate.identity !== probe.identity) continue;
      let nonMate = -1;
      for (const [identity, template] of enrolled) if (identity !== probe.identity) nonMate = Math.max(nonMate, cosine(probe.template, template));
      for (const filler of fillers) nonMate = Math.max(nonMate, cosine(probe.template, filler));
      searches.push({ mate: cosine(probe.template, mate.template), nonMate });
    }
  }
  return searches;
}

function nonMatedBest(strangers: readonly Float32Array[], gallery: readonly Float32Array[]): number[] {
  return strangers.map((probe) => gallery.reduce((best, g) => Math.max(best, cosine(probe, g)), -1));
}

function fpirAt(nonMated: readonly number[], threshold: number): number {
  return nonMated.filter((s) => s >= threshold).length / nonMated.length;
}

function fnirAt(mated: readonly Search[], threshold: number): number {
  return mated.filter((s) => !(s.mate >= threshold && s.mate > s.nonMate)).length / mated.length;
}

/** Finds the lowest threshold among the non-mated scores with FPIR <= target (a match needs a score strictly above it). */
function pointAtFpir(mated: readonly Search[], nonMated: readonly number[], target: number): OperatingPoint {
  const sorted = [...nonMated].sort((a, b) => b - a);
  const allowed = Math.floor(target * sorted.length);
  const threshold = sorted[Math.min(allowed, sorted.length - 1)] + 1e-9;
  return { threshold, fpir: fpirAt(nonMated, threshold), fnir: fnirAt(mated, threshold) };
}

/** Adds `count` synthetic impostor scores to each search's best non-mate score. */
function withSynthetic(best: readonly number[], count: number, draw: () => number): number[] {
  return best.map((score) => {
    let max = score;
    for (let i = 0; i < count; i++) {
      const s = draw();
      if (s > max) max = s;
    }
    return max;
  });
}

export function evaluateOpenSet(input: OpenSetInput): GalleryEval[] {
  const people = new Set(input.identities.map((f) => f.identity)).size;
  const enrolled = [...new Map(input.identities.map((f) => [f.identity, f.template] as const)).values()];
  const draw = kdeSampler(input.impostorScores, seededUniform(SYNTHETIC_SEED));
  return GALLERY_SIZES.map((gallerySize) => {
    const mated: Search[] = [];
    const nonMated: number[] = [];
    let realFillers = 0;
    for (const fold of input.folds) {
      const fillers = fold.fillers.slice(0, Math.max(0, gallerySize - people));
      const synthetic = gallerySize - people - fillers.length;
      realFillers = fillers.length;
      const searches = matedSearches(input.identities, fillers);
      const matedNonMate = withSynthetic(searches.map((s) => s.nonMate), synthetic, draw);
      mated.push(...searches.map((s, i) => ({ mate: s.mate, nonMate: matedNonMate[i] })));
      nonMated.push(...withSynthetic(nonMatedBest(fold.strangers, [...enrolled, ...fillers]), synthetic, draw));
    }
    const productThreshold = calibratedThreshold(input.prior, gallerySize, input.targetFpir, input.minThreshold);
    return {
      gallerySize,
      enrolledPeople: people,
      realFillers,
      syntheticFillers: gallerySize - people - realFillers,
      matedSearches: mated.length,
      nonMatedSearches: nonMated.length,
      atFpir1: pointAtFpir(mated, nonMated, 0.01),
      atFpir01: pointAtFpir(mated, nonMated, 0.001),
      product: {
        threshold: productThreshold,
        fpir: fpirAt(nonMated, productThreshold),
        fnir: fnirAt(mated, productThreshold),
        targetFpir: input.targetFpir,
      },
    };
  });
}
