/**
 * The product's offline path at full speed: ffmpeg decoding, the worker pool
 * (FaceAnalyzer), then tracking and the store in frame order, as
 * analyzeClip runs it. Measures throughput, face-to-event latency and memory.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Config } from '../../plugin/config/config';
import type { FrameFaces } from '../../plugin/core/types';
import { FaceAnalyzer } from '../../plugin/pipeline/face-analyzer';
import { CameraPipeline } from '../../plugin/pipeline/camera-pipeline';
import { frameAnalysisOptions, trackerOptions, workerCount } from '../../plugin/pipeline/options';
import { openStore } from '../../plugin/pipeline/store-context';
import type { BenchClip } from './clips';
import { sourceFor, type ModelPaths } from './stages';
import { elapsedMs } from './timing-runner';

export interface EndToEnd {
  workers: number;
  frames: number;
  wallS: number;
  framesPerS: number;
  /** Milliseconds from a frame leaving the decoder to its faces being tracked and stored (frames with faces only). */
  latencyMs: { p50: number; p95: number; frames: number };
  /** Peak resident memory in MiB: this process (main thread and worker threads) and its child processes (ffmpeg). */
  peakRssMiB: { process: number; children: number; total: number };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Resident set size in bytes of this process's direct child processes, read from /proc (0 where /proc is missing). */
function childrenRss(): number {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${process.pid}/task`)) {
      const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
      for (const pid of children ? children.split(/\s+/) : []) {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (match) total += Number(match[1]) * 1024;
      }
    }
  } catch {
    // A child may exit between the listing and the read; the next sample counts again.
  }
  return total;
}

class MemorySampler {
  peakProcess = 0;
  peakChildren = 0;
  peakTotal = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 50) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    const own = process.memoryUsage().rss;
    const children = childrenRss();
    this.peakProcess = Math.max(this.peakProcess, own);
    this.peakChildren = Math.max(this.peakChildren, children);
    this.peakTotal = Math.max(this.peakTotal, own + children);
  }

  stop(): EndToEnd['peakRssMiB'] {
    clearInterval(this.timer);
    this.sample();
    const mib = (bytes: number) => bytes / 2 ** 20;
    return { process: mib(this.peakProcess), children: mib(this.peakChildren), total: mib(this.peakTotal) };
  }
}

/** Runs the clip through the pool-based pipeline as fast as it goes, with at most 2 frames per worker in flight (as analyzeClip does). */
export async function measureEndToEnd(clip: BenchClip, config: Config, models: ModelPaths): Promise<EndToEnd> {
  const memory = new MemorySampler();
  const analyzer = new FaceAnalyzer(models, frameAnalysisOptions(config), workerCount(config));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopface-bench-store-'));
  const store = await openStore(dataDir, config);
  const source = sourceFor(clip, config);
  const latencies: number[] = [];
  try {
    await analyzer.ready();
    const pipeline = new CameraPipeline('bench', store, trackerOptions(config));
    const inFlight: { read: bigint; result: Promise<FrameFaces> }[] = [];
    const start = process.hrtime.bigint();
    await source.start();
    for (;;) {
      const frame = inFlight.length < analyzer.workers * 2 ? await source.next() : null;
      if (frame) {
        inFlight.push({ read: process.hrtime.bigint(), result: analyzer.analyze(frame, pipeline.skipHints(frame.ts)) });
        continue;
      }
      const oldest = inFlight.shift();
      if (!oldest) break;
      const faces = await oldest.result;
      await pipeline.handle(faces);
      if (faces.faces.length > 0) latencies.push(elapsedMs(oldest.read));
    }
    await pipeline.finish();
    const wallS = elapsedMs(start) / 1000;
    const frames = pipeline.framesAnalysed;
    latencies.sort((a, b) => a - b);
    return {
      workers: analyzer.workers,
      frames,
      wallS,
      framesPerS: frames / wallS,
      latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), frames: latencies.length },
      peakRssMiB: memory.stop(),
    };
  } finally {
    memory.stop();
    await source.stop();
    await analyzer.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
