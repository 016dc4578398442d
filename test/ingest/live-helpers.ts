import type { CameraState, Frame } from '../../plugin/core/types';
import { FfmpegSource, FrameGap } from '../../plugin/ingest/ffmpeg-source';
import { delay } from '../helpers/rtsp';

/** A received frame without its pixels, which the live tests do not need after arrival. */
export type FrameInfo = Omit<Frame, 'data'> & { bytes: number };

/** Everything a live source produced while a test consumed it. */
export class SourceRecorder {
  readonly frames: FrameInfo[] = [];
  readonly states: CameraState[] = [];
  readonly details: string[] = [];
  readonly gaps: FrameGap[] = [];
  readonly done: Promise<void>;

  constructor(readonly source: FfmpegSource) {
    source.on('state', (change) => {
      this.states.push(change.state);
      if (change.detail) this.details.push(change.detail);
    });
    source.on('gap', (gap) => this.gaps.push(gap));
    this.done = this.consume();
  }

  /** Frames received after `sinceMs` (Unix milliseconds). */
  framesSince(sinceMs: number): number {
    return this.frames.filter((frame) => frame.ts * 1000 >= sinceMs).length;
  }

  private async consume(): Promise<void> {
    for await (const { data, ...info } of this.source) this.frames.push({ ...info, bytes: data.length });
  }
}

/** Polls `condition` every 100 ms; rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}
