/**
 * Detection recall and precision against the SCRFD-2.5G pseudo ground truth
 * of multiface-photos, with the product's detector settings.
 */
import * as path from 'node:path';
import { detectFaces, type DetectOptions } from '../../plugin/detect/yunet';
import type { ModelRunner } from '../../plugin/inference/session';
import { loadRgb, matchBoxes, readPseudoGt } from '../measure-detect-embed';
import { ratio } from './stats';
import { spread } from './faces';

/** IoU a detection needs with a pseudo ground-truth box to count as finding it. */
export const DETECTION_MATCH_IOU = 0.4;

export const HEIGHT_BUCKETS = [
  { label: '<20', min: 0, max: 20 },
  { label: '20-40', min: 20, max: 40 },
  { label: '40-80', min: 40, max: 80 },
  { label: '>=80', min: 80, max: Infinity },
] as const;

export interface HeightBucket {
  label: string;
  groundTruth: number;
  found: number;
  recall: number;
  detections: number;
  correct: number;
  precision: number;
}

export interface DetectionEval {
  photos: string[];
  groundTruth: number;
  detections: number;
  recall: number;
  precision: number;
  /** Recall over pseudo ground-truth faces at least 40 px tall. */
  recall40: number;
  /** Ground-truth faces are bucketed by their own height, detections by theirs. */
  byHeight: HeightBucket[];
}

function bucketOf(height: number): number {
  return HEIGHT_BUCKETS.findIndex((b) => height >= b.min && height < b.max);
}

/**
 * Runs the detector on `limit` photos (all by default) and scores them. A
 * subset is spread over the photos sorted by face count, so it contains sparse
 * and crowded scenes alike.
 */
export async function evaluateDetection(runner: ModelRunner, datasetsDir: string, options: DetectOptions, limit = Infinity): Promise<DetectionEval> {
  const byFaceCount = readPseudoGt(datasetsDir).sort((a, b) => a.boxes.length - b.boxes.length || a.file.localeCompare(b.file));
  const photos = spread(byFaceCount, limit);
  const buckets: HeightBucket[] = HEIGHT_BUCKETS.map((b) => ({
    label: b.label, groundTruth: 0, found: 0, recall: NaN, detections: 0, correct: 0, precision: NaN,
  }));
  for (const photo of photos) {
    const found = (await detectFaces(runner, await loadRgb(photo.file), options)).map((d) => d.box);
    const { gtMatched, foundMatched } = matchBoxes(photo.boxes, found, DETECTION_MATCH_IOU);
    photo.boxes.forEach((box, i) => {
      const bucket = buckets[bucketOf(box.height)];
      bucket.groundTruth++;
      if (gtMatched[i]) bucket.found++;
    });
    found.forEach((box, i) => {
      const bucket = buckets[bucketOf(box.height)];
      bucket.detections++;
      if (foundMatched[i]) bucket.correct++;
    });
  }
  return summarise(photos.map((p) => path.basename(p.file)), buckets);
}

function summarise(photos: string[], buckets: HeightBucket[]): DetectionEval {
  for (const b of buckets) {
    b.recall = ratio(b.found, b.groundTruth);
    b.precision = ratio(b.correct, b.detections);
  }
  const total = (pick: (b: HeightBucket) => number, list: HeightBucket[] = buckets) => list.reduce((s, b) => s + pick(b), 0);
  const atLeast40 = buckets.slice(2);
  return {
    photos,
    groundTruth: total((b) => b.groundTruth),
    detections: total((b) => b.detections),
    recall: ratio(total((b) => b.found), total((b) => b.groundTruth)),
    precision: ratio(total((b) => b.correct), total((b) => b.detections)),
    recall40: ratio(total((b) => b.found, atLeast40), total((b) => b.groundTruth, atLeast40)),
    byHeight: buckets,
  };
}
