import type { Box, Face, FrameFaces, RgbImage } from '../core/types';
import { iou } from '../detect/nms';
import type { ModelRunner } from '../inference/session';
import { detectFaces } from '../detect/yunet';
import { assessFace, isGreyscaleFrame, type QualityOptions } from '../detect/quality';
import { embedFace } from '../embed/embedder';
import { estimateAgeGender } from '../attributes/age-gender';

export interface FrameAnalysisOptions {
  detection: { scoreThreshold: number; inputWidth: number };
  quality: Partial<QualityOptions>;
  /** Compute templates; false in the anonymous privacy mode. */
  templates: boolean;
}

/**
 * A region where a tracked person already has enough good frames: a face
 * found there gets a template (or age and gender) only when its quality
 * score beats the worst frame the track keeps. Null means never skip.
 */
export interface SkipHint {
  box: Box;
  templateFloor: number | null;
  attributeFloor: number | null;
}

/** The frame-level input of the analysis, as sent to a worker. */
export interface FrameTask {
  cameraId: string;
  ts: number;
  seq: number;
  width: number;
  height: number;
  data: Uint8Array;
  skip?: SkipHint[];
}

/** Returns the hint whose box overlaps `box` most (IoU at least 0.3), if any. */
function hintFor(box: Box, hints: SkipHint[] | undefined): SkipHint | undefined {
  let best: SkipHint | undefined;
  let bestOverlap = 0.3;
  for (const hint of hints ?? []) {
    const overlap = iou(hint.box, box);
    if (overlap >= bestOverlap) {
      best = hint;
      bestOverlap = overlap;
    }
  }
  return best;
}

function beats(score: number, floor: number | null | undefined): boolean {
  return floor === null || floor === undefined || score > floor;
}

function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs the per-frame stages: detection, the quality gate, then a template
 * for each face fit for identity and age/gender for each face fit for
 * demographics, unless a skip hint shows that its track already has better
 * frames. Faces that fail the gate are still returned so they count as
 * people.
 */
export async function analyzeFrame(runner: ModelRunner, task: FrameTask, options: FrameAnalysisOptions): Promise<FrameFaces> {
  const image: RgbImage = { width: task.width, height: task.height, data: task.data };
  const timings: Record<string, number> = { detect: 0, quality: 0, embed: 0, attributes: 0 };
  let start = process.hrtime.bigint();
  const detections = await detectFaces(runner, image, options.detection);
  timings.detect = since(start);

  start = process.hrtime.bigint();
  const greyscale = isGreyscaleFrame(image);
  const assessed = detections.map((d) => ({ d, ...assessFace(image, d, options.quality, greyscale) }));
  timings.quality = since(start);

  const faces: Face[] = [];
  for (const { d, box, quality } of assessed) {
    const face: Face = { box, landmarks: d.landmarks, score: d.score, quality };
    const hint = hintFor(box, task.skip);
    if (options.templates && quality.identityOk && beats(quality.score, hint?.templateFloor)) {
      start = process.hrtime.bigint();
      face.template = await embedFace(runner, image, d.landmarks);
      timings.embed += since(start);
    }
    if (quality.demographicsOk && beats(quality.score, hint?.attributeFloor)) {
      start = process.hrtime.bigint();
      face.attributes = await estimateAgeGender(runner, image, box);
      timings.attributes += since(start);
    }
    faces.push(face);
  }
  return { cameraId: task.cameraId, ts: task.ts, seq: task.seq, width: task.width, height: task.height, greyscale, faces, timings };
}
