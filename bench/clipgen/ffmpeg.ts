/**
 * Encodes raw RGB frames into an MP4 with the ffmpeg binary from
 * @ffmpeg-installer/ffmpeg, and decodes a clip back to raw RGB for checks.
 */
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { VideoCodec } from './types';

const ffmpegPath = ffmpegInstaller.path;

const STDERR_LIMIT = 8000;

export interface EncoderSettings {
  out: string;
  width: number;
  height: number;
  fps: number;
  codec: VideoCodec;
}

function codecArgs(codec: VideoCodec): string[] {
  if (codec === 'h265') return ['-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', 'log-level=error'];
  return ['-c:v', 'libx264'];
}

export function encoderArgs(settings: EncoderSettings): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${settings.width}x${settings.height}`, '-r', String(settings.fps), '-i', '-',
    '-an', ...codecArgs(settings.codec), '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-g', String(2 * settings.fps),
    '-movflags', '+faststart', settings.out,
  ];
}

/** Streams frames into an ffmpeg process, waiting for the pipe to drain so memory stays flat. */
export class ClipEncoder {
  private stderr = '';
  private failure: Error | null = null;
  private readonly exited: Promise<number | null>;
  private readonly process: ChildProcessByStdio<Writable, null, Readable>;

  constructor(private readonly settings: EncoderSettings) {
    this.process = spawn(ffmpegPath, encoderArgs(settings), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.process.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_LIMIT);
    });
    this.process.stdin.on('error', (error) => {
      this.failure = error;
    });
    // A spawn failure is recorded, not thrown, so it surfaces from write() or finish().
    this.exited = new Promise((resolve) => {
      this.process.on('error', (error) => {
        this.failure = error;
        resolve(null);
      });
      this.process.on('close', (code) => resolve(code));
    });
  }

  /** Writes one frame of width * height * 3 bytes. The caller must not reuse the buffer afterwards. */
  async write(frame: Buffer): Promise<void> {
    if (this.failure) {
      await this.exited;
      throw this.encodeError(this.failure.message);
    }
    if (this.process.stdin.write(frame)) return;
    await new Promise<void>((resolve) => {
      const stdin = this.process.stdin;
      const done = (): void => {
        stdin.off('drain', done);
        stdin.off('close', done);
        resolve();
      };
      stdin.on('drain', done);
      stdin.on('close', done);
    });
  }

  /** Closes the input and waits for ffmpeg to finish writing the file. */
  async finish(): Promise<void> {
    this.process.stdin.end();
    const code = await this.exited;
    if (code !== 0 || this.failure) throw this.encodeError(`ffmpeg exited with code ${code}`);
  }

  /** Stops ffmpeg after a rendering error and leaves the partial output file as it is. */
  abort(): void {
    this.process.stdin.destroy();
    this.process.kill('SIGKILL');
  }

  private encodeError(reason: string): Error {
    return new Error(`encoding ${this.settings.out} failed: ${reason}. ffmpeg stderr: ${this.stderr.trim() || '(empty)'}`);
  }
}

export interface ClipInfo {
  width: number;
  height: number;
  /** Codec name as ffmpeg reports it, e.g. 'h264' or 'hevc'. */
  codec: string;
  /** Codec tag in the MP4, e.g. 'avc1' or 'hvc1', or null when ffmpeg prints none. */
  codecTag: string | null;
  frameCount: number;
}

export interface DecodedClip extends ClipInfo {
  /** All frames as packed RGB24. */
  frames: Buffer;
}

interface FfmpegRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function runFfmpeg(args: string[]): Promise<FfmpegRun> {
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
  });
}

function parseStream(clipPath: string, stderr: string): Omit<ClipInfo, 'frameCount'> {
  const stream = /Stream #0:\d+[^:]*: Video: (\w+)[^\n]*?, (\d+)x(\d+)/.exec(stderr);
  if (!stream) throw new Error(`no video stream found in ${clipPath}: ${stderr.slice(-STDERR_LIMIT)}`);
  const tag = /Stream #0:\d+[^:]*: Video: \w+[^\n]*?\((\w+) \/ 0x[0-9a-f]+\)/.exec(stderr);
  return { codec: stream[1], codecTag: tag ? tag[1] : null, width: Number(stream[2]), height: Number(stream[3]) };
}

/** Reads codec, size and frame count of a clip by decoding it to ffmpeg's null output. */
export async function probeClip(clipPath: string): Promise<ClipInfo> {
  const run = await runFfmpeg(['-hide_banner', '-i', clipPath, '-map', '0:v:0', '-f', 'null', '-']);
  if (run.code !== 0) throw new Error(`reading ${clipPath} failed with code ${run.code}: ${run.stderr.slice(-STDERR_LIMIT)}`);
  const frames = [...run.stderr.matchAll(/frame=\s*(\d+)/g)];
  if (frames.length === 0) throw new Error(`ffmpeg printed no frame count for ${clipPath}`);
  return { ...parseStream(clipPath, run.stderr), frameCount: Number(frames[frames.length - 1][1]) };
}

/** Decodes a whole clip to RGB24 in memory, so use it only for short clips. */
export async function decodeClip(clipPath: string): Promise<DecodedClip> {
  const run = await runFfmpeg(['-hide_banner', '-i', clipPath, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  if (run.code !== 0) throw new Error(`decoding ${clipPath} failed with code ${run.code}: ${run.stderr.slice(-STDERR_LIMIT)}`);
  const stream = parseStream(clipPath, run.stderr);
  const frameBytes = stream.width * stream.height * 3;
  if (run.stdout.length % frameBytes !== 0) {
    throw new Error(`decoded ${run.stdout.length} bytes from ${clipPath}, not a whole number of ${stream.width}x${stream.height} frames`);
  }
  return { ...stream, frameCount: run.stdout.length / frameBytes, frames: run.stdout };
}
