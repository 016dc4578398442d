import type { Bus } from '../core/bus';
import type { CameraState } from '../core/types';
import { FfmpegSource } from '../ingest/ffmpeg-source';
import { isRtspUrl } from '../ingest/ffmpeg-args';
import type { Logger } from '../log/logger';
import { redactText } from '../log/logger';
import type { Config } from '../config/config';
import type { FaceAnalyzer } from './face-analyzer';
import { CameraPipeline } from './camera-pipeline';
import type { StoreContext } from './store-context';
import { trackerOptions } from './options';

/** States in which the camera delivers no frames: its coverage stretch and open tracks end when it enters one. */
const GAP_STATES = new Set<CameraState>(['no-frames', 'reconnecting', 'failed', 'auth-failed']);

/** A camera as the sidecar runs it. */
export interface CameraDefinition {
  id: string;
  name: string;
  /** RTSP URL of the analysed stream; may carry credentials, never logged. */
  rtspUrl: string;
  /** Stream for the dashboard's live view; defaults to rtspUrl. */
  liveViewUrl?: string;
}

/**
 * One live camera: its ffmpeg source, one frame at a time through the shared
 * face analyzer (the source drops frames while the analyzer is busy), and
 * its pipeline into the store. A failing camera never affects the others.
 */
export class LiveCamera {
  readonly pipeline: CameraPipeline;
  private readonly source: FfmpegSource;
  private running?: Promise<void>;
  private state: CameraState = 'starting';
  private startedAt = 0;
  private detail?: string;

  constructor(
    readonly definition: CameraDefinition,
    private readonly analyzer: FaceAnalyzer,
    store: StoreContext,
    config: Config,
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {
    this.pipeline = new CameraPipeline(definition.id, store, trackerOptions(config), bus, Math.max(3, 2 / config.analysis.fps));
    this.source = new FfmpegSource({
      cameraId: definition.id,
      input: definition.rtspUrl,
      width: config.analysis.width,
      height: config.analysis.height,
      fps: config.analysis.fps,
      noFrameTimeoutMs: config.ingest.noFrameTimeoutS * 1000,
      stallTimeoutMs: config.ingest.stallTimeoutS * 1000,
      backoffMinMs: config.ingest.reconnectMinS * 1000,
      backoffMaxMs: config.ingest.reconnectMaxS * 1000,
      logger: log,
    });
    this.source.on('state', (change) => {
      this.state = change.state;
      this.detail = change.detail;
      // A silent camera ends its coverage and tracks now rather than when frames resume, which may be hours later.
      if (GAP_STATES.has(change.state)) {
        this.pipeline.gap().catch((error) => this.log.error('recording a camera gap failed', { error }));
      }
      this.publishStatus();
    });
  }

  status(): { state: CameraState; detail?: string; framesAnalysed: number; framesDropped: number } {
    const stats = this.source.stats();
    return {
      state: this.state,
      detail: this.detail ? redactText(this.detail) : undefined,
      framesAnalysed: this.pipeline.framesAnalysed,
      framesDropped: stats.framesDropped,
    };
  }

  start(): void {
    this.running = this.run().catch((error: Error) => {
      this.state = 'failed';
      this.detail = redactText(error.message);
      this.log.error('camera stopped after an error', { error: error.message });
      this.publishStatus();
    });
  }

  async stop(): Promise<void> {
    await this.source.stop();
    await this.running;
    await this.pipeline.finish();
    this.state = 'stopped';
    this.publishStatus();
  }

  private async run(): Promise<void> {
    this.startedAt = Date.now() / 1000;
    await this.source.start();
    for (;;) {
      const next = await this.source.next();
      if (!next) break;
      // A file source counts seconds from its start; place them at the time it started playing.
      const frame = isRtspUrl(this.definition.rtspUrl) ? next : { ...next, ts: this.startedAt + next.ts };
      try {
        await this.pipeline.handle(await this.analyzer.analyze(frame, this.pipeline.skipHints(frame.ts)));
      } catch (error) {
        // One bad frame (or a worker that died and was replaced) must not end the camera.
        this.log.error('frame analysis failed', { error: (error as Error).message, seq: frame.seq });
      }
    }
  }

  publishStatus(): void {
    this.bus.publish('camera', { cameraId: this.definition.id, ...this.status() });
  }
}
