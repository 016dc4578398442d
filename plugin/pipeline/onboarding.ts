/**
 * Onboarding of an ONVIF camera before it is saved. It inspects the device
 * with the user's credentials, picks the analysis sub-stream and the live-view
 * main stream, and decodes a frame of the analysis stream. It then builds both
 * stream URLs with the credentials put in. Nothing is saved here, because the
 * caller adds the camera only when `prepare` succeeds.
 */
import { inspectDevice } from '../discovery/camera';
import { deviceFromAddress } from '../discovery/discover';
import type { DeviceDirectory } from '../discovery/directory';
import { toCameraError } from '../discovery/errors';
import { checkStream, type StreamCheckOptions } from '../discovery/stream-check';
import { withCredentials } from '../discovery/stream-uri';
import type { HostSubnet } from '../discovery/targets';
import type {
  AnalysisSize,
  CameraError,
  CameraSource,
  Credentials,
  DiscoveredDevice,
  DiscoveryErrorCode,
  DiscoveryLogger,
} from '../discovery/types';
import { logger as projectLogger } from '../log/logger';

/** Fields shared by both ways of naming an ONVIF device. */
interface OnvifRequestBase {
  /** Camera name; default: the device name from its scopes, or its model. */
  name?: string;
  credentials?: Credentials;
  /** Camera source id of a device with several video sources (a recorder); default: the first. */
  sourceId?: string;
}

/** A camera to add from an ONVIF device, named by discovery id or by address. */
export type OnvifCameraRequest =
  | (OnvifRequestBase & { kind: 'discovery'; discoveryId: string })
  | (OnvifRequestBase & { kind: 'address'; onvifAddress: string });

/** The camera to save. Both URLs carry the credentials and must never be sent or logged. */
export interface PreparedCamera {
  name: string;
  rtspUrl: string;
  liveViewUrl?: string;
  deviceId: string;
  /** The chosen streams, without credentials. */
  source: CameraSource;
  warnings: string[];
}

/** Request field an onboarding failure is reported against. */
export type OnboardingField = 'discoveryId' | 'onvifAddress' | 'username' | 'password' | 'sourceId';

/** A failed onboarding: the discovery error code (or `not-found`), the request field concerned and a sentence saying what to do. */
export class OnboardingError extends Error {
  constructor(
    readonly code: DiscoveryErrorCode | 'not-found',
    readonly field: OnboardingField,
    message: string,
  ) {
    super(message);
    this.name = 'OnboardingError';
  }
}

export interface OnboardingOptions {
  /** Size of the analysed frames; the sub-stream closest to it is chosen. */
  analysisSize: AnalysisSize;
  logger?: DiscoveryLogger;
  /** Time limit of each SOAP request in milliseconds (default 5000). */
  soapTimeoutMs?: number;
  /** Options of the decode check; its time limit defaults to 15000 ms. */
  streamCheck?: StreamCheckOptions;
  /** Host subnets for the reachability mark of a device added by address; default: this host's interfaces. */
  subnets?: HostSubnet[];
}

export class CameraOnboarding {
  private readonly logger: DiscoveryLogger;

  constructor(
    private readonly directory: DeviceDirectory,
    private readonly options: OnboardingOptions,
  ) {
    this.logger = options.logger ?? projectLogger;
  }

  /**
   * Tests the device and returns the camera to save. Throws OnboardingError
   * naming what failed: not-found or invalid-input for the request, else
   * unreachable, timeout, auth-failed, no-profile, no-stream-uri,
   * invalid-response, soap-fault or stream-failed. The directory entry is
   * refreshed with the inspection result on success, and a device added by
   * address is put into the directory.
   */
  async prepare(request: OnvifCameraRequest): Promise<PreparedCamera> {
    const device = this.findDevice(request);
    const deviceField = request.kind === 'discovery' ? 'discoveryId' : 'onvifAddress';
    try {
      const inspection = await inspectDevice(
        { id: device.id, serviceUrl: device.serviceUrl, name: device.name },
        {
          credentials: request.credentials,
          analysisSize: this.options.analysisSize,
          timeoutMs: this.options.soapTimeoutMs,
          logger: this.logger,
        },
      );
      const source = chooseSource(inspection.sources, request.sourceId);
      await checkStream(source.rtspUrl, request.credentials, this.options.streamCheck);
      this.directory.upsert({
        ...device,
        info: inspection.info,
        profiles: inspection.profiles,
        sources: inspection.sources,
        warnings: [...new Set([...device.warnings, ...inspection.warnings])],
        error: undefined,
        lastSeenMs: Date.now(),
      });
      this.logger.info('ONVIF camera passed the connection test', {
        cameraId: device.id,
        profile: source.profile,
        liveViewCodec: source.liveViewCodec,
      });
      return {
        name: request.name ?? source.name,
        rtspUrl: withCredentials(source.rtspUrl, request.credentials),
        liveViewUrl:
          source.liveViewUrl === undefined
            ? undefined
            : withCredentials(source.liveViewUrl, request.credentials),
        deviceId: device.id,
        source,
        warnings: inspection.warnings,
      };
    } catch (error) {
      throw this.failure(error, device.id, deviceField);
    }
  }

  private findDevice(request: OnvifCameraRequest): DiscoveredDevice {
    if (request.kind === 'discovery') {
      const known = this.directory.get(request.discoveryId);
      if (known === undefined) {
        throw new OnboardingError(
          'not-found',
          'discoveryId',
          `no discovered device has id "${request.discoveryId.slice(0, 100)}"; run a scan (POST /api/v1/discovery/scan) and use an id from GET /api/v1/discovery`,
        );
      }
      return known;
    }
    try {
      return deviceFromAddress(request.onvifAddress, this.options.subnets);
    } catch (error) {
      throw new OnboardingError('invalid-input', 'onvifAddress', toCameraError(error).message);
    }
  }

  /** Converts a failure into an OnboardingError against the request field a user would correct, and logs it. */
  private failure(error: unknown, deviceId: string, deviceField: OnboardingField): OnboardingError {
    if (error instanceof OnboardingError) {
      return error;
    }
    const { code, message } = rtspAuthFailure(toCameraError(error));
    this.logger.warn('ONVIF camera failed the connection test; nothing was saved', {
      cameraId: deviceId,
      code,
      error: message,
    });
    return new OnboardingError(code, code === 'auth-failed' ? 'password' : deviceField, message);
  }
}

/**
 * Reports an RTSP 401 as auth-failed: the ONVIF calls can pass while the
 * stream server, which checks the credentials separately, rejects them.
 */
function rtspAuthFailure(error: CameraError): CameraError {
  if (error.code === 'stream-failed' && /\b401\b|unauthori[sz]ed/i.test(error.message)) {
    return { code: 'auth-failed', message: `the RTSP server rejected the user name or password (${error.message})` };
  }
  return error;
}

/** Picks the requested camera source, or the first one. */
function chooseSource(sources: CameraSource[], sourceId: string | undefined): CameraSource {
  if (sourceId === undefined) {
    // NOTE: a recorder with several video sources gets its first source unless sourceId names another.
    return sources[0];
  }
  const chosen = sources.find((source) => source.id === sourceId);
  if (chosen === undefined) {
    const known = sources.map((source) => `"${source.id}"`).join(', ');
    throw new OnboardingError(
      'invalid-input',
      'sourceId',
      `the device has no source "${sourceId.slice(0, 100)}"; use one of ${known}`,
    );
  }
  return chosen;
}
