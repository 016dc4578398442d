import { inspectDevice, type InspectOptions } from './camera';
import { DiscoveryError, toCameraError } from './errors';
import { scopeValue } from './probe';
import { formatHost, isLoopbackHost, splitHostPort } from './stream-uri';
import { classifyReachability, parseTargets, type HostSubnet } from './targets';
import type { DiscoveredDevice, DiscoverySource, ProbeMatch } from './types';
import { probe, type ProbeOptions, type ProbeResult } from './ws-discovery';
import { logger as projectLogger } from '../log/logger';

export interface DiscoverOptions extends InspectOptions {
  /** Send the multicast probe (default true). */
  multicast?: boolean;
  /** Unicast targets: addresses, `address:port`, CIDR blocks or ranges. */
  unicast?: string[];
  /** Probe options passed through (timeout, repeats, bind address, multicast port). */
  probe?: Omit<ProbeOptions, 'multicast' | 'targets' | 'logger'>;
  /** Connect to each device found and read its profiles and stream URIs (default true). */
  inspect?: boolean;
  /** How many devices are inspected at the same time (default 4). */
  concurrency?: number;
  /** Host subnets for the reachability mark; default: this host's interfaces. */
  subnets?: HostSubnet[];
}

export interface DiscoverResult {
  devices: DiscoveredDevice[];
  rejected: ProbeResult['rejected'];
}

const DEFAULT_SERVICE_PATH = '/onvif/device_service';

/**
 * Finds ONVIF devices by WS-Discovery and, unless `inspect` is false, reads
 * each one's profiles and stream URIs. A failing device carries its own
 * `error`; it never stops the others.
 */
export async function discoverCameras(options: DiscoverOptions = {}): Promise<DiscoverResult> {
  const targets = parseTargets(options.unicast ?? []);
  const found = await probe({
    ...options.probe,
    multicast: options.multicast,
    targets,
    logger: options.logger,
  });
  const devices = found.responses.map((response) =>
    deviceFromMatch(response.match, response.address, response.source, options.subnets),
  );
  if (options.inspect !== false) {
    await forEachLimited(devices, options.concurrency ?? 4, (device) =>
      inspectInto(device, options),
    );
  }
  return { devices, rejected: found.rejected };
}

/** Builds the device entry for a ProbeMatch or Hello received from `sender`. */
export function deviceFromMatch(
  match: ProbeMatch,
  sender: string,
  source: DiscoverySource,
  subnets?: HostSubnet[],
): DiscoveredDevice {
  const warnings: string[] = [];
  const serviceUrl = chooseServiceUrl(match.xaddrs, sender, warnings);
  const reachability = classifyReachability(sender, subnets);
  if (reachability === 'unknown') {
    warnings.push(`reachability unknown: ${sender} is outside this host's subnets`);
  }
  return {
    id: match.endpoint,
    address: sender,
    serviceUrl,
    xaddrs: match.xaddrs,
    scopes: match.scopes,
    types: match.types,
    name: scopeValue(match.scopes, 'name'),
    hardware: scopeValue(match.scopes, 'hardware'),
    reachability,
    source,
    lastSeenMs: Date.now(),
    warnings,
  };
}

/**
 * Picks the device service URL from the XAddrs: the one on the sender's
 * address, else the first. A loopback host is replaced by the sender, and a
 * match without XAddrs gets the conventional path on port 80.
 */
export function chooseServiceUrl(xaddrs: string[], sender: string, warnings: string[]): string {
  const urls = xaddrs.map((xaddr) => new URL(xaddr));
  const chosen =
    urls.find((url) => url.hostname === formatHost(sender)) ??
    urls.find((url) => !isLoopbackHost(url.hostname)) ??
    urls[0];
  if (chosen === undefined) {
    warnings.push(
      `the device sent no XAddrs; trying http://${formatHost(sender)}${DEFAULT_SERVICE_PATH}`,
    );
    return `http://${formatHost(sender)}${DEFAULT_SERVICE_PATH}`;
  }
  if (isLoopbackHost(chosen.hostname) && !isLoopbackHost(sender)) {
    warnings.push(`XAddr ${chosen.host} is a loopback address; using the sender address ${sender}`);
    chosen.hostname = formatHost(sender);
  }
  return chosen.href;
}

/**
 * Builds the device entry for a device added by address: `host`, `host:port`
 * or a full device service URL. Throws a `DiscoveryError` ('invalid-input') for anything else.
 */
export function deviceFromAddress(address: string, subnets?: HostSubnet[]): DiscoveredDevice {
  const serviceUrl = /^https?:\/\//i.test(address.trim())
    ? parseServiceUrl(address)
    : serviceUrlFromHostPort(address);
  const url = new URL(serviceUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    id: url.host,
    address: host,
    serviceUrl,
    xaddrs: [serviceUrl],
    scopes: [],
    types: [],
    reachability: classifyReachability(host, subnets),
    source: 'manual',
    lastSeenMs: Date.now(),
    warnings: [],
  };
}

function serviceUrlFromHostPort(address: string): string {
  const { host, port } = splitHostPort(address);
  return `http://${formatHost(host)}${port === undefined ? '' : `:${port}`}${DEFAULT_SERVICE_PATH}`;
}

function parseServiceUrl(text: string): string {
  try {
    const url = new URL(text.trim());
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    throw new DiscoveryError(
      'invalid-input',
      `device address "${text.slice(0, 100)}" is not a valid URL`,
    );
  }
}

/** Inspects a device in place: fills info, profiles and sources, or sets `error`. Never throws. */
export async function inspectInto(
  device: DiscoveredDevice,
  options: InspectOptions,
): Promise<DiscoveredDevice> {
  try {
    const inspection = await inspectDevice(
      { id: device.id, serviceUrl: device.serviceUrl, name: device.name },
      options,
    );
    device.info = inspection.info;
    device.profiles = inspection.profiles;
    device.sources = inspection.sources;
    device.warnings = [...new Set([...device.warnings, ...inspection.warnings])];
    device.error = undefined;
  } catch (error) {
    device.error = toCameraError(error);
    (options.logger ?? projectLogger).warn('ONVIF device inspection failed', {
      cameraId: device.id,
      code: device.error.code,
      error: device.error.message,
    });
  }
  return device;
}

async function forEachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
