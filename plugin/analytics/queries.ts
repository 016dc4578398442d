import type { AgeBand, Gender, OccupancyPoint, StatsBucket, VisitorRecord } from '../core/types';
import type { Database } from '../store/db';
import type { Interval } from './occupancy';

async function coverage(db: Database, storeId: string, from: number, to: number): Promise<Interval[]> {
  const rows = await db.all<{ from_ts: number; to_ts: number }>(
    'SELECT from_ts, to_ts FROM coverage WHERE store_id = ? AND to_ts >= ? AND from_ts <= ? ORDER BY from_ts',
    [storeId, from, to],
  );
  return rows.map((r) => ({ from: r.from_ts, to: r.to_ts }));
}

function covers(intervals: Interval[], from: number, to: number): boolean {
  return intervals.some((c) => c.from <= to && c.to >= from);
}

/**
 * People present (summed over the store's cameras) per `stepS` seconds from
 * `from` to `to`: the largest per-second count within each step, or null when
 * no camera delivered data in the step.
 */
export async function occupancy(db: Database, storeId: string, from: number, to: number, stepS = 1): Promise<OccupancyPoint[]> {
  const covered = await coverage(db, storeId, from, to);
  const rows = await db.all<{ t: number; count: number }>(
    'SELECT t, SUM(count) AS count FROM occupancy WHERE store_id = ? AND t BETWEEN ? AND ? GROUP BY t',
    [storeId, Math.floor(from), Math.ceil(to)],
  );
  const byStep = new Map<number, number>();
  for (const row of rows) {
    const step = Math.floor((row.t - from) / stepS);
    byStep.set(step, Math.max(byStep.get(step) ?? 0, row.count));
  }
  const points: OccupancyPoint[] = [];
  for (let step = 0; from + step * stepS <= to; step++) {
    const t = from + step * stepS;
    const hasData = covers(covered, t, t + stepS - 1e-6);
    points.push({ t, count: hasData ? byStep.get(step) ?? 0 : null });
  }
  return points;
}

interface VisitRow {
  visitor_id: string;
  start_ts: number;
  end_ts: number;
  is_returning: number;
  identified: number;
  gender: Gender | null;
  age: number | null;
  age_band: AgeBand | null;
  camera_id: string;
  visit_count: number;
  face_size_px: number;
}

async function visitsBetween(db: Database, storeId: string, from: number, to: number, limit = 100000, newestFirst = false): Promise<VisitRow[]> {
  return db.all<VisitRow>(
    `SELECT v.visitor_id, v.start_ts, v.end_ts, v.is_returning, v.identified, v.gender, v.age, v.age_band, v.camera_id,
            v.face_size_px, p.visit_count
       FROM visits v JOIN visitors p ON p.id = v.visitor_id
      WHERE v.store_id = ? AND v.start_ts >= ? AND v.start_ts < ?
      ORDER BY v.start_ts ${newestFirst ? 'DESC' : 'ASC'} LIMIT ?`,
    [storeId, from, to, limit],
  );
}

/** Visit statistics per `bucketS` seconds from `from` to `to`. */
export async function stats(db: Database, storeId: string, from: number, to: number, bucketS: number): Promise<StatsBucket[]> {
  const covered = await coverage(db, storeId, from, to);
  const visits = await visitsBetween(db, storeId, from, to);
  const buckets: StatsBucket[] = [];
  for (let start = from; start < to; start += bucketS) {
    const inBucket = visits.filter((v) => v.start_ts >= start && v.start_ts < start + bucketS);
    buckets.push(summariseBucket(start, bucketS, inBucket, !covers(covered, start, start + bucketS - 1e-6)));
  }
  return buckets;
}

function summariseBucket(start: number, bucketS: number, visits: VisitRow[], noData: boolean): StatsBucket {
  const byAgeBandGender: Record<string, number> = {};
  for (const v of visits) {
    const key = `${v.age_band ?? 'unknown'}|${v.gender ?? 'unknown'}`;
    byAgeBandGender[key] = (byAgeBandGender[key] ?? 0) + 1;
  }
  const dwell = visits.map((v) => v.end_ts - v.start_ts);
  return {
    start,
    bucketS,
    entries: visits.length,
    uniqueVisitors: new Set(visits.map((v) => v.visitor_id)).size,
    returningVisitors: new Set(visits.filter((v) => v.is_returning).map((v) => v.visitor_id)).size,
    byAgeBandGender,
    avgDwellS: dwell.length ? dwell.reduce((a, b) => a + b, 0) / dwell.length : null,
    noData: noData && visits.length === 0,
  };
}

/** Counts identified visitors seen between `from` and `to` by their total visits: "1", "2", ..., "10+". */
export async function visitFrequency(db: Database, storeId: string, from: number, to: number): Promise<Record<string, number>> {
  const rows = await db.all<{ visit_count: number }>(
    `SELECT visit_count FROM visitors WHERE store_id = ? AND templates IS NOT NULL AND last_seen >= ? AND first_seen <= ?`,
    [storeId, from, to],
  );
  const histogram: Record<string, number> = {};
  for (const { visit_count } of rows) {
    const key = visit_count >= 10 ? '10+' : String(visit_count);
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  return histogram;
}

/** Lists the latest `limit` visits between `from` and `to` as visitor records (never with templates), newest first. */
export async function listVisitors(db: Database, storeId: string, from: number, to: number, limit: number): Promise<VisitorRecord[]> {
  const rows = await visitsBetween(db, storeId, from, to, limit, true);
  return rows.map((v) => ({
    visitorId: v.visitor_id,
    identified: v.identified === 1,
    cameraId: v.camera_id,
    firstSeenS: v.start_ts,
    lastSeenS: v.end_ts,
    returning: v.is_returning === 1,
    visitCount: v.visit_count,
    gender: v.gender,
    ageBand: v.age_band,
    age: v.age === null ? null : Math.round(v.age * 10) / 10,
    dwellS: Math.max(0, v.end_ts - v.start_ts),
    faceSizePx: Math.round(v.face_size_px),
  }));
}
