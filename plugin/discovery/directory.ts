import { EventEmitter } from 'node:events';
import { discoverCameras, deviceFromMatch, inspectInto, type DiscoverOptions } from './discover';
import { DiscoveryError } from './errors';
import { checkStream, type StreamCheckOptions } from './stream-check';
import type { HostSubnet } from './targets';
import type {
  CameraError,
  CameraSource,
  Credentials,
  DiscoveredDevice,
  DiscoveryLogger,
} from './types';
import { listenForAnnouncements, type AnnouncementListener } from './ws-discovery';
import { logger as projectLogger } from '../log/logger';

/** Outcome of a connection test before a camera is saved. */
export type ConnectionTestResult =
  | { ok: true; deviceId: string; sources: CameraSource[]; warnings: string[] }
  | { ok: false; deviceId: string; error: CameraError };

export interface DirectoryOptions {
  logger?: DiscoveryLogger;
  subnets?: HostSubnet[];
  streamCheck?: StreamCheckOptions;
}

/**
 * The list of known ONVIF devices. Probe runs and Hello announcements add or
 * refresh entries, Bye removes them. Emits `added` and `removed` with the
 * device. Credentials are passed per call and never kept.
 */
export class DeviceDirectory extends EventEmitter {
  private readonly devices = new Map<string, DiscoveredDevice>();
  private listener?: AnnouncementListener;
  private readonly logger: DiscoveryLogger;

  constructor(private readonly options: DirectoryOptions = {}) {
    super();
    this.logger = options.logger ?? projectLogger;
  }

  list(): DiscoveredDevice[] {
    return [...this.devices.values()];
  }

  get(id: string): DiscoveredDevice | undefined {
    return this.devices.get(id);
  }

  /** Adds or replaces one entry (a device found by a probe, a Hello, or added by address). */
  upsert(device: DiscoveredDevice): void {
    const known = this.devices.has(device.id);
    this.devices.set(device.id, device);
    if (!known) {
      this.logger.info('ONVIF device added', {
        cameraId: device.id,
        address: device.address,
        source: device.source,
      });
      this.emit('added', device);
    }
  }

  remove(id: string): void {
    const device = this.devices.get(id);
    if (device !== undefined) {
      this.devices.delete(id);
      this.logger.info('ONVIF device removed', { cameraId: id });
      this.emit('removed', device);
    }
  }

  /** Runs a probe (and inspection, unless disabled) and merges the devices found. */
  async refresh(options: DiscoverOptions = {}): Promise<DiscoveredDevice[]> {
    const result = await discoverCameras({
      subnets: this.options.subnets,
      logger: this.logger,
      ...options,
    });
    for (const device of result.devices) {
      this.upsert(device);
    }
    return result.devices;
  }

  /** Starts listening for Hello and Bye on the WS-Discovery port. */
  async listen(port?: number, interfaceAddress?: string): Promise<void> {
    this.listener = await listenForAnnouncements({
      port,
      interfaceAddress,
      logger: this.logger,
      onHello: (match, address) =>
        this.upsert(deviceFromMatch(match, address, 'hello', this.options.subnets)),
      onBye: (endpoint) => this.remove(endpoint),
    });
  }

  async close(): Promise<void> {
    await this.listener?.close();
    this.listener = undefined;
  }

  /**
   * Tests a device with the given credentials before it is saved: ONVIF
   * inspection, then decoding a frame of the analysis stream. The error code
   * names what failed: unreachable, timeout, auth-failed, no-profile,
   * no-stream-uri, invalid-response, soap-fault or stream-failed.
   */
  async testConnection(
    id: string,
    credentials: Credentials | undefined,
  ): Promise<ConnectionTestResult> {
    const known = this.devices.get(id);
    if (known === undefined) {
      throw new DiscoveryError(
        'invalid-input',
        `no discovered device has id "${id.slice(0, 100)}"; run discovery first`,
      );
    }
    const device: DiscoveredDevice = { ...known, warnings: [...known.warnings], error: undefined };
    await inspectInto(device, { credentials, logger: this.logger });
    if (device.error !== undefined || device.sources === undefined) {
      return {
        ok: false,
        deviceId: id,
        error: device.error ?? { code: 'no-profile', message: 'no camera source found' },
      };
    }
    // NOTE: only the first source is decoded; a recorder with several channels gets one check.
    try {
      await checkStream(device.sources[0].rtspUrl, credentials, this.options.streamCheck);
    } catch (error) {
      const failure =
        error instanceof DiscoveryError
          ? error
          : new DiscoveryError('stream-failed', String(error));
      return { ok: false, deviceId: id, error: { code: failure.code, message: failure.message } };
    }
    this.devices.set(id, device);
    return { ok: true, deviceId: id, sources: device.sources, warnings: device.warnings };
  }
}
