/**
 * Encodes raw RGB frames into an MP4 with the ffmpeg binary from
 * @ffmpeg-installer/ffmpeg, and decodes a clip back to raw RGB for checks.
 */
import { spawn } from 'node:child_process';
import type { VideoCodec } from './types';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ffmpegPath: string = require('@ffmpeg-installer/ffmpeg').path;

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
  private readonly process;

  constructor(private readonly settings: EncoderSettings) {
    this.process = spawn(ffmpegPath, encoderArgs(settings), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.process.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_LIMIT);
    });
    this.process.stdin.on('error', (error) => {
      this.failure = error;
    });
    this.exited = new Promise((resolve, reject) => {
      this.process.on('error', reject);
      this.process.on('close', (code) => resolve(code));
    });
  }

  /** Writes one frame of width * height * 3 bytes; the buffer must not be reused afterwards. */
  async write(frame: Buffer): Promise<void> {
    if (this.failure) throw this.encodeError(this.failure.message);
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

  /** Stops ffmpeg after a rendering error; the partial output file is left as it is. */
  abort(): void {
    this.process.stdin.destroy();
    this.process.kill('SIGKILL');
  }

  private encodeError(reason: string): Error {
    return new Error(`encoding ${this.settings.out} failed: ${reason}. ffmpeg stderr: ${this.stderr.trim() || '(empty)'}`);
  }
}

export interface DecodedClip {
  width: number;
  height: number;
  /** Codec name as ffmpeg reports it, e.g. 'h264' or 'hevc'. */
  codec: string;
  frameCount: number;
  /** All frames as packed RGB24. */
  frames: Buffer;
}

/** Decodes a whole clip to RGB24 in memory; meant for short clips in tests and checks. */
export async function decodeClip(clipPath: string): Promise<DecodedClip> {
  const child = spawn(ffmpegPath, ['-hide_banner', '-i', clipPath, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`decoding ${clipPath} failed with code ${code}: ${stderr.slice(-STDERR_LIMIT)}`);
  return parseDecoded(clipPath, stderr, Buffer.concat(chunks));
}

function parseDecoded(clipPath: string, stderr: string, frames: Buffer): DecodedClip {
  const stream = /Stream #0:\d+[^:]*: Video: (\w+)[^\n]*?, (\d+)x(\d+)/.exec(stderr);
  if (!stream) throw new Error(`no video stream found in ${clipPath}: ${stderr.slice(-STDERR_LIMIT)}`);
  const width = Number(stream[2]);
  const height = Number(stream[3]);
  const frameBytes = width * height * 3;
  if (frames.length % frameBytes !== 0) {
    throw new Error(`decoded ${frames.length} bytes from ${clipPath}, not a whole number of ${width}x${height} frames`);
  }
  return { width, height, codec: stream[1], frameCount: frames.length / frameBytes, frames };
}
