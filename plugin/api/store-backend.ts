import type { OccupancyPoint, VisitorRecord } from '../core/types';
import type { StoreContext } from '../pipeline/store-context';
import type { CameraManager } from '../pipeline/camera-manager';
import type { LiveCamera } from '../pipeline/live-camera';
import { listVisitors, occupancy, stats } from '../analytics/queries';
import {
  ApiNotFoundError, type ApiBackend, type CameraStatus, type NewCamera, type OccupancyQuery, type StatsBucket,
  type StatsQuery, type VisitorQuery,
} from './backend';
import { redactText } from '../log/logger';

/** The API's view of the running sidecar: cameras from the camera manager, analytics from SQLite. */
export class StoreBackend implements ApiBackend {
  constructor(
    private readonly store: StoreContext,
    private readonly cameras: CameraManager,
    private readonly analysis: { width: number; height: number },
  ) {}

  listCameras(): CameraStatus[] {
    return this.cameras.list().map((camera) => this.statusOf(camera));
  }

  async addCamera(input: NewCamera): Promise<CameraStatus> {
    return this.statusOf(await this.cameras.add(input.name, input.rtspUrl));
  }

  async removeCamera(id: string): Promise<void> {
    if (!(await this.cameras.remove(id))) throw new ApiNotFoundError(`camera "${id}" not found`);
  }

  listVisitors(query: VisitorQuery): Promise<VisitorRecord[]> {
    const now = Date.now() / 1000;
    return listVisitors(this.store.db, this.store.storeId, query.from ?? now - 86400, query.to ?? now, query.limit);
  }

  stats(query: StatsQuery): Promise<StatsBucket[]> {
    return stats(this.store.db, this.store.storeId, query.from, query.to, query.bucketS);
  }

  occupancy(query: OccupancyQuery): Promise<OccupancyPoint[]> {
    return occupancy(this.store.db, this.store.storeId, query.from, query.to, query.stepS);
  }

  liveStreamUrl(cameraId: string): string | undefined {
    const camera = this.cameras.get(cameraId);
    return camera ? camera.definition.liveViewUrl ?? camera.definition.rtspUrl : undefined;
  }

  private statusOf(camera: LiveCamera): CameraStatus {
    return {
      id: camera.definition.id,
      name: camera.definition.name,
      source: redactText(camera.definition.rtspUrl),
      ...camera.status(),
      width: this.analysis.width,
      height: this.analysis.height,
    };
  }
}
