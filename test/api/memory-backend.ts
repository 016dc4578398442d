/**
 * An ApiBackend over plain arrays, for testing the API without the pipeline.
 * It deliberately returns camera sources with credentials and visitors with
 * an extra template field, so the tests can check that the API strips both.
 */
import {
  ApiInputError,
  ApiNotFoundError,
  type ApiBackend,
  type CameraStatus,
  type NewCamera,
  type OccupancyQuery,
  type StatsBucket,
  type StatsQuery,
  type VisitorQuery,
} from '../../plugin/api/backend';
import type { OccupancyPoint, VisitorRecord } from '../../plugin/core/types';

export interface StoredCamera {
  status: CameraStatus;
  /** What liveStreamUrl returns: an RTSP URL or, in tests, a local video file. */
  liveUrl: string;
}

export class MemoryBackend implements ApiBackend {
  readonly cameras: StoredCamera[] = [];
  readonly visitors: VisitorRecord[] = [];
  readonly buckets: StatsBucket[] = [];
  /** Per-second occupancy samples; seconds without a sample have no data. */
  readonly samples: Array<{ t: number; count: number }> = [];
  readonly statsQueries: StatsQuery[] = [];
  readonly visitorQueries: VisitorQuery[] = [];
  failWith: Error | undefined;
  private nextId = 1;

  listCameras(): CameraStatus[] {
    return this.cameras.map((camera) => ({ ...camera.status }));
  }

  async addCamera(input: NewCamera): Promise<CameraStatus> {
    if (this.cameras.some((camera) => camera.liveUrl === input.rtspUrl)) {
      throw new ApiInputError('rtspUrl', 'camera already added: this rtspUrl is in use by another camera');
    }
    // The raw URL goes into `source` on purpose, to prove the API redacts it.
    const status: CameraStatus = { id: `cam${this.nextId++}`, name: input.name, source: input.rtspUrl, state: 'starting', framesAnalysed: 0, framesDropped: 0 };
    this.cameras.push({ status, liveUrl: input.rtspUrl });
    return { ...status };
  }

  async removeCamera(id: string): Promise<void> {
    const index = this.cameras.findIndex((camera) => camera.status.id === id);
    if (index < 0) throw new ApiNotFoundError(`camera not found: ${id}`);
    this.cameras.splice(index, 1);
  }

  async listVisitors(query: VisitorQuery): Promise<VisitorRecord[]> {
    this.throwIfFailing();
    this.visitorQueries.push(query);
    return this.visitors
      .filter((v) => (query.from === undefined || v.lastSeenS >= query.from) && (query.to === undefined || v.firstSeenS < query.to))
      .sort((a, b) => b.lastSeenS - a.lastSeenS)
      .slice(0, query.limit)
      .map((v) => ({ ...v, template: [0.1, 0.2, 0.3] }) as VisitorRecord);
  }

  async stats(query: StatsQuery): Promise<StatsBucket[]> {
    this.throwIfFailing();
    this.statsQueries.push(query);
    return this.buckets.filter((bucket) => bucket.start >= query.from && bucket.start < query.to);
  }

  async occupancy(query: OccupancyQuery): Promise<OccupancyPoint[]> {
    this.throwIfFailing();
    const points: OccupancyPoint[] = [];
    for (let t = query.from; t < query.to; t += query.stepS) {
      const inStep = this.samples.filter((sample) => sample.t >= t && sample.t < t + query.stepS);
      points.push({ t, count: inStep.length === 0 ? null : Math.max(...inStep.map((sample) => sample.count)) });
    }
    return points;
  }

  liveStreamUrl(cameraId: string): string | undefined {
    return this.cameras.find((camera) => camera.status.id === cameraId)?.liveUrl;
  }

  private throwIfFailing(): void {
    if (this.failWith) throw this.failWith;
  }
}
