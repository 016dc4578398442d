/**
 * A TCP proxy on 127.0.0.1 for RTSP over TCP that can hold back the media
 * while keeping the connection and the RTSP session up, which is what a
 * camera that sends video only on motion looks like to its client.
 *
 * The server-to-client direction carries RTSP messages and interleaved
 * binary packets (RFC 2326 section 10.12: `$`, channel byte, 16-bit
 * big-endian length, payload). While held, the proxy drops the interleaved
 * packets (RTP and RTCP) and still forwards RTSP messages.
 */

import net from 'node:net';

const INTERLEAVED_MARK = 0x24; // '$'
const HEADER_END = '\r\n\r\n';

/**
 * Splits the server-to-client byte stream into whole RTSP messages and
 * interleaved packets, so that a packet is dropped or forwarded in one piece.
 */
class RtspStreamParser {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onUnit: (unit: Buffer, interleaved: boolean) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const length = this.nextUnitLength();
      if (length === 0) return;
      const unit = this.buffered.subarray(0, length);
      this.buffered = this.buffered.subarray(length);
      this.onUnit(unit, unit[0] === INTERLEAVED_MARK);
    }
  }

  /** Length of the complete unit at the start of the buffer, or 0 when more bytes are needed. */
  private nextUnitLength(): number {
    const data = this.buffered;
    if (data.length === 0) return 0;
    if (data[0] === INTERLEAVED_MARK) {
      if (data.length < 4) return 0;
      const length = 4 + data.readUInt16BE(2);
      return data.length >= length ? length : 0;
    }
    const headerEnd = data.indexOf(HEADER_END);
    if (headerEnd < 0) return 0;
    const header = data.subarray(0, headerEnd).toString('latin1');
    const contentLength = Number(/^content-length:\s*(\d+)/im.exec(header)?.[1] ?? 0);
    const length = headerEnd + HEADER_END.length + contentLength;
    return data.length >= length ? length : 0;
  }
}

export class RtspHoldProxy {
  private holding = false;
  private dropped = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards each connection to 127.0.0.1:`targetPort`. */
  static start(targetPort: number): Promise<RtspHoldProxy> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const proxy = new RtspHoldProxy(server, (server.address() as net.AddressInfo).port);
        server.on('connection', (client) => proxy.bridge(client, targetPort));
        resolve(proxy);
      });
    });
  }

  /** Interleaved packets dropped while holding. */
  get droppedPackets(): number {
    return this.dropped;
  }

  /** Open client connections. */
  get connections(): number {
    return this.sockets.size / 2;
  }

  /** Starts dropping interleaved media packets; connections and RTSP replies stay up. */
  hold(): void {
    this.holding = true;
  }

  /** Forwards media packets again. */
  release(): void {
    this.holding = false;
  }

  /** Closes the listener and every open connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Rewrites `url` (an rtsp:// URL for 127.0.0.1:`targetPort`) to go through this proxy. */
  rewrite(url: string, targetPort: number): string {
    return url.replace(`127.0.0.1:${targetPort}`, `127.0.0.1:${this.port}`);
  }

  private bridge(client: net.Socket, targetPort: number): void {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    this.track(client, upstream);
    this.track(upstream, client);
    client.pipe(upstream);
    const parser = new RtspStreamParser((unit, interleaved) => this.forward(client, unit, interleaved));
    upstream.on('data', (chunk: Buffer) => parser.push(chunk));
    upstream.on('end', () => client.end());
  }

  private forward(client: net.Socket, unit: Buffer, interleaved: boolean): void {
    if (interleaved && this.holding) {
      this.dropped += 1;
      return;
    }
    client.write(unit);
  }

  private track(socket: net.Socket, peer: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => peer.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      peer.destroy();
    });
  }
}
