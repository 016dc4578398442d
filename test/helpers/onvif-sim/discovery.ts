import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { XMLParser } from 'fast-xml-parser';
import { announcement, probeMatches, type PrefixStyle } from './templates';

const GROUP = '239.255.255.250';
const WSD_PORT = 3702;

export interface ResponderOptions {
  /** Address to bind; with `multicast`, the socket binds 0.0.0.0 instead. */
  host: string;
  /** UDP port (0: any free port). With `multicast` it must be 3702 to hear the group. */
  port: number;
  /** Join 239.255.255.250 on the interface with `interfaceAddress`. */
  multicast?: { interfaceAddress: string };
  endpoint: string;
  xaddrs: () => string;
  scopes: string;
  prefixStyle: PrefixStyle;
  /** Replaces the ProbeMatches datagram (hostile-input tests); gets the probe's MessageID. */
  probeReply?: (messageId: string) => string | Buffer;
}

const parser = new XMLParser({
  removeNSPrefix: false,
  ignoreAttributes: false,
  processEntities: false,
});

/** Reads MessageID and Types from a probe; undefined when it is not a usable probe. */
function readProbe(text: string): { messageId: string; types: string } | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    return undefined;
  }
  const document = parser.parse(text) as Record<string, unknown>;
  const find = (node: unknown, local: string): unknown => {
    if (node === null || typeof node !== 'object') return undefined;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key.replace(/^.*:/, '') === local) return value;
      const inner = find(value, local);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  const messageId = find(document, 'MessageID');
  const probe = find(document, 'Probe');
  if (typeof messageId !== 'string' || probe === undefined) {
    return undefined;
  }
  const types = find(probe, 'Types');
  return { messageId, types: typeof types === 'string' ? types : '' };
}

/**
 * True when every prefix in the probe's Types is declared in the datagram, as
 * a strict camera requires. Matching is on the raw text, so it is independent
 * of the client's own parser.
 */
function typesDeclared(text: string, types: string): boolean {
  return types
    .split(/\s+/)
    .filter((type) => type.includes(':'))
    .every((type) => new RegExp(`xmlns:${type.split(':')[0]}="[^"]+"`).test(text));
}

/** The WS-Discovery side of the simulator: it replies to probes and sends Hello and Bye. */
export class DiscoveryResponder {
  private socket?: dgram.Socket;
  /** Probes received, in order. */
  readonly probes: Array<{ messageId: string; types: string; from: string; declared: boolean }> =
    [];

  constructor(private readonly options: ResponderOptions) {}

  get port(): number {
    return (this.socket?.address() as { port: number }).port;
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('message', (datagram, remote) => this.handle(datagram.toString('utf8'), remote));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.multicast ? '0.0.0.0' : this.options.host, () =>
        resolve(),
      );
    });
    if (this.options.multicast) {
      socket.addMembership(GROUP, this.options.multicast.interfaceAddress);
      socket.setMulticastInterface(this.options.multicast.interfaceAddress);
    }
  }

  private handle(text: string, remote: dgram.RemoteInfo): void {
    let probe: { messageId: string; types: string } | undefined;
    try {
      probe = readProbe(text);
    } catch {
      return;
    }
    if (probe === undefined) {
      return;
    }
    const declared = typesDeclared(text, probe.types);
    this.probes.push({ ...probe, from: `${remote.address}:${remote.port}`, declared });
    if (!declared || !/NetworkVideoTransmitter|Device|^$/.test(probe.types)) {
      return;
    }
    const reply =
      this.options.probeReply?.(probe.messageId) ??
      probeMatches(
        {
          relatesTo: probe.messageId,
          endpoint: this.options.endpoint,
          xaddrs: this.options.xaddrs(),
          scopes: this.options.scopes,
          messageId: `urn:uuid:${randomUUID()}`,
        },
        this.options.prefixStyle,
      );
    this.socket?.send(reply, remote.port, remote.address);
  }

  /** Multicasts a Hello or Bye to the group (multicast mode only). */
  announce(kind: 'Hello' | 'Bye'): Promise<void> {
    const datagram = announcement(
      kind,
      {
        endpoint: this.options.endpoint,
        xaddrs: this.options.xaddrs(),
        scopes: this.options.scopes,
        messageId: `urn:uuid:${randomUUID()}`,
      },
      this.options.prefixStyle,
    );
    return new Promise(
      (resolve) => this.socket?.send(datagram, WSD_PORT, GROUP, () => resolve()) ?? resolve(),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
  }
}
