/**
 * Options of an FfmpegSource, their defaults and their validation.
 */

import type { SlotPolicy } from './frame-slot';
import { isRtspUrl } from './ffmpeg-args';
import { redactUrl } from './redact';

/**
 * `live`: frames are stamped with the Unix time of arrival and handed over
 * latest-wins (a slow consumer causes counted drops). `file`: frames are
 * stamped seq/fps seconds from the start and handed over with backpressure
 * (nothing is dropped, the run is deterministic).
 */
export type SourceMode = 'live' | 'file';

/** Logging calls used by the source; plugin/log/logger.ts's Logger fits. */
export interface IngestLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface FfmpegSourceOptions {
  cameraId: string;
  /** A file path (H.264 or H.265 MP4, or anything ffmpeg reads) or an rtsp:// / rtsps:// URL, credentials allowed. */
  input: string;
  /** Width of the delivered frames in pixels. */
  width: number;
  /** Height of the delivered frames in pixels. */
  height: number;
  /** Frames per second to deliver (a maximum for live streams). */
  fps: number;
  /** Default: `live` for RTSP URLs, `file` otherwise. */
  mode?: SourceMode;
  /** Restart ffmpeg when it exits or stalls. Default: true for RTSP URLs, false otherwise. */
  reconnect?: boolean;
  /** Read a file at its native frame rate (`-re`), like a camera. Default false. */
  realtime?: boolean;
  /** ffmpeg binary. Default: $SHOPFACE_FFMPEG, else the one from @ffmpeg-installer/ffmpeg. */
  ffmpegPath?: string;
  /** Decoder threads per ffmpeg process. Default 1, because a store runs one ffmpeg per camera on a few cores. */
  decodeThreads?: number;
  /** Milliseconds without a frame before the camera is reported as `no-frames` (or restarted when its connection is gone). Default 10000. */
  noFrameTimeoutMs?: number;
  /** Milliseconds without a frame, connection still up, before ffmpeg is restarted anyway. Default 300000. */
  stallTimeoutMs?: number;
  /** RTSP socket I/O timeout given to ffmpeg, in milliseconds. Default: stallTimeoutMs. */
  socketTimeoutMs?: number;
  /** First reconnect delay in milliseconds. Default 1000. */
  backoffMinMs?: number;
  /** Largest reconnect delay in milliseconds. Default 30000. */
  backoffMaxMs?: number;
  /** Delay before retrying after the server rejected the credentials (401), in milliseconds. Default 60000. */
  authRetryMs?: number;
  /** Milliseconds between SIGTERM and SIGKILL when stopping ffmpeg. Default 2000. */
  stopGraceMs?: number;
  /** ffmpeg stderr lines kept for the failure log. Default 50. */
  stderrLines?: number;
  /** Default: logger.child({ cameraId }) from plugin/log/logger. */
  logger?: IngestLogger;
}

export interface ResolvedSourceOptions extends Required<Omit<FfmpegSourceOptions, 'ffmpegPath' | 'logger'>> {
  network: boolean;
  policy: SlotPolicy;
}

const POSITIVE_MS_FIELDS = [
  'noFrameTimeoutMs',
  'stallTimeoutMs',
  'socketTimeoutMs',
  'backoffMinMs',
  'backoffMaxMs',
  'authRetryMs',
  'stopGraceMs',
] as const;

/** Fills in defaults and validates; throws a RangeError or TypeError naming the invalid field. */
export function resolveSourceOptions(options: FfmpegSourceOptions): ResolvedSourceOptions {
  requireText(options.cameraId, 'cameraId');
  requireText(options.input, 'input');
  const network = isRtspUrl(options.input);
  const mode = options.mode ?? (network ? 'live' : 'file');
  const stallTimeoutMs = options.stallTimeoutMs ?? 300_000;
  const resolved: ResolvedSourceOptions = {
    cameraId: options.cameraId,
    input: options.input,
    width: options.width,
    height: options.height,
    fps: options.fps,
    mode,
    reconnect: options.reconnect ?? network,
    realtime: options.realtime ?? false,
    decodeThreads: options.decodeThreads ?? 1,
    noFrameTimeoutMs: options.noFrameTimeoutMs ?? 10_000,
    stallTimeoutMs,
    socketTimeoutMs: options.socketTimeoutMs ?? stallTimeoutMs,
    backoffMinMs: options.backoffMinMs ?? 1000,
    backoffMaxMs: options.backoffMaxMs ?? 30_000,
    authRetryMs: options.authRetryMs ?? 60_000,
    stopGraceMs: options.stopGraceMs ?? 2000,
    stderrLines: options.stderrLines ?? 50,
    network,
    policy: mode === 'live' ? 'latest-wins' : 'backpressure',
  };
  validate(resolved);
  return resolved;
}

function validate(options: ResolvedSourceOptions): void {
  requirePositiveInteger(options.width, 'width');
  requirePositiveInteger(options.height, 'height');
  requirePositiveInteger(options.decodeThreads, 'decodeThreads');
  requirePositiveInteger(options.stderrLines, 'stderrLines');
  if (!(Number.isFinite(options.fps) && options.fps > 0)) {
    throw new RangeError(`invalid fps ${options.fps}: expected a positive number of frames per second`);
  }
  if (options.mode !== 'live' && options.mode !== 'file') {
    throw new RangeError(`invalid mode ${JSON.stringify(options.mode)}: expected "live" or "file"`);
  }
  for (const field of POSITIVE_MS_FIELDS) requirePositiveNumber(options[field], field);
  if (options.stallTimeoutMs < options.noFrameTimeoutMs) {
    throw new RangeError(
      `invalid stallTimeoutMs ${options.stallTimeoutMs}: must be at least noFrameTimeoutMs (${options.noFrameTimeoutMs})`,
    );
  }
  if (options.backoffMaxMs < options.backoffMinMs) {
    throw new RangeError(`invalid backoffMaxMs ${options.backoffMaxMs}: must be at least backoffMinMs (${options.backoffMinMs})`);
  }
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`missing ${field}: expected a non-empty string, got ${redactUrl(String(value))}`);
  }
}

function requirePositiveInteger(value: number, field: string): void {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`invalid ${field} ${value}: expected a positive integer`);
  }
}

function requirePositiveNumber(value: number, field: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`invalid ${field} ${value}: expected a positive number of milliseconds`);
  }
}
