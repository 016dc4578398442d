import type { Config } from '../config/config';
import type { OccupancyPoint, VisitorRecord } from '../core/types';

/** One visitor of the analysed clip; times are seconds from the clip's start. */
export interface ReportVisitor {
  visitorId: string;
  identified: boolean;
  firstSeenS: number;
  lastSeenS: number;
  dwellS: number;
  returning: boolean;
  visitCount: number;
  gender: VisitorRecord['gender'];
  ageBand: VisitorRecord['ageBand'];
  age: number | null;
  /** Largest face height seen, in pixels of the analysed frame. */
  faceSizePx: number;
}

/** The JSON written by `npm run analyze` (documented in docs/analyze.md). */
export interface AnalyzeReport {
  version: 1;
  input: string;
  storeId: string;
  /** ISO time of the clip's first frame. */
  clipStart: string;
  durationS: number;
  settings: { width: number; height: number; fps: number; privacyMode: string; matchThreshold: number; gallerySize: number };
  totals: {
    framesAnalysed: number;
    framesDropped: number;
    faces: number;
    visitors: number;
    identified: number;
    returning: number;
    female: number;
    male: number;
  };
  visitors: ReportVisitor[];
  occupancy: OccupancyPoint[];
  analytics: {
    entriesPerHour: Record<string, number>;
    ageBandGender: Record<string, number>;
    visitFrequency: Record<string, number>;
    dwellS: { mean: number | null; median: number | null };
  };
  performance: { wallS: number; speedVsRealTime: number; msPerFrame: Record<string, number> };
}

export interface ReportInput {
  input: string;
  storeId: string;
  startTime: number;
  durationS: number;
  config: Config;
  wallS: number;
  framesAnalysed: number;
  framesDropped: number;
  faces: number;
  visitors: VisitorRecord[];
  occupancy: OccupancyPoint[];
  timings: Record<string, number>;
  threshold: number;
  gallerySize: number;
  visitFrequency: Record<string, number>;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function toReportVisitor(record: VisitorRecord, startTime: number): ReportVisitor {
  return {
    visitorId: record.visitorId,
    identified: record.identified,
    firstSeenS: round(record.firstSeenS - startTime),
    lastSeenS: round(record.lastSeenS - startTime),
    dwellS: round(record.dwellS),
    returning: record.returning,
    visitCount: record.visitCount,
    gender: record.gender,
    ageBand: record.ageBand,
    age: record.age,
    faceSizePx: record.faceSizePx,
  };
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export function buildReport(input: ReportInput): AnalyzeReport {
  const visitors = input.visitors.map((v) => toReportVisitor(v, input.startTime));
  const dwell = visitors.map((v) => v.dwellS);
  const msPerFrame: Record<string, number> = {};
  for (const [stage, ms] of Object.entries(input.timings)) msPerFrame[stage] = round(ms / Math.max(1, input.framesAnalysed));
  return {
    version: 1,
    input: input.input,
    storeId: input.storeId,
    clipStart: new Date(input.startTime * 1000).toISOString(),
    durationS: round(input.durationS),
    settings: {
      width: input.config.analysis.width,
      height: input.config.analysis.height,
      fps: input.config.analysis.fps,
      privacyMode: input.config.privacy.mode,
      matchThreshold: round(input.threshold, 4),
      gallerySize: input.gallerySize,
    },
    totals: {
      framesAnalysed: input.framesAnalysed,
      framesDropped: input.framesDropped,
      faces: input.faces,
      visitors: visitors.length,
      identified: visitors.filter((v) => v.identified).length,
      returning: visitors.filter((v) => v.returning).length,
      female: visitors.filter((v) => v.gender === 'female').length,
      male: visitors.filter((v) => v.gender === 'male').length,
    },
    visitors,
    occupancy: input.occupancy,
    analytics: {
      entriesPerHour: countBy(input.visitors, (v) => new Date(v.firstSeenS * 1000).toISOString().slice(0, 13) + ':00Z'),
      ageBandGender: countBy(visitors, (v) => `${v.ageBand ?? 'unknown'}|${v.gender ?? 'unknown'}`),
      visitFrequency: input.visitFrequency,
      dwellS: { mean: dwell.length ? round(dwell.reduce((a, b) => a + b, 0) / dwell.length) : null, median: median(dwell) },
    },
    performance: {
      wallS: round(input.wallS),
      speedVsRealTime: round(input.durationS / Math.max(1e-3, input.wallS)),
      msPerFrame,
    },
  };
}
