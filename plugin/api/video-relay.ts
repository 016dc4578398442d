/**
 * Live video for the dashboard: per camera, one ffmpeg child re-encodes the
 * stream to MPEG-1 in MPEG-TS, and the chunks are fanned out over websockets
 * to the JSMpeg players in the page. The relay starts with the first viewer
 * of a camera and stops when its last viewer leaves.
 *
 * node-rtsp-stream 0.0.9 does the same job, but it is not used for three
 * reasons. It opens its own websocket server on every interface (it has no
 * host option). It copies ffmpeg's stderr, which contains the stream URL
 * with its password, to the process stderr. It puts every extra ffmpeg
 * option after `-i`, so `-rtsp_transport tcp` cannot be set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import type { Logger } from '../log/logger';
import { redactText } from './redact';

export interface VideoRelayOptions {
  /** Returns the stream URL of a camera (credentials included), or undefined for an unknown camera. */
  resolveUrl: (cameraId: string) => string | undefined;
  ffmpegPath: string;
  logger: Logger;
  /** Bytes queued for one viewer beyond which video chunks are dropped for it. */
  maxBufferedBytes?: number;
  /** ffmpeg is killed when it produces no output for this long, in milliseconds. */
  stallTimeoutMs?: number;
}

/** Websocket close code for an unknown camera (4000-4999 are free for applications). */
export const CLOSE_UNKNOWN_CAMERA = 4404;
/** Websocket close code sent to viewers when ffmpeg stopped. */
export const CLOSE_STREAM_ENDED = 1011;

const DEFAULT_MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
const DEFAULT_STALL_TIMEOUT_MS = 15_000;
const STDERR_TAIL_LINES = 20;
const KILL_GRACE_MS = 2000;

interface Relay {
  cameraId: string;
  child: ChildProcess;
  viewers: Set<WebSocket>;
  stderrTail: string[];
  stopping: boolean;
  lastOutputAt: number;
  watchdog: NodeJS.Timeout;
}

/** Builds the ffmpeg arguments; a local file (used for demos and tests) is read in real time and looped. */
export function relayFfmpegArgs(url: string): string[] {
  const input = /^rtsps?:\/\//i.test(url)
    ? ['-rtsp_transport', 'tcp']
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
      ? []
      : ['-re', '-stream_loop', '-1'];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...input, '-i', url,
    '-an', '-f', 'mpegts', '-codec:v', 'mpeg1video',
    // MPEG-1 allows only a few frame rates; 25 fps with a GOP of 25 frames lets a new viewer start within a second.
    '-r', '25', '-g', '25', '-bf', '0', '-b:v', '1000k',
    '-vf', "scale='min(960,iw)':-2",
    'pipe:1',
  ];
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export class VideoRelayHub {
  private readonly relays = new Map<string, Relay>();
  private readonly maxBufferedBytes: number;
  private readonly stallTimeoutMs: number;

  constructor(private readonly options: VideoRelayOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  }

  /** Adds a viewer for a camera, starting its relay when it is the first. */
  attach(cameraId: string, socket: WebSocket): void {
    let relay = this.relays.get(cameraId);
    if (!relay) {
      const url = this.options.resolveUrl(cameraId);
      if (url === undefined) {
        socket.close(CLOSE_UNKNOWN_CAMERA, 'unknown camera');
        return;
      }
      relay = this.start(cameraId, url);
    }
    this.addViewer(relay, socket);
  }

  /** Returns the ids of the cameras whose relay is running. */
  activeCameraIds(): string[] {
    return [...this.relays.keys()];
  }

  /** Stops a camera's relay and disconnects its viewers (for example after the camera was removed). */
  stop(cameraId: string): void {
    const relay = this.relays.get(cameraId);
    if (relay) this.shutDown(relay, 'camera removed');
  }

  stopAll(): void {
    for (const relay of [...this.relays.values()]) this.shutDown(relay, 'server closing');
  }

  private start(cameraId: string, url: string): Relay {
    const child = spawn(this.options.ffmpegPath, relayFfmpegArgs(url), { stdio: ['ignore', 'pipe', 'pipe'] });
    const watchdog = setInterval(() => this.checkStall(relay), 1000);
    const relay: Relay = { cameraId, child, viewers: new Set(), stderrTail: [], stopping: false, lastOutputAt: Date.now(), watchdog };
    this.relays.set(cameraId, relay);
    child.stdout?.on('data', (chunk: Buffer) => this.forward(relay, chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keepStderr(relay, chunk));
    child.on('error', (error) => this.options.logger.error('live view ffmpeg failed to start', { cameraId, error }));
    child.on('close', (code, signal) => this.onExit(relay, code, signal));
    this.options.logger.info('live view relay started', { cameraId });
    return relay;
  }

  private addViewer(relay: Relay, socket: WebSocket): void {
    relay.viewers.add(socket);
    socket.on('close', () => {
      relay.viewers.delete(socket);
      if (relay.viewers.size === 0) this.shutDown(relay, 'last viewer left');
    });
    socket.on('error', (error) => this.options.logger.warn('live view socket failed', { cameraId: relay.cameraId, error }));
  }

  private forward(relay: Relay, chunk: Buffer): void {
    relay.lastOutputAt = Date.now();
    for (const viewer of relay.viewers) {
      // A slow viewer loses chunks (its picture glitches until the next key frame) rather than growing the queue.
      if (viewer.readyState === viewer.OPEN && viewer.bufferedAmount <= this.maxBufferedBytes) {
        viewer.send(chunk, { binary: true });
      }
    }
  }

  private keepStderr(relay: Relay, chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      relay.stderrTail.push(redactText(line));
      if (relay.stderrTail.length > STDERR_TAIL_LINES) relay.stderrTail.shift();
    }
  }

  private checkStall(relay: Relay): void {
    if (Date.now() - relay.lastOutputAt < this.stallTimeoutMs) return;
    this.options.logger.warn('live view ffmpeg produced no video; stopping it', { cameraId: relay.cameraId, stallTimeoutMs: this.stallTimeoutMs });
    this.shutDown(relay, 'no video from camera');
  }

  private shutDown(relay: Relay, reason: string): void {
    clearInterval(relay.watchdog);
    if (this.relays.get(relay.cameraId) === relay) this.relays.delete(relay.cameraId);
    if (relay.stopping) return;
    relay.stopping = true;
    for (const viewer of relay.viewers) viewer.close(CLOSE_STREAM_ENDED, reason);
    if (isRunning(relay.child)) {
      relay.child.kill('SIGTERM');
      setTimeout(() => isRunning(relay.child) && relay.child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    }
    this.options.logger.info('live view relay stopped', { cameraId: relay.cameraId, reason });
  }

  private onExit(relay: Relay, code: number | null, signal: NodeJS.Signals | null): void {
    if (!relay.stopping) {
      this.options.logger.error('live view ffmpeg exited', { cameraId: relay.cameraId, code, signal, stderr: relay.stderrTail.join('\n') });
    }
    this.shutDown(relay, 'video stream ended');
  }
}
