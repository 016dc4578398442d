import { spawn } from 'node:child_process';
import { DiscoveryError } from './errors';
import { redactUrl, withCredentials } from './stream-uri';
import type { Credentials } from './types';

export interface StreamCheckOptions {
  /** Path of the ffmpeg binary (default: the one from @ffmpeg-installer/ffmpeg). */
  ffmpegPath?: string;
  /** Time limit in milliseconds (default 15000). */
  timeoutMs?: number;
  /** Frames to decode before the stream counts as working (default 1). */
  frames?: number;
}

export interface StreamCheckResult {
  /** Bytes of decoded RGB24 video received. */
  decodedBytes: number;
}

function defaultFfmpegPath(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/**
 * Decodes a few frames of an RTSP stream over TCP with ffmpeg. Throws a
 * `DiscoveryError` ('stream-failed') with ffmpeg's last error lines,
 * credentials removed, when nothing decodes in time.
 */
export function checkStream(
  rtspUrl: string,
  credentials: Credentials | undefined,
  options: StreamCheckOptions = {},
): Promise<StreamCheckResult> {
  const frames = options.frames ?? 1;
  const args = [
    '-nostdin',
    '-loglevel',
    'error',
    '-rtsp_transport',
    'tcp',
    '-i',
    withCredentials(rtspUrl, credentials),
  ];
  args.push('-frames:v', String(frames), '-an', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-');
  const child = spawn(options.ffmpegPath ?? defaultFfmpegPath(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let decodedBytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (decodedBytes += chunk.length));
  child.stderr.on(
    'data',
    (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new DiscoveryError('stream-failed', `ffmpeg could not be started: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && decodedBytes > 0) {
        resolve({ decodedBytes });
        return;
      }
      const reason =
        signal === 'SIGKILL'
          ? `no frame decoded within ${options.timeoutMs ?? 15000} ms`
          : lastLines(stderr, credentials) || `ffmpeg exited with code ${code}`;
      reject(
        new DiscoveryError(
          'stream-failed',
          `stream ${redactUrl(rtspUrl)} does not decode: ${reason}`,
        ),
      );
    });
  });
}

/** Returns the last lines of ffmpeg's stderr with any URL userinfo and the password removed. */
function lastLines(stderr: string, credentials: Credentials | undefined): string {
  let text = stderr.replace(/\/\/[^/@\s]*@/g, '//');
  if (credentials?.password) {
    text = text
      .split(credentials.password)
      .join('***')
      .split(encodeURIComponent(credentials.password))
      .join('***');
  }
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
}
