/**
 * Hand-off of frames from a producer (ffmpeg's stdout) to one consumer that
 * calls `next()`. Memory stays bounded in both policies:
 *
 * - `latest-wins` (live cameras): at most one frame waits. A new frame
 *   replaces the waiting one and the replaced frame counts as dropped, so the
 *   consumer always gets the most recent frame.
 * - `backpressure` (files): nothing is dropped. While a frame waits, the
 *   producer is paused through `pause()` and resumed through `resume()` once
 *   the consumer has taken every waiting frame. Frames already cut from the
 *   chunk being processed still queue, so the queue is bounded by one read
 *   chunk of the producer.
 */

export type SlotPolicy = 'latest-wins' | 'backpressure';

export interface FlowControl {
  pause(): void;
  resume(): void;
}

type Waiter<T> = (item: T | null) => void;

export class FrameSlot<T> {
  private readonly waiting: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private closed = false;
  private paused = false;
  private delivered = 0;
  private dropped = 0;

  constructor(
    readonly policy: SlotPolicy,
    private readonly flow: FlowControl = { pause() {}, resume() {} },
  ) {}

  get framesDelivered(): number {
    return this.delivered;
  }

  get framesDropped(): number {
    return this.dropped;
  }

  /** Frames waiting for the consumer (at most 1 under `latest-wins`). */
  get size(): number {
    return this.waiting.length;
  }

  /** Offers a frame from the producer; ignored after `end()` or `close()`. */
  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.deliver(waiter, item);
      return;
    }
    if (this.policy === 'latest-wins') {
      this.dropped += this.waiting.length;
      this.waiting.length = 0;
      this.waiting.push(item);
      return;
    }
    this.waiting.push(item);
    this.setPaused(true);
  }

  /** Resolves with the next frame, or null once the slot has ended and is empty, or has been closed. */
  next(): Promise<T | null> {
    const item = this.waiting.shift();
    if (item !== undefined) {
      this.delivered += 1;
      if (this.waiting.length === 0) this.setPaused(false);
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the end of the stream: waiting frames are still delivered, then next() returns null. */
  end(): void {
    this.closed = true;
    if (this.waiting.length === 0) this.releaseWaiters();
  }

  /** Stops at once: waiting frames are discarded (not counted as dropped) and every pending next() resolves with null. */
  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    this.releaseWaiters();
  }

  private deliver(waiter: Waiter<T>, item: T): void {
    this.delivered += 1;
    waiter(item);
  }

  private releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter(null);
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (paused) this.flow.pause();
    else this.flow.resume();
  }
}
