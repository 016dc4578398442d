import type { OccupancyPoint } from '../core/types';
import type { Database } from '../store/db';

/** A closed time interval in seconds. */
export interface Interval {
  from: number;
  to: number;
}

/**
 * People present in each whole second from `fromT` to `toT`: the number of
 * intervals that cover the second. Seconds outside every `coverage`
 * interval have no camera data and get a null count, never zero.
 */
export function occupancySeries(people: Interval[], fromT: number, toT: number, coverage?: Interval[]): OccupancyPoint[] {
  const start = Math.ceil(fromT);
  const end = Math.floor(toT);
  const counts = new Array<number>(Math.max(0, end - start + 1)).fill(0);
  for (const person of people) {
    const first = Math.max(start, Math.ceil(person.from));
    const last = Math.min(end, Math.floor(person.to));
    for (let t = first; t <= last; t++) counts[t - start]++;
  }
  return counts.map((count, i) => {
    const t = start + i;
    const covered = !coverage || coverage.some((c) => c.from <= t && t <= c.to);
    return { t, count: covered ? count : null };
  });
}

/**
 * Tracks the stretches of time in which a camera delivered frames, so that
 * gaps read as "no data". A new stretch starts when frames pause for longer
 * than `maxGapS`.
 */
export class CoverageTracker {
  private current?: Interval;
  private readonly closed: Interval[] = [];

  constructor(private readonly maxGapS: number) {}

  /** Notes a frame at `ts`; returns the stretch that the pause before it closed, if any. */
  frame(ts: number): Interval | undefined {
    if (this.current && ts - this.current.to <= this.maxGapS) {
      this.current.to = Math.max(this.current.to, ts);
      return undefined;
    }
    const ended = this.current;
    if (ended) this.closed.push(ended);
    this.current = { from: ts, to: ts };
    return ended;
  }

  /** Ends the current stretch (camera lost or stopped). */
  end(): Interval | undefined {
    const ended = this.current;
    if (ended) this.closed.push(ended);
    this.current = undefined;
    return ended;
  }

  intervals(): Interval[] {
    return this.current ? [...this.closed, { ...this.current }] : [...this.closed];
  }

  open(): Interval | undefined {
    return this.current ? { ...this.current } : undefined;
  }
}

/** Adds one person present over `interval` to the per-second occupancy rows. */
export async function addPresence(db: Database, storeId: string, cameraId: string, interval: Interval): Promise<void> {
  const first = Math.ceil(interval.from);
  const last = Math.floor(interval.to);
  if (last < first) return;
  await db.transaction(async () => {
    for (let t = first; t <= last; t++) {
      await db.run(
        `INSERT INTO occupancy (store_id, camera_id, t, count) VALUES (?, ?, ?, 1)
         ON CONFLICT (store_id, camera_id, t) DO UPDATE SET count = count + 1`,
        [storeId, cameraId, t],
      );
    }
  });
}

/** Stores a stretch with camera data; overlapping or touching stretches of a camera are merged. */
export async function saveCoverage(db: Database, storeId: string, cameraId: string, interval: Interval): Promise<void> {
  await db.transaction(async () => {
    const overlapping = await db.all<{ rowid: number; from_ts: number; to_ts: number }>(
      `SELECT rowid, from_ts, to_ts FROM coverage WHERE store_id = ? AND camera_id = ? AND from_ts <= ? AND to_ts >= ?`,
      [storeId, cameraId, interval.to + 1, interval.from - 1],
    );
    let from = interval.from;
    let to = interval.to;
    for (const row of overlapping) {
      from = Math.min(from, row.from_ts);
      to = Math.max(to, row.to_ts);
      await db.run('DELETE FROM coverage WHERE rowid = ?', [row.rowid]);
    }
    await db.run('INSERT INTO coverage (store_id, camera_id, from_ts, to_ts) VALUES (?, ?, ?, ?)', [storeId, cameraId, from, to]);
  });
}
