/**
 * Cuts a byte stream of raw video (ffmpeg `-f rawvideo`) into frames of
 * exactly `frameBytes` bytes. Each frame gets its own buffer, so a consumer
 * may keep it after the next chunk arrives.
 */
export class FrameSplitter {
  private current: Buffer;
  private filled = 0;

  constructor(readonly frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) {
      throw new RangeError(`invalid frameBytes ${frameBytes}: expected a positive integer`);
    }
    this.current = Buffer.allocUnsafe(frameBytes);
  }

  /** Bytes of an incomplete frame waiting for the next chunk. */
  get pendingBytes(): number {
    return this.filled;
  }

  /** Appends `chunk` and calls `onFrame` for every frame it completes, in order. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const copied = chunk.copy(this.current, this.filled, offset, offset + this.frameBytes - this.filled);
      this.filled += copied;
      offset += copied;
      if (this.filled === this.frameBytes) {
        const frame = this.current;
        this.current = Buffer.allocUnsafe(this.frameBytes);
        this.filled = 0;
        onFrame(frame);
      }
    }
  }

  /** Discards an incomplete frame (after the producer restarted or ended); returns how many bytes were dropped. */
  reset(): number {
    const dropped = this.filled;
    this.filled = 0;
    return dropped;
  }
}
