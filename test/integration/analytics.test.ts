import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../plugin/config/config';
import { openStore, type StoreContext } from '../../plugin/pipeline/store-context';
import { addPresence, saveCoverage } from '../../plugin/analytics/occupancy';
import { listVisitors, occupancy, stats, visitFrequency } from '../../plugin/analytics/queries';
import type { FinishedTrack } from '../../plugin/track/tracker';

const HOUR = 3600;
/** A whole hour about two days ago, so that opening the store sweeps nothing. */
const T0 = Math.floor(Date.now() / 1000 / HOUR) * HOUR - 48 * HOUR;

function unit(axis: number): Float32Array {
  const v = new Float32Array(32);
  v[axis] = 1;
  return v;
}

function track(firstTs: number, durationS: number, templates: Float32Array[], pMale: number, age: number): FinishedTrack {
  return {
    cameraId: 'door', trackId: firstTs, firstTs, lastTs: firstTs + durationS, hits: 10, templates,
    attributes: [{ sample: { age, pMale }, weight: 1 }], maxFaceSize: 80,
  };
}

describe('analytics queries on a real store', () => {
  let dir: string;
  let store: StoreContext;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-analytics-'));
    store = await openStore(dir, parseConfig({ store: { id: 'a1' } }));
    // Hour 0: a man (30) and a woman (50) come in; hour 1 has no camera data; hour 2: the man returns.
    await saveCoverage(store.db, 'a1', 'door', { from: T0, to: T0 + HOUR - 1 });
    await saveCoverage(store.db, 'a1', 'door', { from: T0 + 2 * HOUR, to: T0 + 3 * HOUR - 1 });
    for (const [first, duration, axis, pMale, age] of [[T0 + 100, 60, 1, 0.95, 30], [T0 + 130, 20, 2, 0.05, 50]] as const) {
      await store.visits.record(track(first, duration, [unit(axis)], pMale, age));
      await addPresence(store.db, 'a1', 'door', { from: first, to: first + duration });
    }
    await store.visits.closeAll();
    await store.visits.record(track(T0 + 2 * HOUR + 10, 30, [unit(1)], 0.9, 31));
    await addPresence(store.db, 'a1', 'door', { from: T0 + 2 * HOUR + 10, to: T0 + 2 * HOUR + 40 });
    await store.visits.closeAll();
  }, 30000);

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('stats per hour with a no-data hour', async () => {
    const buckets = await stats(store.db, 'a1', T0, T0 + 3 * HOUR, HOUR);
    expect(buckets.map((b) => b.entries)).toEqual([2, 0, 1]);
    expect(buckets.map((b) => b.noData)).toEqual([false, true, false]);
    expect(buckets[0].uniqueVisitors).toBe(2);
    expect(buckets[0].returningVisitors).toBe(0);
    expect(buckets[2].returningVisitors).toBe(1);
    expect(buckets[0].byAgeBandGender).toEqual({ '25-34|male': 1, '45-54|female': 1 });
    expect(buckets[0].avgDwellS).toBe(40);
  }, 20000);

  test('occupancy per second, null without camera data', async () => {
    const points = await occupancy(store.db, 'a1', T0 + 125, T0 + 165, 1);
    const at = (t: number): number | null | undefined => points.find((p) => p.t === T0 + t)?.count;
    expect(at(125)).toBe(1);
    expect(at(140)).toBe(2);
    expect(at(160)).toBe(1);
    const gap = await occupancy(store.db, 'a1', T0 + HOUR + 10, T0 + HOUR + 20, 5);
    expect(gap.every((p) => p.count === null)).toBe(true);
  }, 20000);

  test('visitor list and visit frequency', async () => {
    const visitors = await listVisitors(store.db, 'a1', T0, T0 + 3 * HOUR, 10);
    expect(visitors).toHaveLength(3);
    expect(visitors.map((v) => v.returning)).toEqual([true, false, false]);
    expect(visitors[0].visitorId).toBe(visitors[2].visitorId);
    expect(visitors[0].visitCount).toBe(2);
    expect(visitors[2].faceSizePx).toBe(80);
    const latest = await listVisitors(store.db, 'a1', T0, T0 + 3 * HOUR, 1);
    expect(latest[0].firstSeenS).toBe(T0 + 2 * HOUR + 10);
    expect(await visitFrequency(store.db, 'a1', T0, T0 + 3 * HOUR)).toEqual({ '1': 1, '2': 1 });
  }, 20000);
});
