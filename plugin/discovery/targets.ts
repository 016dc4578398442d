import { isIP } from 'node:net';
import os from 'node:os';
import { DiscoveryError } from './errors';
import { WSD_PORT } from './ns';
import type { Reachability } from './types';

/** One unicast probe destination. */
export interface ProbeTarget {
  address: string;
  port: number;
}

/** Most addresses one unicast probe run may cover (a /22), so a typo cannot flood a network. */
export const MAX_UNICAST_ADDRESSES = 1024;

/**
 * Expands unicast probe targets. Each entry is an IPv4 address with an optional
 * port (`10.0.0.5`, `10.0.0.5:3702`), a CIDR block (`10.0.0.0/24`, network and
 * broadcast addresses left out), or a range (`10.0.0.10-10.0.0.20` or `10.0.0.10-20`).
 */
export function parseTargets(entries: string[]): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const entry of entries
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean)) {
    targets.push(...parseTarget(entry));
    if (targets.length > MAX_UNICAST_ADDRESSES) {
      throw new DiscoveryError(
        'invalid-input',
        `unicast targets cover more than ${MAX_UNICAST_ADDRESSES} addresses; narrow the range`,
      );
    }
  }
  return targets;
}

function parseTarget(entry: string): ProbeTarget[] {
  if (entry.includes('/')) {
    return expandCidr(entry);
  }
  if (entry.includes('-')) {
    return expandRange(entry);
  }
  const match = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(entry);
  if (match === null || isIP(match[1]) !== 4) {
    throw new DiscoveryError(
      'invalid-input',
      `unicast target "${entry}" is not an IPv4 address, address:port, CIDR block or range`,
    );
  }
  return [
    { address: match[1], port: match[2] === undefined ? WSD_PORT : checkedPort(match[2], entry) },
  ];
}

function checkedPort(text: string, entry: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DiscoveryError('invalid-input', `port in unicast target "${entry}" must be 1-65535`);
  }
  return port;
}

function expandCidr(entry: string): ProbeTarget[] {
  const [base, bitsText] = entry.split('/');
  const bits = Number(bitsText);
  if (isIP(base) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new DiscoveryError(
      'invalid-input',
      `unicast target "${entry}" is not a valid IPv4 CIDR block`,
    );
  }
  const size = 2 ** (32 - bits);
  if (size > MAX_UNICAST_ADDRESSES * 4) {
    throw new DiscoveryError(
      'invalid-input',
      `CIDR block "${entry}" has ${size} addresses; the limit is ${MAX_UNICAST_ADDRESSES}`,
    );
  }
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const network = (ipToNumber(base) & mask) >>> 0;
  const first = bits <= 30 ? network + 1 : network;
  const last = bits <= 30 ? network + size - 2 : network + size - 1;
  return numberRange(first, last, entry);
}

function expandRange(entry: string): ProbeTarget[] {
  const [startText, endText] = entry.split('-').map((item) => item.trim());
  const endFull = /^\d+$/.test(endText) ? startText.replace(/\d+$/, endText) : endText;
  if (isIP(startText) !== 4 || isIP(endFull) !== 4) {
    throw new DiscoveryError(
      'invalid-input',
      `unicast range "${entry}" must be A.B.C.D-A.B.C.E or A.B.C.D-E`,
    );
  }
  const first = ipToNumber(startText);
  const last = ipToNumber(endFull);
  if (last < first) {
    throw new DiscoveryError('invalid-input', `unicast range "${entry}" ends before it starts`);
  }
  return numberRange(first, last, entry);
}

function numberRange(first: number, last: number, entry: string): ProbeTarget[] {
  if (last - first + 1 > MAX_UNICAST_ADDRESSES) {
    throw new DiscoveryError(
      'invalid-input',
      `unicast target "${entry}" has ${last - first + 1} addresses; the limit is ${MAX_UNICAST_ADDRESSES}`,
    );
  }
  const targets: ProbeTarget[] = [];
  for (let value = first; value <= last; value++) {
    targets.push({ address: numberToIp(value), port: WSD_PORT });
  }
  return targets;
}

export function ipToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** An IPv4 subnet of this host, as `os.networkInterfaces()` reports it. */
export interface HostSubnet {
  address: string;
  netmask: string;
}

/** Lists the host's IPv4 subnets, loopback included. */
export function hostSubnets(): HostSubnet[] {
  return Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4')
    .map((entry) => ({ address: entry.address, netmask: entry.netmask }));
}

/** `local` when `address` is inside one of `subnets`, `unknown` otherwise (including non-IPv4 text). */
export function classifyReachability(
  address: string,
  subnets: HostSubnet[] = hostSubnets(),
): Reachability {
  if (isIP(address) !== 4) {
    return 'unknown';
  }
  const value = ipToNumber(address);
  const inside = subnets.some((subnet) => {
    const mask = ipToNumber(subnet.netmask);
    return (value & mask) >>> 0 === (ipToNumber(subnet.address) & mask) >>> 0;
  });
  return inside ? 'local' : 'unknown';
}
