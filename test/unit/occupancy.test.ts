import { CoverageTracker, occupancySeries } from '../../plugin/analytics/occupancy';

describe('occupancy', () => {
  test('counts the people covering each second', () => {
    const series = occupancySeries([{ from: 0.5, to: 3.2 }, { from: 2, to: 5 }], 0, 5);
    expect(series.map((p) => p.count)).toEqual([0, 1, 2, 2, 1, 1]);
    expect(series.map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('marks seconds without camera data as null, not zero', () => {
    const series = occupancySeries([{ from: 0, to: 1 }], 0, 5, [{ from: 0, to: 2 }, { from: 4, to: 5 }]);
    expect(series.map((p) => p.count)).toEqual([1, 1, 0, null, 0, 0]);
  });

  test('coverage splits at a pause longer than the gap', () => {
    const coverage = new CoverageTracker(2);
    for (const ts of [0, 0.2, 1, 1.5]) expect(coverage.frame(ts)).toBeUndefined();
    expect(coverage.frame(10)).toEqual({ from: 0, to: 1.5 });
    coverage.frame(11);
    expect(coverage.end()).toEqual({ from: 10, to: 11 });
    expect(coverage.intervals()).toEqual([{ from: 0, to: 1.5 }, { from: 10, to: 11 }]);
  });
});
