import type { AnalyzeReport, ReportVisitor } from '../../plugin/pipeline/report';
import type { ClipTruth, TruthVisitor } from '../../bench/clipgen';

/** A truth visitor and the reported visitor that matches it in time, if any. */
export interface TruthPair {
  truth: TruthVisitor;
  reported?: ReportVisitor;
}

function overlap(a: { from: number; to: number }, b: { from: number; to: number }): number {
  const inter = Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));
  const union = Math.max(a.to, b.to) - Math.min(a.from, b.from);
  return union > 0 ? inter / union : 0;
}

/**
 * Pairs truth visitors with reported visitors one to one by overlap of their
 * time on screen (at least 0.3 to pair), greedily from the best score down.
 * Different face sizes cost a penalty, so that a small face in the far lane
 * is not paired with a near visitor passing at the same time.
 */
export function matchVisitors(truth: ClipTruth, report: AnalyzeReport): TruthPair[] {
  const candidates: { t: number; r: number; score: number }[] = [];
  truth.visitors.forEach((tv, t) => {
    report.visitors.forEach((rv, r) => {
      const time = overlap({ from: tv.enterS, to: tv.leaveS }, { from: rv.firstSeenS, to: rv.lastSeenS });
      const sizeGap = Math.abs(Math.log(Math.max(1, rv.faceSizePx) / tv.faceHeightPx));
      if (time >= 0.3) candidates.push({ t, r, score: time - 0.5 * sizeGap });
    });
  });
  candidates.sort((a, b) => b.score - a.score);
  const usedT = new Set<number>();
  const usedR = new Set<number>();
  const pairs: TruthPair[] = truth.visitors.map((tv) => ({ truth: tv }));
  for (const c of candidates) {
    if (usedT.has(c.t) || usedR.has(c.r)) continue;
    usedT.add(c.t);
    usedR.add(c.r);
    pairs[c.t].reported = report.visitors[c.r];
  }
  return pairs;
}

/** Share of seconds where the reported occupancy is within `tolerance` people of the truth. */
export function occupancyAgreement(truth: ClipTruth, report: AnalyzeReport, tolerance = 1): number {
  const reported = new Map(report.occupancy.map((p) => [p.t, p.count ?? 0]));
  const close = truth.occupancy.filter((p) => Math.abs((reported.get(p.t) ?? 0) - p.count) <= tolerance).length;
  return close / Math.max(1, truth.occupancy.length);
}
