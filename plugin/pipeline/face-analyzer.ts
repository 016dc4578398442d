import path from 'node:path';
import type { Frame, FrameFaces } from '../core/types';
import type { ModelRole } from '../inference/session';
import { WorkerPool } from '../inference/pool';
import type { FrameAnalysisOptions, FrameTask, SkipHint } from './analyze-frame';
import type { FaceWorkerData } from './face-worker';

const WORKER_MODULE = path.join(__dirname, `face-worker${path.extname(__filename)}`);

/**
 * Per-frame face analysis on a pool of worker threads, one onnxruntime
 * session thread each. The frame's pixels are transferred, not copied.
 */
export class FaceAnalyzer {
  private readonly pool: WorkerPool<FrameTask, FrameFaces>;

  constructor(models: Partial<Record<ModelRole, string>>, options: FrameAnalysisOptions, workers: number) {
    const data: FaceWorkerData = { models, options };
    this.pool = new WorkerPool(WORKER_MODULE, data, workers);
  }

  get workers(): number {
    return this.pool.size;
  }

  ready(): Promise<void> {
    return this.pool.ready();
  }

  analyze(frame: Frame, skip?: SkipHint[]): Promise<FrameFaces> {
    const data = new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
    // Only transfer a buffer the frame owns whole; Buffer pools share theirs.
    const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    const task: FrameTask = { cameraId: frame.cameraId, ts: frame.ts, seq: frame.seq, width: frame.width, height: frame.height, data, skip };
    return this.pool.run(task, owned ? [data.buffer as ArrayBuffer] : []);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
