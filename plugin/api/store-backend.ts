import type { OccupancyPoint, VisitorRecord } from '../core/types';
import type { StoreContext } from '../pipeline/store-context';
import type { CameraManager } from '../pipeline/camera-manager';
import type { LiveCamera } from '../pipeline/live-camera';
import { listVisitors, occupancy, stats } from '../analytics/queries';
import {
  ApiInputError, ApiNotFoundError, CameraConnectionError, type ApiBackend, type CameraStatus, type NewCamera,
  type OccupancyQuery, type OnboardedCamera, type OnvifCameraRequest, type StatsBucket, type StatsQuery, type VisitorQuery,
} from './backend';
import { redactText } from '../log/logger';
import { OnboardingError, type CameraOnboarding, type PreparedCamera } from '../pipeline/onboarding';

/** The API's view of the running sidecar: cameras from the camera manager, analytics from SQLite. */
export class StoreBackend implements ApiBackend {
  /** Present only when the sidecar runs ONVIF discovery. */
  readonly onboardCamera?: (request: OnvifCameraRequest) => Promise<OnboardedCamera>;

  constructor(
    private readonly store: StoreContext,
    private readonly cameras: CameraManager,
    private readonly analysis: { width: number; height: number },
    onboarding?: CameraOnboarding,
  ) {
    if (onboarding) this.onboardCamera = (request) => this.addOnvifCamera(onboarding, request);
  }

  listCameras(): CameraStatus[] {
    return this.cameras.list().map((camera) => this.statusOf(camera));
  }

  async addCamera(input: NewCamera): Promise<CameraStatus> {
    this.rejectDuplicate(input.rtspUrl, 'rtspUrl');
    return this.statusOf(await this.cameras.add(input.name, input.rtspUrl, input.liveViewUrl));
  }

  /** Rejects a stream that is already analysed, because a second camera on it would count every person twice. */
  private rejectDuplicate(rtspUrl: string, field: string): void {
    const existing = this.cameras.list().find((camera) => withoutUserInfo(camera.definition.rtspUrl) === withoutUserInfo(rtspUrl));
    if (existing) throw new ApiInputError(field, `this stream is already added as camera "${existing.definition.id}"`);
  }

  /** Tests the device, then saves and starts the camera; nothing is saved when the test fails. */
  private async addOnvifCamera(onboarding: CameraOnboarding, request: OnvifCameraRequest): Promise<OnboardedCamera> {
    let prepared: PreparedCamera;
    try {
      prepared = await onboarding.prepare(request);
    } catch (error) {
      if (!(error instanceof OnboardingError)) throw error;
      if (error.code === 'not-found' || error.code === 'invalid-input') throw new ApiInputError(error.field, error.message);
      throw new CameraConnectionError(error.code, error.field, error.message);
    }
    this.rejectDuplicate(prepared.rtspUrl, request.kind === 'discovery' ? 'discoveryId' : 'onvifAddress');
    const camera = await this.cameras.add(prepared.name, prepared.rtspUrl, prepared.liveViewUrl);
    const { source } = prepared;
    return {
      camera: this.statusOf(camera),
      onvif: {
        deviceId: prepared.deviceId, profile: source.profile, codec: source.codec, width: source.width, height: source.height,
        liveViewCodec: source.liveViewCodec, liveViewNote: source.liveViewNote, warnings: prepared.warnings,
      },
    };
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

/** Returns the URL without user name and password, for comparing streams. */
function withoutUserInfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}
