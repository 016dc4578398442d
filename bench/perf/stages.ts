/**
 * Per-stage cost of the product pipeline on one clip, measured on one thread
 * in this process: ffmpeg decoding alone, analyzeFrame (detection, quality,
 * alignment, embedding, age/gender, with each model's own run time), then
 * tracking and the store on the frames' results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Config } from '../../plugin/config/config';
import type { FrameFaces } from '../../plugin/core/types';
import { FfmpegSource } from '../../plugin/ingest/ffmpeg-source';
import { OrtRunner } from '../../plugin/inference/session';
import { analyzeFrame } from '../../plugin/pipeline/analyze-frame';
import { CameraPipeline } from '../../plugin/pipeline/camera-pipeline';
import { frameAnalysisOptions, trackerOptions } from '../../plugin/pipeline/options';
import { openStore } from '../../plugin/pipeline/store-context';
import { Tracker } from '../../plugin/track/tracker';
import { logger } from '../../plugin/log/logger';
import type { BenchClip } from './clips';
import { elapsedMs, TimingRunner } from './timing-runner';

export interface ModelPaths {
  detector: string;
  embedder: string;
  ageGender: string;
}

/** Milliseconds per analysed frame, unless the name says per face. */
export interface StageCosts {
  frames: number;
  facesPerFrame: number;
  embeddedPerFrame: number;
  attributedPerFrame: number;
  decode: number;
  detection: number;
  quality: number;
  /** Alignment and input tensor of the embedder: the embedding stage minus the embedder's own run time. */
  alignment: number;
  embedding: number;
  ageGender: number;
  tracking: number;
  /** Visits, gallery matching, encryption and SQLite writes (CameraPipeline minus the tracker). */
  storage: number;
  /** Sum of the stages above: the single-thread cost of one frame. */
  total: number;
  /** Each model's own run time (onnxruntime session.run), per frame. */
  modelRun: { detector: number; embedder: number; ageGender: number };
  /** Milliseconds per embedded face: alignment plus embedder, and the embedder alone. */
  embedPerFace: number;
  embedderRunPerFace: number;
  /** The detector's input width in pixels. */
  detectorInputWidth: number;
}

/** Passes the source's warnings and errors to the product logger; its start and stop messages for every pass would drown the table. */
const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (msg: string, fields?: Record<string, unknown>) => logger.warn(msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => logger.error(msg, fields),
};

export function sourceFor(clip: BenchClip, config: Config): FfmpegSource {
  return new FfmpegSource({
    cameraId: 'bench', input: clip.file, width: config.analysis.width, height: config.analysis.height, fps: config.analysis.fps, mode: 'file',
    logger: quietLogger,
  });
}

/** Decodes the clip at the analysis size and rate and returns milliseconds per frame (wall clock, nothing else running in this process). */
export async function measureDecode(clip: BenchClip, config: Config): Promise<{ frames: number; msPerFrame: number }> {
  const source = sourceFor(clip, config);
  const start = process.hrtime.bigint();
  let frames = 0;
  try {
    await source.start();
    while ((await source.next()) !== null) frames++;
  } finally {
    await source.stop();
  }
  return { frames, msPerFrame: elapsedMs(start) / Math.max(1, frames) };
}

/** Runs analyzeFrame over every frame on one thread and returns the results with the summed stage times. */
async function analyseClip(clip: BenchClip, config: Config, models: ModelPaths, inputWidth: number): Promise<{ results: FrameFaces[]; runner: TimingRunner; stages: Record<string, number> }> {
  const ort = await OrtRunner.open(models);
  const runner = new TimingRunner(ort);
  const options = frameAnalysisOptions(config);
  options.detection = { ...options.detection, inputWidth };
  const source = sourceFor(clip, config);
  const results: FrameFaces[] = [];
  const stages: Record<string, number> = { detect: 0, quality: 0, embed: 0, attributes: 0 };
  try {
    await source.start();
    for (let frame = await source.next(); frame; frame = await source.next()) {
      const data = new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
      const faces = await analyzeFrame(runner, { cameraId: 'bench', ts: frame.ts, seq: frame.seq, width: frame.width, height: frame.height, data }, options);
      for (const [stage, ms] of Object.entries(faces.timings)) stages[stage] = (stages[stage] ?? 0) + ms;
      results.push(faces);
    }
  } finally {
    await source.stop();
    await ort.close();
  }
  return { results, runner, stages };
}

/** Times the tracker alone, then the whole CameraPipeline (tracker, visits, store) on a fresh store in a temporary folder. */
async function measureTrackingAndStorage(results: FrameFaces[], config: Config): Promise<{ tracking: number; pipeline: number }> {
  const tracker = new Tracker('bench', trackerOptions(config));
  let start = process.hrtime.bigint();
  for (const frame of results) tracker.update(frame);
  tracker.flush();
  const tracking = elapsedMs(start);

  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopface-bench-store-'));
  const store = await openStore(dataDir, config);
  try {
    const pipeline = new CameraPipeline('bench', store, trackerOptions(config));
    start = process.hrtime.bigint();
    for (const frame of results) await pipeline.handle(frame);
    await pipeline.finish();
    return { tracking, pipeline: elapsedMs(start) };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Measures every stage on one clip with the detector at `inputWidth`. */
export async function measureStages(clip: BenchClip, config: Config, models: ModelPaths, inputWidth: number, decodeMs: number): Promise<StageCosts> {
  const { results, runner, stages } = await analyseClip(clip, config, models, inputWidth);
  const { tracking, pipeline } = await measureTrackingAndStorage(results, config);
  const frames = Math.max(1, results.length);
  const faces = results.reduce((n, r) => n + r.faces.length, 0);
  const embedded = runner.runs.embedder;
  const perFrame = (ms: number) => ms / frames;
  const costs = {
    decode: decodeMs,
    detection: perFrame(stages.detect),
    quality: perFrame(stages.quality),
    alignment: perFrame(stages.embed - runner.ms.embedder),
    embedding: perFrame(runner.ms.embedder),
    ageGender: perFrame(stages.attributes),
    tracking: perFrame(tracking),
    storage: perFrame(Math.max(0, pipeline - tracking)),
  };
  return {
    frames: results.length,
    facesPerFrame: faces / frames,
    embeddedPerFrame: embedded / frames,
    attributedPerFrame: runner.runs.ageGender / frames,
    ...costs,
    total: Object.values(costs).reduce((a, b) => a + b, 0),
    modelRun: { detector: perFrame(runner.ms.detector), embedder: perFrame(runner.ms.embedder), ageGender: perFrame(runner.ms.ageGender) },
    embedPerFace: embedded > 0 ? stages.embed / embedded : NaN,
    embedderRunPerFace: embedded > 0 ? runner.ms.embedder / embedded : NaN,
    detectorInputWidth: inputWidth,
  };
}
