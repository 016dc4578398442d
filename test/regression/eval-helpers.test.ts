/** The evaluation's statistics, floor checks and SVG writer on small hand-made inputs. */
import { checkFloor, figureAt, readFloors } from '../../bench/eval/floors';
import { kdeSampler, rocCurve, seededUniform, thinRoc } from '../../bench/eval/stats';
import { barChart, heatMap, lineChart } from '../../bench/plot/svg';

describe('rocCurve', () => {
  test('counts scores at or above each threshold', () => {
    const roc = rocCurve([0.9, 0.8, 0.3], [0.5, 0.2, 0.1, 0.0]);
    const at05 = roc.find((p) => p.threshold === 0.5);
    expect(at05).toEqual({ threshold: 0.5, far: 0.25, tar: 2 / 3 });
    expect(roc[0]).toEqual({ threshold: Infinity, far: 0, tar: 0 });
    expect(roc[roc.length - 1]).toEqual({ threshold: -Infinity, far: 1, tar: 1 });
  });

  test('thinRoc keeps finite points only', () => {
    const impostor = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const thinned = thinRoc(rocCurve([0.99], impostor), 10);
    expect(thinned.length).toBeLessThanOrEqual(12);
    expect(thinned.every((p) => Number.isFinite(p.threshold) && p.far > 0)).toBe(true);
  });
});

describe('kdeSampler', () => {
  test('same seed gives same draws', () => {
    const scores = [0.1, 0.2, 0.3, 0.0, -0.1];
    const a = kdeSampler(scores, seededUniform(1));
    const b = kdeSampler(scores, seededUniform(1));
    const drawsA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(drawsA);
  });

  test('draws follow the scores mean', () => {
    const draw = kdeSampler([0.4, 0.5, 0.6], seededUniform(2));
    const values = Array.from({ length: 5000 }, draw);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('floors', () => {
  const result = { a: { b: 0.9 }, list: [{ c: 3 }] };

  test('figureAt follows dotted paths', () => {
    expect(figureAt(result, 'a.b')).toBe(0.9);
    expect(figureAt(result, 'list.0.c')).toBe(3);
    expect(figureAt(result, 'a.missing')).toBeNaN();
  });

  test('checkFloor applies min and max', () => {
    expect(checkFloor(result, { path: 'a.b', measured: 0.95, min: 0.9 }).ok).toBe(true);
    expect(checkFloor(result, { path: 'a.b', measured: 0.95, min: 0.91 }).ok).toBe(false);
    expect(checkFloor(result, { path: 'list.0.c', measured: 2, max: 2.5 }).ok).toBe(false);
    expect(checkFloor(result, { path: 'a.missing', measured: 1, min: 0 }).ok).toBe(false);
  });

  test('floors.json parses', () => {
    const floors = readFloors();
    expect(floors.length).toBeGreaterThanOrEqual(7);
    expect(floors.map((f) => f.path)).toContain('verification.tarAtFar1');
  });
});

describe('svg writer', () => {
  test('charts are complete documents', () => {
    const charts = [
      lineChart({
        title: 'a < b', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0.001, 0.5], [1, 1]] }],
        xRange: [1e-4, 1], xLog: true, xTicks: [1e-4, 1], yRange: [0, 1], yTicks: [0, 1],
      }),
      heatMap({ title: 'h', xLabel: 'x', yLabel: 'y', rowLabels: ['r1', 'r2'], columnLabels: ['c1', 'c2'], counts: [[1, 0], [0, 0]] }),
      barChart({ title: 'b', yLabel: 'y', categories: ['k'], series: [{ name: 's', values: [NaN] }], yRange: [0, 1], yTicks: [0], decimals: 1 }),
    ];
    for (const svg of charts) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).not.toContain('NaN');
    }
    expect(charts[0]).toContain('a &lt; b');
  });
});
