import type { Config } from '../config/config';
import type { Frame, FrameFaces, OccupancyPoint, VisitorRecord } from '../core/types';
import { FfmpegSource } from '../ingest/ffmpeg-source';
import { resolveModels } from '../../models/loader';
import { occupancySeries } from '../analytics/occupancy';
import { visitFrequency } from '../analytics/queries';
import { FaceAnalyzer } from './face-analyzer';
import { CameraPipeline } from './camera-pipeline';
import { openStore } from './store-context';
import { frameAnalysisOptions, trackerOptions, workerCount } from './options';
import type { SkipHint } from './analyze-frame';
import { buildReport, type AnalyzeReport } from './report';

export interface AnalyzeClipOptions {
  input: string;
  dataDir: string;
  config: Config;
  /** Unix seconds of the clip's first frame; visits and retention use this clock. */
  startTime: number;
  cameraId?: string;
  onProgress?: (progress: { clipS: number; frames: number; faces: number; visitors: number }) => void;
}

/**
 * Runs the whole pipeline over a recorded clip, as fast as the CPU allows and
 * without dropping frames, against the store database in `dataDir`.
 * Visits still open at the end of the clip are closed, so the next clip
 * analysed with the same data folder finds them as earlier visits.
 */
export async function analyzeClip(options: AnalyzeClipOptions): Promise<AnalyzeReport> {
  const { config } = options;
  const cameraId = options.cameraId ?? 'clip';
  const models = await resolveModels();
  const analyzer = new FaceAnalyzer(
    { detector: models.detector.path, embedder: models.embedder.path, ageGender: models.ageGender.path },
    frameAnalysisOptions(config),
    workerCount(config),
  );
  const store = await openStore(options.dataDir, config);
  const source = new FfmpegSource({
    cameraId, input: options.input, width: config.analysis.width, height: config.analysis.height,
    fps: config.analysis.fps, mode: 'file',
  });
  try {
    await analyzer.ready();
    const pipeline = new CameraPipeline(cameraId, store, trackerOptions(config));
    const timings: Record<string, number> = {};
    const started = Date.now();
    await runInOrder(source, analyzer, options.startTime, (ts) => pipeline.skipHints(ts), async (faces) => {
      for (const [stage, ms] of Object.entries(faces.timings)) timings[stage] = (timings[stage] ?? 0) + ms;
      await pipeline.handle(faces);
      options.onProgress?.({
        clipS: faces.ts - options.startTime, frames: pipeline.framesAnalysed, faces: pipeline.facesSeen, visitors: pipeline.visitors.length,
      });
    });
    const stats = source.stats();
    if (stats.state === 'failed') throw new Error(`cannot decode ${options.input}: ${stats.detail ?? 'ffmpeg failed'}`);
    await pipeline.finish();
    await store.visits.closeAll();
    const durationS = stats.framesDecoded / config.analysis.fps;
    const occupancy = clipOccupancy(pipeline, options.startTime, durationS);
    const frequency = await visitFrequency(store.db, store.storeId, options.startTime, options.startTime + durationS + 1);
    return buildReport({
      input: options.input, storeId: store.storeId, startTime: options.startTime, durationS, config,
      wallS: (Date.now() - started) / 1000, framesAnalysed: pipeline.framesAnalysed, framesDropped: stats.framesDropped,
      faces: pipeline.facesSeen, visitors: mergeVisitors(pipeline.visitors), occupancy, timings,
      threshold: store.gallery.threshold(), gallerySize: store.gallery.size, visitFrequency: frequency,
    });
  } finally {
    await source.stop();
    await analyzer.close();
    await store.close();
  }
}

/**
 * Feeds frames to the worker pool with a bounded number in flight and hands
 * the results to `handle` in frame order, because tracking needs order.
 */
async function runInOrder(
  source: FfmpegSource,
  analyzer: FaceAnalyzer,
  timeOrigin: number,
  hints: (ts: number) => SkipHint[],
  handle: (faces: FrameFaces) => Promise<void>,
): Promise<void> {
  const maxInFlight = analyzer.workers * 2;
  const inFlight: Promise<FrameFaces>[] = [];
  await source.start();
  try {
    for (;;) {
      const frame: Frame | null = inFlight.length < maxInFlight ? await source.next() : null;
      if (frame) {
        const ts = timeOrigin + frame.ts;
        inFlight.push(analyzer.analyze({ ...frame, ts }, hints(ts)));
        continue;
      }
      const oldest = inFlight.shift();
      if (!oldest) break;
      await handle(await oldest);
    }
  } catch (error) {
    // Let the frames still in the workers settle, so that closing the pool cannot turn them into unhandled rejections.
    await Promise.allSettled(inFlight);
    throw error;
  }
}

function clipOccupancy(pipeline: CameraPipeline, startTime: number, durationS: number): OccupancyPoint[] {
  const relative = pipeline.presence.map((p) => ({ from: p.from - startTime, to: p.to - startTime }));
  return occupancySeries(relative, 0, Math.max(0, durationS - 1e-6));
}

/** Merges the records of one visitor, because a person seen in several tracks during one visit is one visitor. */
function mergeVisitors(records: VisitorRecord[]): VisitorRecord[] {
  const byId = new Map<string, VisitorRecord>();
  for (const record of records) {
    const earlier = byId.get(record.visitorId);
    if (!earlier) {
      byId.set(record.visitorId, { ...record });
      continue;
    }
    const firstSeenS = Math.min(earlier.firstSeenS, record.firstSeenS);
    const lastSeenS = Math.max(earlier.lastSeenS, record.lastSeenS);
    byId.set(record.visitorId, {
      ...record, firstSeenS, lastSeenS, dwellS: lastSeenS - firstSeenS, returning: earlier.returning || record.returning,
      faceSizePx: Math.max(earlier.faceSizePx, record.faceSizePx),
    });
  }
  return [...byId.values()].sort((a, b) => a.firstSeenS - b.firstSeenS);
}
