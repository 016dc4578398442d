/**
 * The live event websocket (/api/v1/live). Every bus event is sent to every
 * connected client as `{ type, data }`. A client that reads too slowly loses
 * events instead of making the server buffer them without bound. It is sent
 * the number it lost with `{ type: 'dropped', data: { count } }` as soon as it
 * catches up.
 */
import type { WebSocket } from 'ws';
import type { Bus } from '../core/bus';
import type { Logger } from '../log/logger';
import { cameraEventView, liveFacesView, visitorView } from './views';

export type LiveEventType = 'faces' | 'visitor' | 'occupancy' | 'camera' | 'dropped';

/** Default limit on bytes queued for one client before its events are dropped. */
export const DEFAULT_LIVE_MAX_BUFFERED_BYTES = 1024 * 1024;

interface LiveClient {
  socket: WebSocket;
  /** Events dropped since the client last received one. */
  pendingDropped: number;
}

export interface LiveEventCounters {
  clients: number;
  droppedEvents: number;
}

export class LiveEventHub {
  private readonly clients = new Set<LiveClient>();
  private readonly unsubscribers: Array<() => void> = [];
  private droppedEvents = 0;

  constructor(
    bus: Bus,
    private readonly logger: Logger,
    private readonly maxBufferedBytes = DEFAULT_LIVE_MAX_BUFFERED_BYTES,
  ) {
    this.unsubscribers.push(
      bus.on('faces', (event) => this.broadcast('faces', liveFacesView(event))),
      bus.on('visitor', (event) => this.broadcast('visitor', visitorView(event))),
      bus.on('occupancy', (event) => this.broadcast('occupancy', { cameraId: event.cameraId, t: event.t, count: event.count })),
      bus.on('camera', (event) => this.broadcast('camera', cameraEventView(event))),
    );
  }

  attach(socket: WebSocket): void {
    const client: LiveClient = { socket, pendingDropped: 0 };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', (error) => this.logger.warn('live event socket failed', { error }));
    // Clients only listen; anything they send is ignored.
  }

  counters(): LiveEventCounters {
    return { clients: this.clients.size, droppedEvents: this.droppedEvents };
  }

  close(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
  }

  private broadcast(type: LiveEventType, data: unknown): void {
    if (this.clients.size === 0) return;
    const message = JSON.stringify({ type, data });
    for (const client of this.clients) this.sendTo(client, message);
  }

  private sendTo(client: LiveClient, message: string): void {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      this.countDrop(client);
      return;
    }
    if (client.pendingDropped > 0) {
      socket.send(JSON.stringify({ type: 'dropped', data: { count: client.pendingDropped } }));
      client.pendingDropped = 0;
    }
    socket.send(message);
  }

  private countDrop(client: LiveClient): void {
    client.pendingDropped++;
    this.droppedEvents++;
    // Log the first drop of each run, not every one, so a stalled client cannot flood the log.
    if (client.pendingDropped === 1) {
      this.logger.warn('live event client is too slow; dropping events until it catches up', {
        bufferedBytes: client.socket.bufferedAmount,
        maxBufferedBytes: this.maxBufferedBytes,
      });
    }
  }
}
