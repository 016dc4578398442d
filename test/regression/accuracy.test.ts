/**
 * Runs the quick accuracy evaluation in-process and checks each figure
 * against bench/eval/floors.json. The labelled data sets must be present
 * (../shared/datasets or env SHOPFACE_DATASETS): without them the test fails.
 */
import { checkFloor, readFloors } from '../../bench/eval/floors';
import { defaultDatasetsDir, runEval, type EvalResult } from '../../bench/eval/run-eval';

const floors = readFloors();
let result: EvalResult | undefined;

beforeAll(async () => {
  result = await runEval({ datasetsDir: defaultDatasetsDir(), quick: true });
}, 120_000);

describe('quick eval stays above its floors', () => {
  test.each(floors)('$path', (floor) => {
    if (!result) throw new Error('the quick eval did not run; see the beforeAll error above');
    const check = checkFloor(result, floor);
    const bound = floor.min !== undefined ? `>= ${floor.min}` : `<= ${floor.max}`;
    expect({ path: check.path, value: check.value, ok: check.ok, bound }).toEqual({ path: floor.path, value: check.value, ok: true, bound });
  }, 10_000);
});

test('quick eval covers every data set', () => {
  if (!result) throw new Error('the quick eval did not run; see the beforeAll error above');
  expect(result.detection.photos).toHaveLength(6);
  expect(result.age.chips).toBe(300);
  expect(result.verification.identities).toBeGreaterThanOrEqual(10);
  expect(result.openSet.galleries.map((g) => g.gallerySize)).toEqual([1000, 10000]);
}, 10_000);
