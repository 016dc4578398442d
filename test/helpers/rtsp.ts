/**
 * Test helpers for live video: H.264/H.265 clips made with ffmpeg's lavfi
 * `testsrc2` in a temporary folder, and the GStreamer RTSP camera emulator
 * (test/helpers/rtsp-server.py) as a child process on 127.0.0.1.
 */

import { ChildProcess, execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveFfmpegPath } from '../../plugin/ingest/ffmpeg-args';

export type VideoCodec = 'h264' | 'h265';

export interface ClipOptions {
  codec: VideoCodec;
  seconds: number;
  fps: number;
  width: number;
  height: number;
  /** Frames between keyframes. Default: fps (one a second), so a decoder recovers quickly after lost packets. */
  keyframeInterval?: number;
}

/** Creates a temporary folder for clips; delete it with removeDir(). */
export function makeTempDir(prefix = 'shopface-ingest-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): Promise<void> {
  return fs.rm(dir, { recursive: true, force: true });
}

/** Encodes a `testsrc2` clip (moving pattern, a frame counter and a clock) into `dir` and returns its path. */
export async function makeTestClip(dir: string, options: ClipOptions): Promise<string> {
  const { codec, seconds, fps, width, height } = options;
  const keyint = options.keyframeInterval ?? fps;
  const file = path.join(dir, `testsrc2-${codec}-${width}x${height}-${fps}fps-${seconds}s.mp4`);
  const encoder =
    codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(keyint)]
      : ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `keyint=${keyint}:log-level=error`];
  const source = `testsrc2=size=${width}x${height}:rate=${fps}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, '-t', String(seconds)];
  await run(resolveFfmpegPath(), [...args, ...encoder, '-pix_fmt', 'yuv420p', file]);
  return file;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} failed: ${error.message}\n${stderr}`));
      else resolve();
    });
  });
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until 127.0.0.1:`port` accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return;
    await delay(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for 127.0.0.1:${port} to accept connections`);
}

export interface RtspMount {
  /** Mount point, e.g. `/cam1`. */
  path: string;
  codec: VideoCodec;
  clip: string;
}

export interface RtspServerOptions {
  mounts: RtspMount[];
  /** Default: a free port. */
  port?: number;
  /** Require these credentials (401 otherwise). */
  user?: string;
  password?: string;
  auth?: 'basic' | 'digest';
}

/** Interpreter with the GStreamer bindings: the Debian one, not a pyenv or venv python3. */
const PYTHON = process.env.SHOPFACE_TEST_PYTHON ?? '/usr/bin/python3';
const SERVER_SCRIPT = path.join(__dirname, 'rtsp-server.py');
const START_TIMEOUT_MS = 15_000;

/** The RTSP camera emulator as a child process; each clip plays once, in real time, from the start for every new session. */
export class RtspTestServer {
  private child?: ChildProcess;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly options: RtspServerOptions,
  ) {}

  static async start(options: RtspServerOptions): Promise<RtspTestServer> {
    const server = new RtspTestServer(options.port ?? (await freePort()), options);
    await server.launch();
    return server;
  }

  /** Builds the stream URL of `mount`, with `user:password@` when credentials are given. */
  url(mount: string, credentials?: { user: string; password: string }): string {
    const userInfo = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
    return `rtsp://${userInfo}127.0.0.1:${this.port}${mount}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Ends the server with SIGTERM (clean shutdown). */
  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  /** Ends the server with SIGKILL, like a crashed or unplugged camera. */
  kill(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  /** Starts the server again on the same port (after stop() or kill()). */
  async restart(): Promise<void> {
    await this.terminate('SIGKILL');
    await this.launch();
  }

  private async launch(): Promise<void> {
    const child = spawn(PYTHON, [SERVER_SCRIPT, ...this.serverArgs()], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    const collect = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`rtsp-server.py exited with code ${code} during start:\n${this.output}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.port, START_TIMEOUT_MS), exited]);
  }

  private serverArgs(): string[] {
    const args = ['--port', String(this.port)];
    for (const mount of this.options.mounts) args.push('--mount', mount.path, mount.codec, mount.clip);
    if (this.options.user !== undefined) args.push('--user', this.options.user, '--password', this.options.password ?? '');
    if (this.options.auth) args.push('--auth', this.options.auth);
    return args;
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
