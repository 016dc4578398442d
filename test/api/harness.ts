/**
 * Starts the API server on 127.0.0.1 with a random port, a real Bus, an
 * in-memory backend and a logger whose lines are kept for inspection.
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { Bus } from '../../plugin/core/bus';
import { Logger } from '../../plugin/log/logger';
import { createApiServer, type ApiServer, type ApiServerOptions } from '../../plugin/api/server';
import { MemoryBackend } from './memory-backend';

export interface Harness {
  server: ApiServer;
  backend: MemoryBackend;
  bus: Bus;
  logLines: string[];
  /** The ws:// form of server.url. */
  wsUrl: string;
}

export async function startHarness(overrides: Partial<ApiServerOptions> = {}): Promise<Harness> {
  const backend = new MemoryBackend();
  const bus = new Bus();
  const logLines: string[] = [];
  const logger = new Logger({}, { write: (line) => void logLines.push(line) });
  const server = await createApiServer({ backend, bus, port: 0, logger, ...overrides });
  return { server, backend, bus, logLines, wsUrl: server.url.replace(/^http/, 'ws') };
}

export async function getJson(url: string): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text, headers: response.headers };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

/** Opens a websocket and resolves once it is open. */
export function openSocket(url: string, options?: WebSocket.ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the HTTP status of a rejected websocket upgrade. */
export function upgradeStatus(url: string, options?: WebSocket.ClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => reject(new Error(`upgrade to ${url} was accepted`)));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Returns the ids of ffmpeg processes that are children of this process (Linux /proc). */
export function childFfmpegPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (match && match[1] === 'ffmpeg' && Number(match[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // The process ended while it was being read.
    }
  }
  return pids;
}
