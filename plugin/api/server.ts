/**
 * The sidecar's HTTP server: REST under /api/v1, the live event websocket at
 * /api/v1/live, live video websockets at /api/v1/cameras/:id/video, and the
 * dashboard's static files. It binds to 127.0.0.1 unless `host` is given.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import express, { type Router } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Bus } from '../core/bus';
import { logger as defaultLogger, type Logger } from '../log/logger';
import type { ApiBackend } from './backend';
import { LiveEventHub } from './live-events';
import { createRestRouter } from './routes';
import { VideoRelayHub } from './video-relay';

export interface ApiServerOptions {
  backend: ApiBackend;
  bus: Bus;
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Extra routes mounted under /api/v1, such as camera discovery. */
  discoveryRouter?: Router;
  /** ffmpeg binary for the live-view relay; defaults to the one from @ffmpeg-installer/ffmpeg. */
  ffmpegPath?: string;
  logger?: Logger;
  /** Bytes queued for one live event client beyond which its events are dropped. */
  liveMaxBufferedBytes?: number;
}

export interface ApiServer {
  /** Base URL, for example http://127.0.0.1:8080 */
  url: string;
  port: number;
  close(): Promise<void>;
}

const PUBLIC_DIR = path.join(__dirname, 'public');
const LIVE_PATH = '/api/v1/live';
const VIDEO_PATH = /^\/api\/v1\/cameras\/([^/]+)\/video$/;
/**
 * Everything comes from this origin. JSMpeg's decoder needs WebAssembly compilation, and the
 * player bundle injects a <style> element when it loads, hence the two exceptions.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

function jsmpegPlayerFile(): string {
  const main = require.resolve('@cycjimmy/jsmpeg-player');
  return path.join(path.dirname(main), 'jsmpeg-player.umd.min.js');
}

function createApp(options: ApiServerOptions, logger: Logger, live: LiveEventHub, video: VideoRelayHub): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  const playerFile = jsmpegPlayerFile();
  app.get('/vendor/jsmpeg-player.js', (_req, res) => res.sendFile(playerFile));
  app.use('/api/v1', createRestRouter({
    backend: options.backend,
    logger,
    extraRouter: options.discoveryRouter,
    onCameraRemoved: (cameraId) => video.stop(cameraId),
    healthDetails: () => ({ live: live.counters(), videoRelays: video.activeCameraIds().length, discovery: options.discoveryRouter !== undefined }),
  }));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html' }));
  return app;
}

/** Accepts a websocket only from a page served by this server, or from a client that sends no Origin (not a browser). */
function isSameOrigin(request: http.IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function routeUpgrades(server: http.Server, live: LiveEventHub, video: VideoRelayHub): WebSocketServer {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const videoMatch = VIDEO_PATH.exec(pathname);
    if (pathname !== LIVE_PATH && !videoMatch) return rejectUpgrade(socket, 404, 'Not Found');
    if (!isSameOrigin(request)) return rejectUpgrade(socket, 403, 'Forbidden');
    sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      if (videoMatch) video.attach(decodeURIComponent(videoMatch[1]), ws);
      else live.attach(ws);
    });
  });
  return sockets;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = (options.logger ?? defaultLogger).child({ component: 'api' });
  const live = new LiveEventHub(options.bus, logger, options.liveMaxBufferedBytes);
  const video = new VideoRelayHub({
    resolveUrl: (cameraId) => options.backend.liveStreamUrl(cameraId),
    ffmpegPath: options.ffmpegPath ?? ffmpeg.path,
    logger,
  });
  const server = http.createServer(createApp(options, logger, live, video));
  const sockets = routeUpgrades(server, live, video);
  const port = await listen(server, options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  logger.info('API server listening', { host, port });

  const close = async (): Promise<void> => {
    live.close();
    video.stopAll();
    for (const client of sockets.clients) client.terminate();
    sockets.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    logger.info('API server stopped', { port });
  };
  return { url: `http://${urlHost}:${port}`, port, close };
}
