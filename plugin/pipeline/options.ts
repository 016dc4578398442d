import type { Config } from '../config/config';
import type { TrackerOptions } from '../track/tracker';
import type { FrameAnalysisOptions } from './analyze-frame';
import { defaultWorkerCount } from '../inference/pool';

/** Per-frame analysis settings derived from the configuration. */
export function frameAnalysisOptions(config: Config): FrameAnalysisOptions {
  return {
    detection: { scoreThreshold: config.detection.scoreThreshold, inputWidth: config.detection.inputWidth },
    quality: { minFaceSize: config.detection.minFaceSizePx, maxYawDeg: config.detection.maxYawDeg },
    templates: config.privacy.mode !== 'anonymous',
  };
}

export function trackerOptions(config: Config): TrackerOptions {
  return { maxLostS: config.tracking.maxLostS, minHits: config.tracking.minHits, bestFrames: config.tracking.bestFrames };
}

export function workerCount(config: Config): number {
  return config.analysis.workers > 0 ? config.analysis.workers : defaultWorkerCount();
}
