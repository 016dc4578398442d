import {
  getCapabilities,
  getClockOffsetMs,
  getDeviceInformation,
  getNetworkProtocols,
  getServices,
  type MediaServices,
  type NetworkProtocols,
} from './device';
import { DiscoveryError, toCameraError } from './errors';
import { getMedia1Profiles, getMedia2Profiles, getStreamUri } from './media';
import { buildSources } from './select';
import { SoapClient } from './soap';
import { repairStreamUri } from './stream-uri';
import {
  DEFAULT_ANALYSIS_SIZE,
  type AnalysisSize,
  type CameraSource,
  type Credentials,
  type DeviceInformation,
  type DiscoveryLogger,
  type MediaProfile,
  type ProfileStream,
} from './types';
import { logger as projectLogger } from '../log/logger';

export interface InspectOptions {
  credentials?: Credentials;
  /** Size of the analysed frames; the sub-stream closest to it is chosen (default 640x360). */
  analysisSize?: AnalysisSize;
  /** Time limit of each SOAP request in milliseconds (default 5000). */
  timeoutMs?: number;
  logger?: DiscoveryLogger;
}

/** Result of inspecting one device. */
export interface Inspection {
  info?: DeviceInformation;
  profiles: ProfileStream[];
  sources: CameraSource[];
  /** Repairs applied and non-fatal failures, as sentences. */
  warnings: string[];
  /** Camera clock minus local clock, in milliseconds. */
  clockOffsetMs: number;
}

/** Identity of the device being inspected, for ids, names and log fields. */
export interface DeviceRef {
  id: string;
  serviceUrl: string;
  name?: string;
}

/**
 * Runs the ONVIF connect sequence against one device service: clock, device
 * information, services (GetCapabilities as fallback), network protocols,
 * profiles (Media2 then Media1), stream URIs with repair, and the choice of
 * analysis and live-view streams. Throws a `DiscoveryError` for a failure
 * that leaves the device unusable; smaller failures become warnings.
 */
export async function inspectDevice(
  device: DeviceRef,
  options: InspectOptions = {},
): Promise<Inspection> {
  const logger = options.logger ?? projectLogger;
  const client = new SoapClient({ credentials: options.credentials, timeoutMs: options.timeoutMs });
  const warnings: string[] = [];
  client.clockOffsetMs = await readClockOffset(client, device.serviceUrl, warnings);
  const info = await getDeviceInformation(client, device.serviceUrl);
  const services = alignServices(
    await readServices(client, device.serviceUrl),
    device.serviceUrl,
    warnings,
  );
  const protocols = await readProtocols(client, device.serviceUrl, warnings);
  const profiles = await readProfiles(client, services, warnings);
  const streams = await readStreams(
    client,
    services,
    profiles,
    repairContext(device.serviceUrl, protocols),
    warnings,
  );
  const name = device.name ?? (info.model || new URL(device.serviceUrl).hostname);
  const sources = buildSources(
    device.id,
    name,
    streams,
    options.analysisSize ?? DEFAULT_ANALYSIS_SIZE,
  );
  if (sources.length === 0) {
    const firstError = streams.find((stream) => stream.error !== undefined)?.error;
    throw new DiscoveryError(
      'no-stream-uri',
      firstError ?? 'no profile returned a usable stream URI',
    );
  }
  for (const warning of warnings) {
    logger.warn(warning, { cameraId: device.id });
  }
  return { info, profiles: streams, sources, warnings, clockOffsetMs: client.clockOffsetMs };
}

async function readClockOffset(
  client: SoapClient,
  url: string,
  warnings: string[],
): Promise<number> {
  try {
    return await getClockOffsetMs(client, url);
  } catch (error) {
    const failure = toCameraError(error);
    if (failure.code !== 'soap-fault') {
      throw error;
    }
    warnings.push(`${failure.message}; assuming the camera clock matches this host`);
    return 0;
  }
}

async function readServices(client: SoapClient, url: string): Promise<MediaServices> {
  try {
    return await getServices(client, url);
  } catch (error) {
    if (!isContentError(error)) {
      throw error;
    }
    try {
      return await getCapabilities(client, url);
    } catch (fallbackError) {
      if (!isContentError(fallbackError)) {
        throw fallbackError;
      }
      throw new DiscoveryError(
        toCameraError(fallbackError).code,
        `neither GetServices nor GetCapabilities named a media service (${toCameraError(error).message}; ${toCameraError(fallbackError).message})`,
      );
    }
  }
}

async function readProtocols(
  client: SoapClient,
  url: string,
  warnings: string[],
): Promise<NetworkProtocols | undefined> {
  try {
    return await getNetworkProtocols(client, url);
  } catch (error) {
    if (!isContentError(error)) {
      throw error;
    }
    warnings.push(
      `GetNetworkProtocols failed, so stream URI ports are used as returned: ${toCameraError(error).message}`,
    );
    return undefined;
  }
}

async function readProfiles(
  client: SoapClient,
  services: MediaServices,
  warnings: string[],
): Promise<MediaProfile[]> {
  if (services.media2 !== undefined) {
    try {
      const profiles = await getMedia2Profiles(client, services.media2, warnings);
      if (profiles.length > 0) {
        return profiles;
      }
      warnings.push('Media2 GetProfiles listed no video profile; trying Media1');
    } catch (error) {
      if (!isContentError(error)) {
        throw error;
      }
      warnings.push(`Media2 GetProfiles failed, using Media1: ${toCameraError(error).message}`);
    }
  }
  return readMedia1Profiles(client, services, warnings);
}

async function readMedia1Profiles(
  client: SoapClient,
  services: MediaServices,
  warnings: string[],
): Promise<MediaProfile[]> {
  if (services.media === undefined) {
    throw new DiscoveryError(
      'no-profile',
      'the device has no usable Media2 profiles and no Media1 service',
    );
  }
  const profiles = await getMedia1Profiles(client, services.media, warnings);
  if (profiles.length === 0) {
    const skipped = warnings.filter((warning) => warning.includes('skipped')).join('; ');
    throw new DiscoveryError(
      'no-profile',
      `the device lists no usable video profile${skipped ? ` (${skipped})` : ''}; add a video profile in the camera's settings`,
    );
  }
  return profiles;
}

async function readStreams(
  client: SoapClient,
  services: MediaServices,
  profiles: MediaProfile[],
  context: ReturnType<typeof repairContext>,
  warnings: string[],
): Promise<ProfileStream[]> {
  const streams: ProfileStream[] = [];
  for (const profile of profiles) {
    try {
      const repaired = repairStreamUri(await getStreamUri(client, services, profile), context);
      warnings.push(...repaired.warnings.map((warning) => `profile ${profile.token}: ${warning}`));
      streams.push({ ...profile, rtspUrl: repaired.url });
    } catch (error) {
      if (!isContentError(error)) {
        throw error;
      }
      streams.push({
        ...profile,
        error: `profile ${profile.token}: ${toCameraError(error).message}`,
      });
    }
  }
  return streams;
}

function repairContext(serviceUrl: string, protocols: NetworkProtocols | undefined) {
  const service = new URL(serviceUrl);
  const servicePort = Number(service.port || (service.protocol === 'https:' ? 443 : 80));
  return {
    reachedHost: service.hostname.replace(/^\[(.*)\]$/, '$1'),
    httpPorts: [servicePort, ...(protocols?.http ?? [])],
    rtspPorts: protocols?.rtsp ?? [],
  };
}

/**
 * Points service URLs at the address the device was reached at when the
 * device names another host (a loopback address, or an inside address behind NAT).
 */
function alignServices(
  services: MediaServices,
  serviceUrl: string,
  warnings: string[],
): MediaServices {
  const aligned: MediaServices = {};
  for (const key of ['media', 'media2'] as const) {
    const xaddr = services[key];
    if (xaddr !== undefined) {
      aligned[key] = alignServiceUrl(xaddr, serviceUrl, warnings);
    }
  }
  return aligned;
}

function alignServiceUrl(
  xaddr: string,
  serviceUrl: string,
  warnings: string[],
): string | undefined {
  const reached = new URL(serviceUrl);
  let named: URL;
  try {
    named = new URL(xaddr);
  } catch {
    warnings.push(`service address "${xaddr.slice(0, 100)}" is not a valid URL and was ignored`);
    return undefined;
  }
  if (named.hostname === reached.hostname) {
    return named.href;
  }
  warnings.push(
    `service address ${named.host} differs from the reached address ${reached.host}; using ${reached.host}`,
  );
  return `${reached.origin}${named.pathname}${named.search}`;
}

/** True for failures in what the camera sent (fault, bad XML), as opposed to auth and transport failures. */
function isContentError(error: unknown): boolean {
  const code = toCameraError(error).code;
  return (
    code === 'soap-fault' ||
    code === 'invalid-response' ||
    code === 'no-stream-uri' ||
    code === 'no-profile'
  );
}
