/**
 * Open-set match threshold calibrated from the impostor score distribution.
 *
 * A stranger is wrongly matched when any of the G templates in the gallery
 * scores above the threshold t. With independent impostor scores that
 * happens with probability FPIR = 1 - (1 - p(t))^G, where p(t) is the
 * chance that one impostor comparison exceeds t. Solving for the largest
 * allowed p gives the quantile of the impostor distribution to use.
 */

/** Impostor cosine-similarity distribution, modelled as a normal distribution. */
export interface ImpostorModel {
  mean: number;
  sd: number;
  /** Number of impostor pairs behind the estimate. */
  pairs: number;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Largest per-comparison false-match probability that keeps FPIR at `targetFpir` over `comparisons` templates. */
export function perComparisonRate(targetFpir: number, comparisons: number): number {
  const n = Math.max(1, comparisons);
  // 1 - (1 - F)^(1/n), written with log1p/expm1 so it stays exact for tiny rates.
  return -Math.expm1(Math.log1p(-targetFpir) / n);
}

/**
 * Returns the cosine threshold at which a stranger is taken for one of the
 * gallery's `comparisons` templates with probability at most `targetFpir`,
 * never below `floor`.
 */
export function calibratedThreshold(impostor: ImpostorModel, comparisons: number, targetFpir: number, floor: number): number {
  const p = perComparisonRate(targetFpir, comparisons);
  const t = impostor.mean + impostor.sd * normalQuantile(1 - p);
  return Math.max(floor, t);
}

/**
 * Combines the prior impostor model (measured offline) with impostor scores
 * observed between distinct visitors of this gallery, weighting each by its
 * number of pairs. The sd never drops below the prior's, so a small or
 * unusually tidy gallery cannot lower the threshold.
 */
export function updateImpostorModel(prior: ImpostorModel, scores: ArrayLike<number>): ImpostorModel {
  const n = scores.length;
  if (n < 30) return prior;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += scores[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (scores[i] - mean) ** 2;
  const sd = Math.sqrt(sq / (n - 1));
  const pairs = prior.pairs + n;
  const pooledMean = (prior.mean * prior.pairs + mean * n) / pairs;
  const pooledVar = (prior.sd ** 2 * prior.pairs + sd ** 2 * n) / pairs;
  return { mean: pooledMean, sd: Math.max(prior.sd, Math.sqrt(pooledVar)), pairs };
}
