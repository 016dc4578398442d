import dgram from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { toCameraError } from './errors';
import { WSD_MULTICAST_ADDRESS, WSD_PORT } from './ns';
import {
  MAX_DATAGRAM_BYTES,
  buildProbe,
  newMessageId,
  parseDiscoveryMessage,
  type DiscoveryMessage,
  type ProbeType,
} from './probe';
import type { ProbeTarget } from './targets';
import type { DiscoveryLogger, ProbeMatch } from './types';
import { logger as projectLogger } from '../log/logger';

export interface ProbeOptions {
  /** Send the probe to the multicast group (default true). */
  multicast?: boolean;
  /** Unicast destinations, for networks where multicast does not pass. */
  targets?: ProbeTarget[];
  /** How long to collect replies after the first send, in milliseconds (default 3000). */
  timeoutMs?: number;
  /** How many times each probe is sent, because UDP datagrams get lost (default 3). */
  repeats?: number;
  /** Device types to probe for, one probe each (default NetworkVideoTransmitter and Device). */
  types?: ProbeType[];
  /** Local IPv4 address to bind and to send multicast from (default: any, the routing table decides). */
  bindAddress?: string;
  /** Destination port of the multicast probe (default 3702). */
  multicastPort?: number;
  logger?: DiscoveryLogger;
}

/** One device's reply to a probe. */
export interface ProbeResponse {
  match: ProbeMatch;
  /** UDP source address of the reply. */
  address: string;
  port: number;
  source: 'multicast' | 'unicast';
}

export interface ProbeResult {
  /** One entry per endpoint, in order of the first reply. */
  responses: ProbeResponse[];
  /** Datagrams that could not be used, with the reason (at most 50 kept). */
  rejected: Array<{ address: string; message: string }>;
}

const MAX_REJECTED_KEPT = 50;

/**
 * Sends WS-Discovery probes by multicast and to each unicast target, then
 * collects ProbeMatches for `timeoutMs`. Replies whose RelatesTo is not one of
 * this run's MessageIDs are rejected; replies are deduplicated by endpoint address.
 * NOTE: IPv4 only; the IPv6 group FF02::C is not probed.
 */
export async function probe(options: ProbeOptions = {}): Promise<ProbeResult> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 1 << 20 });
  const collector = new ReplyCollector(options);
  socket.on('message', (datagram, remote) =>
    collector.accept(datagram, remote.address, remote.port),
  );
  socket.on('error', (error) =>
    (options.logger ?? projectLogger).warn('WS-Discovery socket error', { error: error.message }),
  );
  try {
    await bindSocket(socket, options.bindAddress);
    if (options.bindAddress !== undefined && options.multicast !== false) {
      socket.setMulticastInterface(options.bindAddress);
    }
    const deadline = Date.now() + (options.timeoutMs ?? 3000);
    await sendProbes(socket, collector, options);
    await sleep(Math.max(0, deadline - Date.now()));
  } finally {
    socket.close();
  }
  return collector.result();
}

class ReplyCollector {
  readonly messageIds = new Map<string, ProbeType>();
  private readonly byEndpoint = new Map<string, ProbeResponse>();
  private readonly rejected: ProbeResult['rejected'] = [];
  private readonly unicastAddresses: Set<string>;

  constructor(private readonly options: ProbeOptions) {
    this.unicastAddresses = new Set((options.targets ?? []).map((target) => target.address));
  }

  accept(datagram: Buffer, address: string, port: number): void {
    let message: DiscoveryMessage;
    try {
      message = parseDiscoveryMessage(datagram.subarray(0, MAX_DATAGRAM_BYTES).toString('utf8'));
    } catch (error) {
      this.reject(address, toCameraError(error).message);
      return;
    }
    if (message.kind !== 'probe-matches') {
      return;
    }
    if (!this.messageIds.has(message.relatesTo)) {
      this.reject(
        address,
        `ProbeMatches RelatesTo ${message.relatesTo.slice(0, 80)} matches no probe sent in this run`,
      );
      return;
    }
    for (const match of message.matches) {
      this.add({
        match,
        address,
        port,
        source: this.unicastAddresses.has(address) ? 'unicast' : 'multicast',
      });
    }
  }

  private add(response: ProbeResponse): void {
    if (!this.byEndpoint.has(response.match.endpoint)) {
      this.byEndpoint.set(response.match.endpoint, response);
    }
  }

  private reject(address: string, message: string): void {
    // Only the first rejections are kept and logged, so a flood of bad datagrams cannot flood the log.
    if (this.rejected.length < MAX_REJECTED_KEPT) {
      this.rejected.push({ address, message });
      (this.options.logger ?? projectLogger).warn('WS-Discovery reply rejected', {
        address,
        reason: message,
      });
    }
  }

  result(): ProbeResult {
    return { responses: [...this.byEndpoint.values()], rejected: this.rejected };
  }
}

async function sendProbes(
  socket: dgram.Socket,
  collector: ReplyCollector,
  options: ProbeOptions,
): Promise<void> {
  const types = options.types ?? ['dn:NetworkVideoTransmitter', 'tds:Device'];
  const datagrams = types.map((type) => {
    const messageId = newMessageId();
    collector.messageIds.set(messageId, type);
    return Buffer.from(buildProbe(messageId, type), 'utf8');
  });
  const destinations = probeDestinations(options);
  const repeats = Math.max(1, options.repeats ?? 3);
  for (let round = 0; round < repeats; round++) {
    if (round > 0) {
      // WS-Discovery over UDP spaces repeated sends 50-250 ms apart.
      await sleep(50 + Math.floor(Math.random() * 200));
    }
    for (const destination of destinations) {
      for (const datagram of datagrams) {
        await sendDatagram(socket, datagram, destination, options.logger ?? projectLogger);
      }
    }
  }
}

function probeDestinations(options: ProbeOptions): ProbeTarget[] {
  const destinations = [...(options.targets ?? [])];
  if (options.multicast !== false) {
    destinations.unshift({
      address: WSD_MULTICAST_ADDRESS,
      port: options.multicastPort ?? WSD_PORT,
    });
  }
  return destinations;
}

function sendDatagram(
  socket: dgram.Socket,
  datagram: Buffer,
  target: ProbeTarget,
  logger: DiscoveryLogger,
): Promise<void> {
  return new Promise((resolve) => {
    socket.send(datagram, target.port, target.address, (error) => {
      if (error) {
        logger.warn('WS-Discovery probe could not be sent', {
          address: target.address,
          port: target.port,
          error: error.message,
        });
      }
      resolve();
    });
  });
}

function bindSocket(socket: dgram.Socket, address: string | undefined, port = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address, exclusive: false }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export interface AnnouncementOptions {
  /** Port to listen on (default 3702, where devices send Hello and Bye). */
  port?: number;
  /** Local IPv4 address of the interface that joins the multicast group (default: chosen by the OS). */
  interfaceAddress?: string;
  onHello(match: ProbeMatch, address: string): void;
  onBye(endpoint: string, address: string): void;
  logger?: DiscoveryLogger;
}

/** A running Hello/Bye listener. */
export interface AnnouncementListener {
  close(): Promise<void>;
}

/**
 * Joins the WS-Discovery multicast group and reports Hello and Bye
 * announcements, so cameras that join or leave update the list without a probe.
 */
export async function listenForAnnouncements(
  options: AnnouncementOptions,
): Promise<AnnouncementListener> {
  const logger = options.logger ?? projectLogger;
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('error', (error) =>
    logger.warn('WS-Discovery listener socket error', { error: error.message }),
  );
  socket.on('message', (datagram, remote) =>
    handleAnnouncement(datagram, remote.address, options, logger),
  );
  try {
    await bindSocket(socket, undefined, options.port ?? WSD_PORT);
    socket.addMembership(WSD_MULTICAST_ADDRESS, options.interfaceAddress);
  } catch (error) {
    socket.close();
    throw error;
  }
  logger.info('WS-Discovery listener started', { port: options.port ?? WSD_PORT });
  return {
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function handleAnnouncement(
  datagram: Buffer,
  address: string,
  options: AnnouncementOptions,
  logger: DiscoveryLogger,
): void {
  let message: DiscoveryMessage;
  try {
    message = parseDiscoveryMessage(datagram.subarray(0, MAX_DATAGRAM_BYTES).toString('utf8'));
  } catch (error) {
    logger.warn('WS-Discovery announcement rejected', {
      address,
      reason: toCameraError(error).message,
    });
    return;
  }
  if (message.kind === 'hello') {
    options.onHello(message.match, address);
  } else if (message.kind === 'bye') {
    options.onBye(message.endpoint, address);
  }
}
