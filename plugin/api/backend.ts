/**
 * The contract between the REST API and the rest of the sidecar. The API
 * calls only these methods, so the routes can be tested against any
 * implementation and the pipeline never depends on express.
 */
import type { CameraState, OccupancyPoint, StatsBucket, VisitorRecord } from '../core/types';
import type { OnvifCameraRequest } from '../pipeline/onboarding';

export type { OnvifCameraRequest } from '../pipeline/onboarding';

export type { StatsBucket } from '../core/types';

/** A configured camera as shown to users; `source` never carries credentials. */
export interface CameraStatus {
  id: string;
  name: string;
  /** The RTSP URL with any user:password removed (the API redacts it again before sending). */
  source: string;
  state: CameraState;
  detail?: string;
  framesAnalysed: number;
  framesDropped: number;
  width?: number;
  height?: number;
  codec?: string;
}

export interface NewCamera {
  name: string;
  rtspUrl: string;
  /** Stream for the dashboard's live view (often the main stream); default: rtspUrl. */
  liveViewUrl?: string;
}

/** The streams an ONVIF camera was added with, as the API may show them: no URL and no credentials. */
export interface OnvifChoice {
  deviceId: string;
  /** Profile token, codec and size of the analysed sub-stream. */
  profile: string;
  codec: string;
  width: number;
  height: number;
  liveViewCodec?: string;
  /** Advice when the live-view stream is H.265, which many browsers cannot play. */
  liveViewNote?: string;
  warnings: string[];
}

/** A camera added from an ONVIF device. */
export interface OnboardedCamera {
  camera: CameraStatus;
  onvif: OnvifChoice;
}

export interface VisitorQuery {
  /** Unix seconds, inclusive. */
  from?: number;
  /** Unix seconds, exclusive. */
  to?: number;
  limit: number;
}

export interface StatsQuery {
  from: number;
  to: number;
  bucketS: number;
}

export interface OccupancyQuery {
  from: number;
  to: number;
  /** Spacing of the returned points in seconds; each point is the maximum count within its step, or null without data. */
  stepS: number;
}

export interface ApiBackend {
  listCameras(): CameraStatus[];
  /** Adds and starts a camera. Throws ApiInputError naming the field when the input is unusable. */
  addCamera(input: NewCamera): Promise<CameraStatus>;
  /**
   * Tests an ONVIF device, then adds and starts it as a camera; absent when
   * this backend cannot reach ONVIF devices. Throws ApiInputError for bad
   * input and CameraConnectionError when the test fails; nothing is saved then.
   */
  onboardCamera?(request: OnvifCameraRequest): Promise<OnboardedCamera>;
  /** Stops and removes a camera. Throws ApiNotFoundError for an unknown id. */
  removeCamera(id: string): Promise<void>;
  /** Returns visitors, newest first, never with templates. */
  listVisitors(query: VisitorQuery): Promise<VisitorRecord[]>;
  stats(query: StatsQuery): Promise<StatsBucket[]>;
  /** Returns one point per step from `from` to `to`; count is null where no camera delivered data. */
  occupancy(query: OccupancyQuery): Promise<OccupancyPoint[]>;
  /** Returns the camera's stream URL, credentials included, for the live-view relay; never sent to a browser. */
  liveStreamUrl(cameraId: string): string | undefined;
}

/** Invalid client input, sent to the client as 400 with `{ error, field }`. */
export class ApiInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiInputError';
  }
}

/**
 * A camera that failed its connection test. The API responds with 422 and
 * `{ error, field, code }`, where code is a discovery error code such as
 * unreachable, auth-failed, no-profile or stream-failed.
 */
export class CameraConnectionError extends Error {
  constructor(
    readonly code: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CameraConnectionError';
  }
}

/** A request for something that does not exist, sent to the client as 404. */
export class ApiNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiNotFoundError';
  }
}
