import { DiscoveryError } from './errors';
import { NS } from './ns';
import type { SoapClient } from './soap';
import type { DeviceInformation } from './types';
import { children, path, textAt, type XmlElement } from './xml';

/** ONVIF device service (`tds`) calls. */

const op = (name: string) => ({ ns: NS.tds, name });

/**
 * Reads the camera's UTC clock with GetSystemDateAndTime (sent without
 * credentials, as the connect sequence requires) and returns camera time
 * minus local time in milliseconds.
 */
export async function getClockOffsetMs(
  client: SoapClient,
  url: string,
  nowMs = () => Date.now(),
): Promise<number> {
  const sentAt = nowMs();
  const response = await client.call(
    url,
    op('GetSystemDateAndTime'),
    `<GetSystemDateAndTime xmlns="${NS.tds}"/>`,
    false,
  );
  const receivedAt = nowMs();
  const utc = path(response, 'SystemDateAndTime', 'UTCDateTime');
  if (utc === undefined) {
    throw new DiscoveryError(
      'invalid-response',
      'GetSystemDateAndTime reply has no SystemDateAndTime/UTCDateTime',
    );
  }
  return readUtcDateTime(utc) - Math.round((sentAt + receivedAt) / 2);
}

function readUtcDateTime(utc: XmlElement): number {
  const field = (min: number, max: number, ...at: string[]): number => {
    const text = textAt(utc, ...at);
    const value = Number(text);
    if (
      text === undefined ||
      text === '' ||
      !Number.isInteger(value) ||
      value < min ||
      value > max
    ) {
      throw new DiscoveryError(
        'invalid-response',
        `GetSystemDateAndTime UTCDateTime/${at.join('/')} is "${(text ?? 'missing').slice(0, 40)}"; expected an integer ${min}-${max}`,
      );
    }
    return value;
  };
  const year = field(1970, 9999, 'Date', 'Year');
  const month = field(1, 12, 'Date', 'Month');
  const day = field(1, 31, 'Date', 'Day');
  const hour = field(0, 23, 'Time', 'Hour');
  const minute = field(0, 59, 'Time', 'Minute');
  const second = field(0, 60, 'Time', 'Second');
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

export async function getDeviceInformation(
  client: SoapClient,
  url: string,
): Promise<DeviceInformation> {
  const response = await client.call(
    url,
    op('GetDeviceInformation'),
    `<GetDeviceInformation xmlns="${NS.tds}"/>`,
  );
  const read = (name: string): string => (textAt(response, name) ?? '').slice(0, 200);
  const info = {
    manufacturer: read('Manufacturer'),
    model: read('Model'),
    firmwareVersion: read('FirmwareVersion'),
    serialNumber: read('SerialNumber'),
    hardwareId: read('HardwareId'),
  };
  if (info.manufacturer === '' && info.model === '') {
    throw new DiscoveryError(
      'invalid-response',
      'GetDeviceInformation reply has neither Manufacturer nor Model',
    );
  }
  return info;
}

/** Media service URLs of a device; `media2` only when the device offers Media2. */
export interface MediaServices {
  media?: string;
  media2?: string;
}

/** Reads the media service URLs with GetServices (ONVIF 2.x devices). */
export async function getServices(client: SoapClient, url: string): Promise<MediaServices> {
  const response = await client.call(
    url,
    op('GetServices'),
    `<GetServices xmlns="${NS.tds}"><IncludeCapability>false</IncludeCapability></GetServices>`,
  );
  const services: MediaServices = {};
  for (const service of children(response, 'Service')) {
    const namespace = textAt(service, 'Namespace');
    const xaddr = textAt(service, 'XAddr');
    if (namespace === NS.trt && xaddr) {
      services.media = xaddr;
    } else if (namespace === NS.tr2 && xaddr) {
      services.media2 = xaddr;
    }
  }
  if (services.media === undefined && services.media2 === undefined) {
    throw new DiscoveryError(
      'invalid-response',
      'GetServices lists no Media or Media2 service with an XAddr',
    );
  }
  return services;
}

/** Reads the Media service URL with GetCapabilities, for devices older than GetServices. */
export async function getCapabilities(client: SoapClient, url: string): Promise<MediaServices> {
  const response = await client.call(
    url,
    op('GetCapabilities'),
    `<GetCapabilities xmlns="${NS.tds}"><Category>All</Category></GetCapabilities>`,
  );
  const media = textAt(response, 'Capabilities', 'Media', 'XAddr');
  if (!media) {
    throw new DiscoveryError(
      'invalid-response',
      'GetCapabilities reply has no Capabilities/Media/XAddr',
    );
  }
  return { media };
}

/** Enabled ports per protocol from GetNetworkProtocols. */
export interface NetworkProtocols {
  http: number[];
  https: number[];
  rtsp: number[];
}

export async function getNetworkProtocols(
  client: SoapClient,
  url: string,
): Promise<NetworkProtocols> {
  const response = await client.call(
    url,
    op('GetNetworkProtocols'),
    `<GetNetworkProtocols xmlns="${NS.tds}"/>`,
  );
  const protocols: NetworkProtocols = { http: [], https: [], rtsp: [] };
  for (const entry of children(response, 'NetworkProtocols')) {
    const name = (textAt(entry, 'Name') ?? '').toLowerCase();
    if (textAt(entry, 'Enabled') === 'false' || !(name in protocols)) {
      continue;
    }
    protocols[name as keyof NetworkProtocols].push(...readPorts(entry));
  }
  return protocols;
}

function readPorts(entry: XmlElement): number[] {
  return children(entry, 'Port')
    .map((port) => Number(port.text.trim()))
    .filter((port) => Number.isInteger(port) && port >= 1 && port <= 65535);
}
