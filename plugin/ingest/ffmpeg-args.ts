/**
 * The ffmpeg binary and its command line for one source: a file or an RTSP
 * URL in, raw RGB24 frames of a fixed size on stdout.
 */

import { execFile } from 'node:child_process';

/** Name of the RTSP demuxer option that sets the socket I/O timeout (in microseconds). */
export type SocketTimeoutOption = 'stimeout' | 'timeout';

export interface DecodeArgs {
  input: string;
  width: number;
  height: number;
  fps: number;
  /** The input is a network stream: RTSP over TCP, no frame duplication, arrival order. */
  network: boolean;
  /** Read a file at its native frame rate (`-re`), as a camera would deliver it. */
  realtime: boolean;
  decodeThreads: number;
  socketTimeoutMs: number;
  socketTimeoutOption: SocketTimeoutOption;
}

/** Returns the ffmpeg to run: the `explicit` path, else $SHOPFACE_FFMPEG, else the binary shipped by @ffmpeg-installer/ffmpeg. */
export function resolveFfmpegPath(explicit?: string): string {
  if (explicit) return explicit;
  const fromEnv = process.env.SHOPFACE_FFMPEG;
  if (fromEnv) return fromEnv;
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/** True for inputs that ffmpeg opens over the network (rtsp, rtsps). */
export function isRtspUrl(input: string): boolean {
  return /^rtsps?:\/\//i.test(input);
}

const timeoutOptionCache = new Map<string, Promise<SocketTimeoutOption>>();

/**
 * Finds which RTSP socket timeout option `ffmpegPath` understands, from its
 * `-h demuxer=rtsp` output rather than its version. The 2018 build bundled
 * by @ffmpeg-installer lists `-stimeout`, and its `-timeout` is a listen
 * timeout that turns the client into a server. Later ffmpeg releases dropped
 * `-stimeout` and made `-timeout` the socket timeout. The result is cached
 * per binary.
 */
export function detectSocketTimeoutOption(ffmpegPath: string): Promise<SocketTimeoutOption> {
  let cached = timeoutOptionCache.get(ffmpegPath);
  if (!cached) {
    cached = queryRtspHelp(ffmpegPath).then((help) => (/^\s*-stimeout\b/m.test(help) ? 'stimeout' : 'timeout'));
    timeoutOptionCache.set(ffmpegPath, cached);
    cached.catch(() => timeoutOptionCache.delete(ffmpegPath));
  }
  return cached;
}

function queryRtspHelp(ffmpegPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath, ['-hide_banner', '-h', 'demuxer=rtsp'], { timeout: 10_000 }, (error, stdout) => {
      if (error) reject(new Error(`failed to run ${ffmpegPath} -h demuxer=rtsp: ${error.message}; set SHOPFACE_FFMPEG to a working ffmpeg`));
      else resolve(stdout);
    });
  });
}

/** Builds the ffmpeg argument list for `args`. */
export function buildFfmpegArgs(args: DecodeArgs): string[] {
  const global = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'];
  const input = args.network ? networkInputArgs(args) : fileInputArgs(args);
  const threads = ['-threads', String(args.decodeThreads)];
  const output = args.network ? networkOutputArgs(args) : fileOutputArgs(args);
  const raw = ['-an', '-sn', '-dn', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'];
  return [...global, ...threads, ...input, '-i', args.input, ...output, ...raw];
}

function networkInputArgs(args: DecodeArgs): string[] {
  const timeoutUs = String(Math.round(args.socketTimeoutMs * 1000));
  return ['-rtsp_transport', 'tcp', `-${args.socketTimeoutOption}`, timeoutUs, '-fflags', 'nobuffer'];
}

function fileInputArgs(args: DecodeArgs): string[] {
  return args.realtime ? ['-re'] : [];
}

/**
 * Live streams keep arrival order and get no duplicated frames, so a silent
 * camera produces no output. The `fps` filter would instead fill a silent
 * period with copies of the last frame. The `select` filter passes the first
 * frame, a frame at least 0.95/fps seconds after the last passed one, and a
 * frame whose timestamp went back. `-vsync passthrough` then writes each
 * passed frame once. The factor 0.95 lets frames with a few milliseconds of
 * timestamp jitter through, so while timestamps increase the output rate is
 * at most fps/0.95. `-vsync vfr -r F` would drop frames too, but it held each
 * frame back by about one source frame interval: 100 ms at 10 fps in bench/latency.ts.
 * NOTE: tested only with the bundled ffmpeg (2018); ffmpeg 5.1 and later deprecate `-vsync` in favour of `-fps_mode`.
 */
function networkOutputArgs(args: DecodeArgs): string[] {
  const minIntervalS = (0.95 / args.fps).toFixed(6);
  const select = `select='isnan(prev_selected_t)+gte(t-prev_selected_t,${minIntervalS})+lt(t,prev_selected_t)'`;
  return ['-vf', `${select},scale=${args.width}:${args.height}`, '-vsync', 'passthrough'];
}

/** Files are resampled to exactly F frames a second, so a clip of D seconds gives D*F frames. */
function fileOutputArgs(args: DecodeArgs): string[] {
  return ['-vf', `fps=${args.fps},scale=${args.width}:${args.height}`];
}
