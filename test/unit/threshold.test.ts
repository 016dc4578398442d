import { calibratedThreshold, normalQuantile, perComparisonRate, updateImpostorModel } from '../../plugin/identity/threshold';

/** Deterministic standard normal samples (Box-Muller over a small LCG). */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('open-set threshold', () => {
  test('normalQuantile matches known values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normalQuantile(1 - 1e-6)).toBeCloseTo(4.753424, 4);
  });

  test('per-comparison rate shrinks with gallery size', () => {
    expect(perComparisonRate(0.01, 1)).toBeCloseTo(0.01, 12);
    expect(perComparisonRate(0.01, 10000)).toBeCloseTo(1.005e-6, 8);
  });

  test('threshold rises with the gallery and never drops below the floor', () => {
    const impostor = { mean: 0, sd: 0.1, pairs: 1000 };
    const small = calibratedThreshold(impostor, 10, 0.01, 0.4);
    const large = calibratedThreshold(impostor, 100000, 0.01, 0.4);
    expect(small).toBe(0.4);
    expect(large).toBeGreaterThan(0.5);
  });

  test('a simulated stranger is matched at most 1 % of the time', () => {
    const impostor = { mean: 0.01, sd: 0.1, pairs: 5000 };
    const gallery = 500;
    const threshold = calibratedThreshold(impostor, gallery, 0.01, 0);
    const draw = normals(7);
    let falseMatches = 0;
    const strangers = 2000;
    for (let s = 0; s < strangers; s++) {
      let best = -1;
      for (let g = 0; g < gallery; g++) best = Math.max(best, impostor.mean + impostor.sd * draw());
      if (best >= threshold) falseMatches++;
    }
    expect(falseMatches / strangers).toBeLessThanOrEqual(0.015);
  }, 60000);

  test('gallery scores can raise but not lower the spread', () => {
    const prior = { mean: 0, sd: 0.1, pairs: 100 };
    const tidy = updateImpostorModel(prior, new Array(500).fill(0).map((_, i) => (i % 2 ? 0.01 : -0.01)));
    expect(tidy.sd).toBe(0.1);
    const wide = updateImpostorModel(prior, new Array(500).fill(0).map((_, i) => (i % 2 ? 0.3 : -0.3)));
    expect(wide.sd).toBeGreaterThan(0.2);
    expect(updateImpostorModel(prior, [0.5, 0.5])).toBe(prior);
  });
});
