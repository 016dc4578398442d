/**
 * ONVIF device simulator for tests: an HTTP SOAP server for the device,
 * Media and Media2 services and a WS-Discovery responder, bound to one
 * address (127.0.0.1 by default, or a test namespace address). It checks
 * WS-UsernameToken or HTTP Digest auth, runs on a configurable clock offset,
 * and can be switched into the stream-URI quirks real cameras have.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { DigestVerifier, TokenVerifier, type UsernameToken } from './auth';
import { DiscoveryResponder } from './discovery';
import * as xml from './templates';

export type SimAuth = 'none' | 'ws-security' | 'digest';

/** GetStreamUri request forms that a test can make the simulator fault on. */
export type StreamUriForm = 'media2' | 'media1-transport' | 'media1-bare';

/**
 * A reply the test substitutes for an operation. It is raw body text, or a
 * status, content type and body. `hangUp` closes the socket without a reply,
 * and `delayMs` waits before replying.
 */
export type SimOverride =
  | string
  | {
      status?: number;
      contentType?: string;
      body?: string | Buffer;
      hangUp?: boolean;
      delayMs?: number;
    };

export interface SimQuirks {
  /** Host the stream URIs name instead of the real one, e.g. `127.0.1.1` as a Debian /etc/hosts gives. */
  streamHost?: string;
  /** GetStreamUri names the HTTP port while GetNetworkProtocols lists the real RTSP port. */
  httpPortInStreamUri?: boolean;
  /** These GetStreamUri forms return a SOAP 1.2 fault `env:Sender` / `ter:InvalidArgs`. */
  streamUriFaults?: StreamUriForm[];
  /** Every profile is H.265. */
  h265Only?: boolean;
  /** GetServices lists no Media2 service and Media2 calls fail. */
  noMedia2?: boolean;
  /** GetServices returns a fault, so clients fall back to GetCapabilities. */
  noGetServices?: boolean;
}

export interface SimOptions {
  host?: string;
  httpPort?: number;
  /** Discovery: `false` for none; a port (0 = any free port) for unicast only; `multicast` joins the group on port 3702. */
  discovery?: false | { port: number; multicast?: boolean };
  auth?: SimAuth;
  username?: string;
  password?: string;
  /** Camera clock minus real clock, in seconds. */
  clockOffsetS?: number;
  /** Largest accepted UsernameToken Created skew from the camera clock, in seconds (default 30). */
  maxSkewS?: number;
  /** Where the streams really are: host and port of an RTSP server. */
  rtsp?: { host: string; port: number };
  profiles?: xml.SimProfile[];
  quirks?: SimQuirks;
  /** Keys like `GetDeviceInformation`, `media:GetProfiles`, `media2:GetStreamUri`. */
  overrides?: Record<string, SimOverride>;
  prefixStyle?: xml.PrefixStyle;
  model?: string;
  name?: string;
  /** Replaces the ProbeMatches datagram; gets the probe's MessageID. */
  probeReply?: (messageId: string) => string | Buffer;
}

export const DEFAULT_PROFILES: xml.SimProfile[] = [
  {
    token: 'Profile_1',
    name: 'mainStream',
    encoding: 'H264',
    width: 2560,
    height: 1440,
    streamPath: '/cam_main',
  },
  {
    token: 'Profile_2',
    name: 'subStream',
    encoding: 'H264',
    width: 640,
    height: 360,
    streamPath: '/cam_sub?channel=1&subtype=1',
  },
  {
    token: 'Profile_3',
    name: 'thirdStream',
    encoding: 'H264',
    width: 320,
    height: 180,
    streamPath: '/cam_third',
  },
];

const requestParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  processEntities: false,
  parseTagValue: false,
});

interface ParsedRequest {
  operation: string;
  body: Record<string, unknown>;
  token?: UsernameToken;
}

/** One SOAP request the simulator received. */
export interface SimRequest {
  service: 'device' | 'media' | 'media2';
  operation: string;
  authorized: boolean;
}

export class OnvifSim {
  readonly endpoint = `urn:uuid:${randomUUID()}`;
  readonly requests: SimRequest[] = [];
  /** Options in force; tests may change `overrides` and `quirks` between requests. */
  readonly options: Required<
    Pick<SimOptions, 'host' | 'username' | 'password' | 'auth' | 'maxSkewS'>
  > &
    SimOptions;
  clockOffsetS: number;
  private server?: http.Server;
  private responder?: DiscoveryResponder;
  private readonly tokens: TokenVerifier;
  private readonly digest: DigestVerifier;

  constructor(options: SimOptions = {}) {
    this.options = {
      host: '127.0.0.1',
      username: 'admin',
      password: 'secret',
      auth: 'ws-security',
      maxSkewS: 30,
      ...options,
    };
    this.clockOffsetS = options.clockOffsetS ?? 0;
    this.tokens = new TokenVerifier(
      this.options.username,
      this.options.password,
      () => this.clockOffsetS,
      this.options.maxSkewS,
    );
    this.digest = new DigestVerifier(this.options.username, this.options.password);
  }

  static async start(options: SimOptions = {}): Promise<OnvifSim> {
    const sim = new OnvifSim(options);
    await sim.listen();
    return sim;
  }

  get httpPort(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  get discoveryPort(): number {
    return this.responder?.port ?? 0;
  }

  /** Device service URL, e.g. `http://127.0.0.1:40123/onvif/device_service`. */
  get serviceUrl(): string {
    return `${this.base}/onvif/device_service`;
  }

  get probes(): DiscoveryResponder['probes'] {
    return this.responder?.probes ?? [];
  }

  private get base(): string {
    return `http://${this.options.host}:${this.httpPort}`;
  }

  private async listen(): Promise<void> {
    const server = http.createServer((request, response) => this.onRequest(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.httpPort ?? 0, this.options.host, () => resolve());
    });
    if (this.options.discovery) {
      await this.startResponder(this.options.discovery);
    }
  }

  private async startResponder(discovery: { port: number; multicast?: boolean }): Promise<void> {
    const name = encodeURIComponent(this.options.name ?? 'Sim Camera');
    this.responder = new DiscoveryResponder({
      host: this.options.host,
      port: discovery.port,
      multicast: discovery.multicast ? { interfaceAddress: this.options.host } : undefined,
      endpoint: this.endpoint,
      xaddrs: () => this.serviceUrl,
      scopes: `onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/Profile/T onvif://www.onvif.org/name/${name} onvif://www.onvif.org/hardware/${this.options.model ?? 'SV-2040'}`,
      prefixStyle: this.options.prefixStyle ?? 'usual',
      probeReply: this.options.probeReply,
    });
    await this.responder.start();
  }

  /** Multicasts a Hello (multicast discovery only). */
  hello(): Promise<void> {
    return this.responder?.announce('Hello') ?? Promise.resolve();
  }

  /** Multicasts a Bye (multicast discovery only). */
  bye(): Promise<void> {
    return this.responder?.announce('Bye') ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await this.responder?.close();
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private onRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        this.dispatch(request, Buffer.concat(chunks).toString('utf8'), response);
      } catch (error) {
        send(
          response,
          500,
          xml.fault('Receiver', 'Action', `simulator error: ${(error as Error).message}`),
        );
      }
    });
  }

  private dispatch(
    request: http.IncomingMessage,
    text: string,
    response: http.ServerResponse,
  ): void {
    const service = serviceOf(request.url ?? '');
    if (service === undefined || request.method !== 'POST') {
      send(response, 404, 'not found', 'text/plain');
      return;
    }
    const parsed = parseRequest(text);
    if (parsed === undefined) {
      send(response, 400, xml.fault('Sender', 'WellFormed', 'request is not a SOAP envelope'));
      return;
    }
    const authorized = this.authorize(request, parsed, response);
    this.requests.push({ service, operation: parsed.operation, authorized });
    if (authorized) {
      this.answer(service, parsed, response);
    }
  }

  /** Checks auth; on failure it has already sent the rejection. */
  private authorize(
    request: http.IncomingMessage,
    parsed: ParsedRequest,
    response: http.ServerResponse,
  ): boolean {
    if (this.options.auth === 'none' || parsed.operation === 'GetSystemDateAndTime') {
      return true;
    }
    if (this.options.auth === 'digest') {
      if (
        this.digest.verify(
          request.headers.authorization,
          request.method ?? 'POST',
          request.url ?? '',
        )
      ) {
        return true;
      }
      response.setHeader('WWW-Authenticate', this.digest.challenge());
      send(response, 401, 'Unauthorized', 'text/plain');
      return false;
    }
    const check = this.tokens.verify(parsed.token);
    if (!check.ok) {
      send(
        response,
        400,
        xml.fault('Sender', 'NotAuthorized', `Sender not Authorized (${check.reason})`),
      );
    }
    return check.ok;
  }

  private answer(
    service: SimRequest['service'],
    parsed: ParsedRequest,
    response: http.ServerResponse,
  ): void {
    const key = service === 'device' ? parsed.operation : `${service}:${parsed.operation}`;
    const override = this.options.overrides?.[key];
    if (override !== undefined) {
      sendOverride(response, override);
      return;
    }
    const style = this.options.prefixStyle ?? 'usual';
    const reply = this.reply(service, parsed);
    if (reply.startsWith('<?xml')) {
      send(response, reply.includes(':Fault>') ? 400 : 200, reply);
    } else {
      send(response, 200, xml.envelope(reply, style));
    }
  }

  private reply(service: SimRequest['service'], parsed: ParsedRequest): string {
    const quirks = this.options.quirks ?? {};
    const style = this.options.prefixStyle ?? 'usual';
    const notSupported = xml.fault(
      'Sender',
      'ActionNotSupported',
      `${parsed.operation} is not supported`,
      style,
    );
    if (service === 'media2' && quirks.noMedia2) {
      return notSupported;
    }
    switch (`${service}:${parsed.operation}`) {
      case 'device:GetSystemDateAndTime':
        return xml.systemDateAndTime(new Date(Date.now() + this.clockOffsetS * 1000));
      case 'device:GetDeviceInformation':
        return xml.deviceInformation(this.options.model ?? 'SV-2040');
      case 'device:GetServices':
        return quirks.noGetServices ? notSupported : xml.services(this.base, !quirks.noMedia2);
      case 'device:GetCapabilities':
        return xml.capabilities(this.base);
      case 'device:GetNetworkProtocols':
        return xml.networkProtocols(this.httpPort, this.rtspPort);
      case 'media:GetProfiles':
        return xml.media1Profiles(this.profiles);
      case 'media2:GetProfiles':
        return xml.media2Profiles(this.profiles);
      case 'media:GetVideoSources':
        return xml.videoSources();
      case 'media:GetStreamUri':
      case 'media2:GetStreamUri':
        return this.streamUri(service as 'media' | 'media2', parsed);
      default:
        return notSupported;
    }
  }

  private get profiles(): xml.SimProfile[] {
    const profiles = this.options.profiles ?? DEFAULT_PROFILES;
    return this.options.quirks?.h265Only
      ? profiles.map((profile) => ({ ...profile, encoding: 'H265' as const }))
      : profiles;
  }

  private get rtspPort(): number {
    return this.options.rtsp?.port ?? 554;
  }

  private streamUri(service: 'media' | 'media2', parsed: ParsedRequest): string {
    const style = this.options.prefixStyle ?? 'usual';
    const hasTransport = JSON.stringify(parsed.body).includes('"Transport"');
    let form: StreamUriForm = 'media2';
    if (service === 'media') {
      form = hasTransport ? 'media1-transport' : 'media1-bare';
    }
    if (this.options.quirks?.streamUriFaults?.includes(form)) {
      return xml.fault(
        'Sender',
        'InvalidArgs',
        'The requested configuration is not supported',
        style,
      );
    }
    const token = String((parsed.body.GetStreamUri as Record<string, unknown>)?.ProfileToken ?? '');
    const profile = this.profiles.find((item) => item.token === token);
    if (profile === undefined) {
      return xml.fault('Sender', 'NoProfile', `profile token ${token} does not exist`, style);
    }
    const uri = this.streamUrl(profile);
    return service === 'media2' ? xml.media2StreamUri(uri) : xml.media1StreamUri(uri);
  }

  private streamUrl(profile: xml.SimProfile): string {
    const quirks = this.options.quirks ?? {};
    const host = quirks.streamHost ?? this.options.rtsp?.host ?? this.options.host;
    const port = quirks.httpPortInStreamUri ? this.httpPort : this.rtspPort;
    return `rtsp://${host}:${port}${profile.streamPath}`;
  }
}

function serviceOf(url: string): SimRequest['service'] | undefined {
  const path = url.split('?')[0];
  const services: Record<string, SimRequest['service']> = {
    '/onvif/device_service': 'device',
    '/onvif/media_service': 'media',
    '/onvif/media2_service': 'media2',
  };
  return services[path];
}

function parseRequest(text: string): ParsedRequest | undefined {
  let document: Record<string, unknown>;
  try {
    document = requestParser.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const envelope = document.Envelope as Record<string, unknown> | undefined;
  const body = envelope?.Body as Record<string, unknown> | undefined;
  const operation = body ? Object.keys(body).find((key) => !key.startsWith('@_')) : undefined;
  if (operation === undefined || body === undefined) {
    return undefined;
  }
  return { operation, body, token: readToken(envelope?.Header) };
}

function readToken(header: unknown): UsernameToken | undefined {
  const token = (
    (header as Record<string, unknown> | undefined)?.Security as Record<string, unknown> | undefined
  )?.UsernameToken as Record<string, unknown> | undefined;
  if (token === undefined) {
    return undefined;
  }
  const text = (value: unknown): string | undefined =>
    typeof value === 'object' && value !== null
      ? (value as Record<string, string>)['#text']
      : (value as string | undefined);
  return {
    username: text(token.Username),
    password: text(token.Password),
    nonce: text(token.Nonce),
    created: text(token.Created),
  };
}

function send(
  response: http.ServerResponse,
  status: number,
  body: string | Buffer,
  contentType = 'application/soap+xml; charset=utf-8',
): void {
  response.writeHead(status, { 'Content-Type': contentType });
  response.end(body);
}

function sendOverride(response: http.ServerResponse, override: SimOverride): void {
  if (typeof override === 'string') {
    send(response, 200, override);
    return;
  }
  if (override.hangUp) {
    response.socket?.destroy();
    return;
  }
  const reply = () =>
    send(response, override.status ?? 200, override.body ?? '', override.contentType);
  if (override.delayMs) {
    setTimeout(reply, override.delayMs).unref();
  } else {
    reply();
  }
}
