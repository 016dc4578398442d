/** Small statistics helpers shared by the accuracy evaluation. */

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n - 1 in the denominator); NaN for fewer than two values. */
export function sd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : NaN;
}

/** Share of `values` for which `test` holds; NaN for an empty list. */
export function share<T>(values: readonly T[], test: (value: T) => boolean): number {
  return ratio(values.filter(test).length, values.length);
}

/** One point of a ROC curve: at `threshold`, the share of impostor pairs (far) and genuine pairs (tar) scoring at or above it. */
export interface RocPoint {
  threshold: number;
  far: number;
  tar: number;
}

/** Computes the ROC curve at every distinct impostor score (plus the extremes), highest threshold first. */
export function rocCurve(genuine: readonly number[], impostor: readonly number[]): RocPoint[] {
  const impostorDesc = [...impostor].sort((a, b) => b - a);
  const genuineDesc = [...genuine].sort((a, b) => b - a);
  const thresholds = [Infinity, ...new Set(impostorDesc), -Infinity];
  const points: RocPoint[] = [];
  let i = 0;
  let g = 0;
  for (const t of thresholds) {
    while (i < impostorDesc.length && impostorDesc[i] >= t) i++;
    while (g < genuineDesc.length && genuineDesc[g] >= t) g++;
    points.push({ threshold: t, far: i / impostorDesc.length, tar: g / genuineDesc.length });
  }
  return points;
}

/** Keeps about `count` ROC points spread evenly over log10(FAR), plus the first and last. */
export function thinRoc(points: readonly RocPoint[], count: number): RocPoint[] {
  const finite = points.filter((p) => Number.isFinite(p.threshold) && p.far > 0);
  if (finite.length <= count) return finite;
  const kept: RocPoint[] = [];
  const lo = Math.log10(finite[0].far);
  const hi = Math.log10(finite[finite.length - 1].far);
  let next = lo;
  const step = (hi - lo) / count;
  for (const p of finite) {
    if (Math.log10(p.far) >= next) {
      kept.push(p);
      next = Math.log10(p.far) + step;
    }
  }
  if (kept[kept.length - 1] !== finite[finite.length - 1]) kept.push(finite[finite.length - 1]);
  return kept;
}

/** mulberry32: a small seeded generator of uniform numbers in [0, 1), so every run draws the same synthetic data. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws a standard normal value from two uniforms (Box-Muller). */
export function normalDraw(uniform: () => number): number {
  const u = Math.max(uniform(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Draws from a kernel density estimate of `scores`: a score picked at random
 * plus Gaussian noise of Silverman's bandwidth. The draws follow the measured
 * distribution, including a smoothed tail a little beyond its largest value.
 */
export function kdeSampler(scores: readonly number[], uniform: () => number): () => number {
  if (scores.length < 2) throw new Error(`kdeSampler: needs at least 2 scores, got ${scores.length}`);
  const bandwidth = 1.06 * sd(scores) * scores.length ** -0.2;
  return () => scores[Math.floor(uniform() * scores.length)] + bandwidth * normalDraw(uniform);
}
