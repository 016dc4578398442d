/**
 * One video source decoded by one ffmpeg child process: a file or a live RTSP
 * camera in, fixed-size RGB24 frames out through `next()`.
 *
 * Live sources are watched: a camera that stops sending frames while its
 * RTSP connection stays up (a motion-only camera) is reported as `no-frames`
 * and only restarted after the long stall timeout. A camera whose ffmpeg
 * exits or loses its connection is restarted with exponential backoff and
 * jitter. A period without frames after the first frame (a restart, or
 * silence longer than noFrameTimeoutMs) is reported as a `gap` event once
 * frames resume, or when the source stops.
 */

import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { CameraState, Frame } from '../core/types';
import { logger as rootLogger } from '../log/logger';
import { backoffDelayMs } from './backoff';
import { buildFfmpegArgs, detectSocketTimeoutOption, resolveFfmpegPath } from './ffmpeg-args';
import { FrameSlot } from './frame-slot';
import { FrameSplitter } from './frame-splitter';
import { LineRing } from './line-ring';
import { credentialSecrets, redactSecrets } from './redact';
import { FfmpegSourceOptions, IngestLogger, ResolvedSourceOptions, resolveSourceOptions } from './source-options';
import { tcpLiveness } from './tcp-liveness';

/** ffmpeg's stderr when the server responds with 401 ("method DESCRIBE failed: 401 Unauthorized", "... (authorization failed)"). */
const AUTH_REJECTED = /\b401\b.*unauthori[sz]ed|authori[sz]ation failed/i;

export interface SourceStats {
  /** Complete frames read from ffmpeg, over all restarts. */
  framesDecoded: number;
  /** Frames returned by next(). */
  framesDelivered: number;
  /** Frames replaced by a newer one before the consumer took them (live mode only). */
  framesDropped: number;
  /** ffmpeg processes started after the first one. */
  restarts: number;
  state: CameraState;
  /** Reason for the current state, without credentials. */
  detail?: string;
}

export interface SourceStateChange {
  cameraId: string;
  state: CameraState;
  previous: CameraState;
  detail?: string;
}

/** A period without frames: from the last frame before it to the first frame after it (or the stop), in Unix seconds like Frame.ts. */
export interface FrameGap {
  cameraId: string;
  fromTs: number;
  toTs: number;
}

export interface FfmpegSource {
  on(event: 'state', listener: (change: SourceStateChange) => void): this;
  on(event: 'gap', listener: (gap: FrameGap) => void): this;
  once(event: 'state', listener: (change: SourceStateChange) => void): this;
  once(event: 'gap', listener: (gap: FrameGap) => void): this;
  off(event: 'state', listener: (change: SourceStateChange) => void): this;
  off(event: 'gap', listener: (gap: FrameGap) => void): this;
}

export class FfmpegSource extends EventEmitter {
  readonly cameraId: string;
  private readonly options: ResolvedSourceOptions;
  private readonly ffmpegPath: string;
  private readonly log: IngestLogger;
  private readonly secrets: string[];
  private readonly stderr: LineRing;
  private readonly splitter: FrameSplitter;
  private readonly slot: FrameSlot<Frame>;

  private state: CameraState = 'starting';
  private detail?: string;
  private started = false;
  private stopping = false;
  private stopped?: Promise<void>;
  private child?: ChildProcess;
  private childClosed?: Promise<void>;
  private childArgs: string[] = [];
  private spawnError?: Error;
  private authRejected = false;
  private restartReason?: string;
  private seq = 0;
  private decoded = 0;
  private restarts = 0;
  private failuresInRow = 0;
  private lastFrameMs = 0;
  private lastFrameTs = 0;
  private spawnedAtMs = 0;
  private gapOpen = false;
  private retryTimer?: NodeJS.Timeout;
  private watchdogTimer?: NodeJS.Timeout;
  private watchdogBusy = false;
  private stdoutPaused = false;

  constructor(options: FfmpegSourceOptions) {
    super();
    this.options = resolveSourceOptions(options);
    this.cameraId = this.options.cameraId;
    this.ffmpegPath = resolveFfmpegPath(options.ffmpegPath);
    this.log = options.logger ?? rootLogger.child({ cameraId: this.cameraId });
    this.secrets = credentialSecrets(this.options.input);
    this.stderr = new LineRing(this.options.stderrLines, (line) => this.redact(line));
    this.splitter = new FrameSplitter(this.options.width * this.options.height * 3);
    this.slot = new FrameSlot<Frame>(this.options.policy, {
      pause: () => (this.stdoutPaused = true),
      resume: () => {
        this.stdoutPaused = false;
        if (this.child) this.readStdout(this.child);
      },
    });
  }

  /** Starts ffmpeg. Resolves once the first process is spawned; rejects only when the ffmpeg binary cannot be run at all. */
  async start(): Promise<void> {
    if (this.started) throw new Error(`camera ${this.cameraId}: start() was already called; create a new FfmpegSource to start again`);
    this.started = true;
    try {
      this.childArgs = await this.buildArgs();
    } catch (error) {
      this.fail(this.redact((error as Error).message));
      throw new Error(this.detail);
    }
    if (this.stopping) return;
    this.log.info('source starting', { input: this.redact(this.options.input), mode: this.options.mode });
    this.spawnChild();
    if (this.options.reconnect) this.startWatchdog();
  }

  /** Resolves with the next frame, or null once the source has ended, failed for good or been stopped. */
  next(): Promise<Frame | null> {
    return this.slot.next();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    for (;;) {
      const frame = await this.next();
      if (frame === null) return;
      yield frame;
    }
  }

  stats(): SourceStats {
    return {
      framesDecoded: this.decoded,
      framesDelivered: this.slot.framesDelivered,
      framesDropped: this.slot.framesDropped,
      restarts: this.restarts,
      state: this.state,
      detail: this.detail,
    };
  }

  /** Returns the last ffmpeg stderr lines, oldest first, with credentials removed. */
  stderrTail(): string[] {
    return this.stderr.tail();
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL after stopGraceMs) and resolves every pending next() with null. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdogTimer);
    this.slot.close();
    if (this.gapOpen && this.seq > 0) this.emitGap(this.frameClockNow());
    await this.killChild();
    // A file that already ended keeps its 'end of input' detail.
    if (this.state !== 'stopped') this.setState('stopped', 'stopped by request');
    this.log.info('source stopped', this.counters());
  }

  private async buildArgs(): Promise<string[]> {
    const socketTimeoutOption = this.options.network ? await detectSocketTimeoutOption(this.ffmpegPath) : 'timeout';
    return buildFfmpegArgs({ ...this.options, socketTimeoutOption });
  }

  private spawnChild(): void {
    this.spawnError = undefined;
    this.authRejected = false;
    this.restartReason = undefined;
    this.spawnedAtMs = Date.now();
    const child = spawn(this.ffmpegPath, this.childArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.childClosed = new Promise((resolve) => child.once('close', () => resolve()));
    // Paused-mode reading ('readable' + read()) keeps backpressure under our control. With a 'data'
    // listener, Node resumes a child's stdout by itself when the child exits, flooding the frame queue.
    child.stdout.on('readable', () => this.readStdout(child));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => this.onStderr(child, text));
    child.on('error', (error) => {
      if (child === this.child) this.spawnError = error;
    });
    child.once('close', (code, signal) => this.onChildClose(child, code, signal));
  }

  /**
   * Reads ffmpeg's stdout until it is empty or the slot requests a pause.
   * Output of a process that is being replaced or stopped is read and
   * discarded, so that its pipe closes.
   */
  private readStdout(child: ChildProcess): void {
    const stdout = child.stdout;
    if (!stdout) return;
    const discard = child !== this.child || this.stopping;
    while (discard || !this.stdoutPaused) {
      const chunk = stdout.read() as Buffer | null;
      if (chunk === null) return;
      if (!discard) this.splitter.push(chunk, (data) => this.onFrame(data));
    }
  }

  private onFrame(data: Buffer): void {
    const nowMs = Date.now();
    const ts = this.options.mode === 'live' ? nowMs / 1000 : this.seq / this.options.fps;
    if (this.options.mode === 'live' && this.seq > 0 && this.isGapEnding(nowMs)) this.emitGap(ts);
    this.gapOpen = false;
    this.lastFrameMs = nowMs;
    this.lastFrameTs = ts;
    this.failuresInRow = 0;
    if (this.state !== 'live') this.setState('live');
    const { cameraId } = this;
    const { width, height } = this.options;
    this.decoded += 1;
    this.slot.push({ cameraId, ts, seq: this.seq++, width, height, data });
  }

  private isGapEnding(nowMs: number): boolean {
    return this.gapOpen || nowMs - this.lastFrameMs > this.options.noFrameTimeoutMs;
  }

  private onStderr(child: ChildProcess, text: string): void {
    for (const line of this.stderr.push(text)) {
      if (child === this.child && AUTH_REJECTED.test(line)) this.authRejected = true;
    }
  }

  private onChildClose(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.stderr.flush();
    const partialBytes = this.splitter.reset();
    if (this.stopping) return;
    if (partialBytes > 0) this.log.debug('incomplete frame discarded', { bytes: partialBytes });
    if (this.spawnError) {
      this.fail(`failed to run ffmpeg (${this.ffmpegPath}): ${this.redact(this.spawnError.message)}; set SHOPFACE_FFMPEG or ffmpegPath`);
      return;
    }
    const reason = this.restartReason ?? this.describeExit(code, signal);
    if (this.options.reconnect) this.scheduleReconnect(reason);
    else this.finish(code, reason);
  }

  /** Ends a source that is not reconnected (a file): a clean exit is the end of the input. */
  private finish(code: number | null, reason: string): void {
    if (code === 0) {
      this.setState('stopped', 'end of input');
      this.log.info('source ended', this.counters());
      this.slot.end();
      return;
    }
    this.fail(reason);
  }

  private fail(reason: string): void {
    clearInterval(this.watchdogTimer);
    this.setState('failed', reason);
    this.log.error('source failed', { reason, stderr: this.stderr.tail(), ...this.counters() });
    this.slot.end();
  }

  private scheduleReconnect(reason: string): void {
    const auth = this.authRejected;
    const delayMs = auth
      ? this.options.authRetryMs
      : backoffDelayMs(this.failuresInRow, this.options.backoffMinMs, this.options.backoffMaxMs);
    this.logFailure(reason, delayMs);
    this.failuresInRow += 1;
    this.gapOpen = true;
    const retry = `retry in ${(delayMs / 1000).toFixed(1)} s`;
    if (auth) this.setState('auth-failed', `the server rejected the credentials (401 Unauthorized); check the user and password; ${retry}`);
    else this.setState('reconnecting', `${reason}; ${retry}`);
    this.retryTimer = setTimeout(() => this.respawn(), delayMs);
  }

  private respawn(): void {
    if (this.stopping) return;
    this.restarts += 1;
    this.log.debug('ffmpeg restarting', { restarts: this.restarts });
    this.spawnChild();
  }

  /** Logs the whole stderr tail on the first failure of a series and a one-line warning on each later one. */
  private logFailure(reason: string, retryInMs: number): void {
    const fields = { reason, retryInMs, failuresInRow: this.failuresInRow + 1, ...this.counters() };
    if (this.failuresInRow === 0) this.log.warn('camera failed; reconnecting', { ...fields, stderr: this.stderr.tail() });
    else this.log.warn('camera reconnect failed', { ...fields, lastStderr: this.lastStderrLine() });
  }

  private startWatchdog(): void {
    const periodMs = Math.min(1000, Math.max(100, this.options.noFrameTimeoutMs / 4));
    this.watchdogTimer = setInterval(() => void this.checkWatchdog(), periodMs);
    this.watchdogTimer.unref();
  }

  /**
   * Applies the no-frame rules to the current ffmpeg process. A process that
   * is silent for noFrameTimeoutMs but still has its TCP connection is
   * reported as `no-frames`, because the camera may send only on motion. A
   * process that is silent without a connection, or silent for
   * stallTimeoutMs, is restarted.
   */
  private async checkWatchdog(): Promise<void> {
    const child = this.child;
    if (!child?.pid || this.stopping || this.watchdogBusy || this.restartReason) return;
    if (this.silentMs() < this.options.noFrameTimeoutMs) return;
    if (this.silentMs() >= this.options.stallTimeoutMs) {
      this.restartChild(`no frame for ${this.silentS()} s (stall timeout ${this.options.stallTimeoutMs} ms)`);
      return;
    }
    this.watchdogBusy = true;
    // NOTE: 'unknown' (no procfs) counts as connected, so without procfs only the stall timeout restarts a silent camera.
    const liveness = await tcpLiveness(child.pid).finally(() => (this.watchdogBusy = false));
    // A frame or an exit may have arrived while procfs was read.
    if (child !== this.child || this.stopping || this.silentMs() < this.options.noFrameTimeoutMs) return;
    const silentS = this.silentS();
    if (liveness === 'not-connected') {
      this.restartChild(`no frame for ${silentS} s and no open connection`);
      return;
    }
    if (this.state !== 'no-frames') this.reportNoFrames(silentS);
  }

  /** Milliseconds since the last frame, or since the current ffmpeg started when that is later. */
  private silentMs(): number {
    return Date.now() - Math.max(this.lastFrameMs, this.spawnedAtMs);
  }

  private silentS(): number {
    return Math.round(this.silentMs() / 1000);
  }

  private reportNoFrames(silentS: number): void {
    this.gapOpen = true;
    const detail = `no frame for ${silentS} s while the connection is up; restart after ${this.options.stallTimeoutMs / 1000} s without frames`;
    this.setState('no-frames', detail);
    this.log.warn('camera sends no frames', { silentS, lastStderr: this.lastStderrLine() });
  }

  private restartChild(reason: string): void {
    this.restartReason = reason;
    void this.killChild();
  }

  /** Sends SIGTERM, then SIGKILL after stopGraceMs, and resolves when the process and its pipes have closed. */
  private async killChild(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.readStdout(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs);
    await this.childClosed;
    clearTimeout(timer);
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    // ffmpeg exits with 0 when the server ends the stream; its last line is then only the output statistics.
    if (code === 0 && !signal) return 'the stream ended (the camera or server closed it)';
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const last = this.lastStderrLine();
    return last ? `ffmpeg ${how}: ${last}` : `ffmpeg ${how}`;
  }

  private lastStderrLine(): string | undefined {
    const lines = this.stderr.tail();
    return lines[lines.length - 1];
  }

  private emitGap(toTs: number): void {
    this.gapOpen = false;
    const gap: FrameGap = { cameraId: this.cameraId, fromTs: this.lastFrameTs, toTs };
    this.log.info('frame gap', { fromTs: gap.fromTs, toTs: gap.toTs });
    this.emit('gap', gap);
  }

  private setState(state: CameraState, detail?: string): void {
    if (state === this.state && detail === this.detail) return;
    const previous = this.state;
    this.state = state;
    this.detail = detail;
    if (state !== previous) this.emit('state', { cameraId: this.cameraId, state, previous, detail });
  }

  private frameClockNow(): number {
    return this.options.mode === 'live' ? Date.now() / 1000 : this.seq / this.options.fps;
  }

  private counters(): Record<string, number> {
    const { framesDecoded, framesDelivered, framesDropped, restarts } = this.stats();
    return { framesDecoded, framesDelivered, framesDropped, restarts };
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}
