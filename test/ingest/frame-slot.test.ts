import { backoffDelayMs } from '../../plugin/ingest/backoff';
import { FrameSlot } from '../../plugin/ingest/frame-slot';
import { FrameSplitter } from '../../plugin/ingest/frame-splitter';
import { LineRing } from '../../plugin/ingest/line-ring';

describe('FrameSplitter', () => {
  test('cuts chunks of any size into exact frames', () => {
    const splitter = new FrameSplitter(4);
    const frames: number[][] = [];
    const bytes = Buffer.from([...Array(14).keys()]);
    for (const size of [3, 1, 7, 3]) {
      const offset = frames.length * 4 + splitter.pendingBytes;
      splitter.push(bytes.subarray(offset, offset + size), (frame) => frames.push([...frame]));
    }
    expect(frames).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    expect(splitter.pendingBytes).toBe(2);
    expect(splitter.reset()).toBe(2);
  });

  test('gives each frame its own buffer', () => {
    const splitter = new FrameSplitter(2);
    const frames: Buffer[] = [];
    splitter.push(Buffer.from([1, 2, 3, 4]), (frame) => frames.push(frame));
    frames[0][0] = 9;
    expect([...frames[0]]).toEqual([9, 2]);
    expect([...frames[1]]).toEqual([3, 4]);
  });

  test('rejects a non-positive frame size', () => {
    expect(() => new FrameSplitter(0)).toThrow(/frameBytes/);
  });
});

describe('FrameSlot latest-wins', () => {
  test('keeps only the newest waiting frame', async () => {
    const slot = new FrameSlot<number>('latest-wins');
    slot.push(1);
    slot.push(2);
    slot.push(3);
    expect(slot.size).toBe(1);
    expect(await slot.next()).toBe(3);
    expect(slot.framesDropped).toBe(2);
    expect(slot.framesDelivered).toBe(1);
  });

  test('hands a frame straight to a waiting consumer', async () => {
    const slot = new FrameSlot<number>('latest-wins');
    const pending = slot.next();
    slot.push(7);
    expect(await pending).toBe(7);
    expect(slot.framesDropped).toBe(0);
  });

  test('close resolves pending next with null', async () => {
    const slot = new FrameSlot<number>('latest-wins');
    const pending = slot.next();
    slot.close();
    expect(await pending).toBeNull();
    expect(await slot.next()).toBeNull();
  });
});

describe('FrameSlot backpressure', () => {
  test('pauses the producer instead of dropping', async () => {
    const calls: string[] = [];
    const slot = new FrameSlot<number>('backpressure', {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    });
    slot.push(1);
    slot.push(2);
    expect(calls).toEqual(['pause']);
    expect(await slot.next()).toBe(1);
    expect(calls).toEqual(['pause']);
    expect(await slot.next()).toBe(2);
    expect(calls).toEqual(['pause', 'resume']);
    expect(slot.framesDropped).toBe(0);
  });

  test('end delivers waiting frames before null', async () => {
    const slot = new FrameSlot<number>('backpressure');
    slot.push(1);
    slot.end();
    slot.push(2);
    expect(await slot.next()).toBe(1);
    expect(await slot.next()).toBeNull();
  });
});

describe('backoffDelayMs', () => {
  test('doubles up to the maximum, with jitter in [d/2, d]', () => {
    expect(backoffDelayMs(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelayMs(0, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, 1000, 30_000, () => 1)).toBe(8000);
    expect(backoffDelayMs(10, 1000, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelayMs(10, 1000, 30_000, () => 0)).toBe(15_000);
  });
});

describe('LineRing', () => {
  test('keeps the last lines across chunk borders', () => {
    const ring = new LineRing(2, (line) => line.toUpperCase());
    expect(ring.push('one\ntw')).toEqual(['ONE']);
    expect(ring.push('o\r\nthree\rfour')).toEqual(['TWO', 'THREE']);
    ring.flush();
    expect(ring.tail()).toEqual(['THREE', 'FOUR']);
  });
});
