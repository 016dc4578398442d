import { isIP } from 'node:net';
import { DiscoveryError } from './errors';
import type { Credentials } from './types';

/**
 * Stream-URI repair. Cameras report URIs that do not work from where the
 * sidecar runs: a loopback host (`127.0.1.1` from a Debian /etc/hosts), the
 * HTTP port instead of the RTSP port, embedded credentials. Every function here
 * is pure; URIs are parsed with the WHATWG URL parser, and the path, query and
 * fragment are copied from the camera's string unchanged, because
 * re-serialising would percent-encode characters some cameras need as they are.
 */

/** Device facts used to repair one of its stream URIs. */
export interface RepairContext {
  /** Host (name or IP, without port) the device service was reached at. */
  reachedHost: string;
  /** Ports the device serves HTTP on (the device service port, and HTTP from GetNetworkProtocols). */
  httpPorts: number[];
  /** RTSP ports from GetNetworkProtocols; empty when unknown. */
  rtspPorts: number[];
}

export interface RepairedUri {
  url: string;
  warnings: string[];
}

const DEFAULT_RTSP_PORT = 554;

/** Parses `host`, `host:port`, `[v6]:port` or a bare IPv6 address into host and optional port. */
export function splitHostPort(address: string): { host: string; port?: number } {
  const text = address.trim();
  if (isIP(text) === 6) {
    return { host: text };
  }
  let parsed: URL;
  try {
    parsed = new URL(`http://${text}`);
  } catch {
    throw new DiscoveryError('invalid-input', `address "${text}" is not a valid host or host:port`);
  }
  if (
    parsed.username ||
    parsed.password ||
    parsed.pathname !== '/' ||
    parsed.search ||
    parsed.hash
  ) {
    throw new DiscoveryError(
      'invalid-input',
      `address "${text}" must be a host or host:port, without user, path or query`,
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const explicitPort = /:(\d+)$/.test(text)
    ? Number(text.slice(text.lastIndexOf(':') + 1))
    : undefined;
  return explicitPort === undefined ? { host } : { host, port: explicitPort };
}

/** True for `localhost`, 127.0.0.0/8, `::1` and the unspecified addresses, which a camera can never mean for a remote client. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return (
    bare === 'localhost' ||
    bare === '::1' ||
    bare === '::' ||
    bare === '0.0.0.0' ||
    /^127\.\d+\.\d+\.\d+$/.test(bare)
  );
}

/** Formats a host for a URL authority, bracketing IPv6 literals. */
export function formatHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * Repairs a stream URI returned by GetStreamUri, with a warning for each change.
 * A loopback host is replaced by the host the device was reached at. An
 * explicit HTTP port, or a missing port, is replaced by the RTSP port from
 * GetNetworkProtocols. Embedded credentials are removed.
 */
export function repairStreamUri(raw: string, context: RepairContext): RepairedUri {
  const parts = splitUri(raw);
  const warnings: string[] = [];
  let host = parts.url.hostname.replace(/^\[(.*)\]$/, '$1');
  let port = parts.url.port === '' ? undefined : Number(parts.url.port);
  if (isLoopbackHost(host) && host !== context.reachedHost) {
    warnings.push(
      `stream URI names loopback host ${host}; using ${context.reachedHost}, the address the device was reached at`,
    );
    host = context.reachedHost;
  }
  const rtspPort = correctedPort(port, context);
  if (rtspPort !== port) {
    warnings.push(
      `stream URI port ${port ?? `${DEFAULT_RTSP_PORT} (default)`} is not an RTSP port of the device; using ${rtspPort} from GetNetworkProtocols`,
    );
    port = rtspPort;
  }
  if (parts.url.username || parts.url.password) {
    warnings.push(
      'stream URI contained credentials; they were removed and the configured ones are used instead',
    );
  }
  const url = `${parts.url.protocol}//${formatHost(host)}${port === undefined ? '' : `:${port}`}${parts.rest}`;
  return { url: checkedUrl(url), warnings };
}

function correctedPort(port: number | undefined, context: RepairContext): number | undefined {
  if (context.rtspPorts.length === 0) {
    return port;
  }
  const effective = port ?? DEFAULT_RTSP_PORT;
  if (context.rtspPorts.includes(effective)) {
    return port;
  }
  if (port === undefined || context.httpPorts.includes(port)) {
    return context.rtspPorts[0];
  }
  return port;
}

interface UriParts {
  url: URL;
  /** Everything after the authority (path, query, fragment), exactly as the camera wrote it. */
  rest: string;
}

function splitUri(raw: string): UriParts {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DiscoveryError('no-stream-uri', `stream URI "${redactUrl(text)}" is not a valid URL`);
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') {
    throw new DiscoveryError(
      'no-stream-uri',
      `stream URI "${redactUrl(text)}" is not an rtsp:// URL`,
    );
  }
  if (url.hostname === '') {
    throw new DiscoveryError('no-stream-uri', `stream URI "${redactUrl(text)}" has no host`);
  }
  const authorityStart = text.indexOf('//') + 2;
  const match = /[/?#]/.exec(text.slice(authorityStart));
  const rest = match === null ? '' : text.slice(authorityStart + match.index);
  return { url, rest };
}

function checkedUrl(url: string): string {
  try {
    new URL(url);
  } catch {
    throw new DiscoveryError(
      'no-stream-uri',
      `repaired stream URI "${redactUrl(url)}" is not a valid URL`,
    );
  }
  return url;
}

/** Adds credentials to an RTSP URL for the ffmpeg command line; never log the result. */
export function withCredentials(rtspUrl: string, credentials: Credentials | undefined): string {
  if (credentials === undefined || credentials.username === '') {
    return rtspUrl;
  }
  const { url, rest } = splitUri(rtspUrl);
  const userinfo = `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`;
  const port = url.port === '' ? '' : `:${url.port}`;
  return `${url.protocol}//${userinfo}${url.hostname}${port}${rest}`;
}

/** Removes user and password from a URL for logs and messages; returns a placeholder for text that is not a URL. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.username === '' && url.password === '') {
      return text;
    }
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return text.replace(/\/\/[^/@]*@/, '//').slice(0, 200);
  }
}
