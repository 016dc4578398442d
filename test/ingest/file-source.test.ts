import type { Frame } from '../../plugin/core/types';
import { FfmpegSource } from '../../plugin/ingest/ffmpeg-source';
import { delay, makeTempDir, makeTestClip, removeDir } from '../helpers/rtsp';
import { captureLogger } from './capture-logger';

const WIDTH = 64;
const HEIGHT = 48;
const FRAME_BYTES = WIDTH * HEIGHT * 3;
/**
 * In file mode a paused source stops reading ffmpeg's stdout, so frames can only queue from what one read()
 * returns: the stream's buffer (16 KiB high-water mark) plus one pipe read of up to 64 KiB.
 */
const MAX_BACKLOG = Math.ceil((16384 + 65536) / FRAME_BYTES) + 1;

let dir: string;
let clip264: string;
let clip265: string;

beforeAll(async () => {
  dir = await makeTempDir();
  clip264 = await makeTestClip(dir, { codec: 'h264', seconds: 4, fps: 10, width: 160, height: 120 });
  clip265 = await makeTestClip(dir, { codec: 'h265', seconds: 4, fps: 10, width: 160, height: 120 });
}, 30_000);

afterAll(async () => {
  await removeDir(dir);
});

function fileSource(input: string, extra: Partial<ConstructorParameters<typeof FfmpegSource>[0]> = {}): FfmpegSource {
  const { logger } = captureLogger();
  return new FfmpegSource({ cameraId: 'file', input, width: WIDTH, height: HEIGHT, fps: 5, logger, ...extra });
}

async function collect(source: FfmpegSource): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of source) frames.push(frame);
  return frames;
}

function pixelRange(data: Buffer): number {
  let min = 255;
  let max = 0;
  for (const value of data) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return max - min;
}

describe.each([
  ['H.264', () => clip264],
  ['H.265', () => clip265],
])('%s file', (_name, clip) => {
  test('decodes duration*fps frames', async () => {
    const source = fileSource(clip());
    await source.start();
    const frames = await collect(source);
    expect(Math.abs(frames.length - 4 * 5)).toBeLessThanOrEqual(1);
    for (const frame of frames) {
      expect(frame.width).toBe(WIDTH);
      expect(frame.height).toBe(HEIGHT);
      expect(frame.data.length).toBe(FRAME_BYTES);
    }
    expect(frames.map((frame) => frame.seq)).toEqual(frames.map((_, index) => index));
    expect(frames[3].ts).toBeCloseTo(3 / 5, 6);
    expect(pixelRange(frames[0].data)).toBeGreaterThan(100);
    expect(frames[0].data.equals(frames[frames.length - 1].data)).toBe(false);
    expect(source.stats().state).toBe('stopped');
    expect(source.stats().detail).toBe('end of input');
  });
});

test('file mode loses no frames with a slow consumer', async () => {
  const source = fileSource(clip264, { fps: 10 });
  await source.start();
  const seqs: number[] = [];
  let maxBacklog = 0;
  for await (const frame of source) {
    seqs.push(frame.seq);
    const { framesDecoded, framesDelivered } = source.stats();
    maxBacklog = Math.max(maxBacklog, framesDecoded - framesDelivered);
    await delay(15);
  }
  const stats = source.stats();
  expect(Math.abs(seqs.length - 40)).toBeLessThanOrEqual(1);
  expect(seqs).toEqual(seqs.map((_, index) => index));
  expect(stats.framesDropped).toBe(0);
  expect(stats.framesDelivered).toBe(stats.framesDecoded);
  expect(maxBacklog).toBeLessThanOrEqual(MAX_BACKLOG);
});

test('live mode drops for a slow consumer and delivers the latest', async () => {
  const source = fileSource(clip264, { fps: 10, mode: 'live' });
  await source.start();
  const seqs: number[] = [];
  for (;;) {
    const decodedBefore = source.stats().framesDecoded;
    const frame = await source.next();
    if (frame === null) break;
    // A waiting frame is the newest decoded one; with none waiting, the consumer gets the next one decoded.
    expect([decodedBefore - 1, decodedBefore]).toContain(frame.seq);
    seqs.push(frame.seq);
    await delay(30);
  }
  const stats = source.stats();
  expect(stats.framesDropped).toBeGreaterThan(0);
  expect(stats.framesDelivered + stats.framesDropped).toBe(stats.framesDecoded);
  expect(seqs.length).toBe(stats.framesDelivered);
  expect(seqs[seqs.length - 1]).toBe(stats.framesDecoded - 1);
  for (let i = 1; i < seqs.length; i += 1) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
});

test('live mode stamps frames with arrival time', async () => {
  const before = Date.now() / 1000;
  const source = fileSource(clip264, { mode: 'live' });
  await source.start();
  const frame = await source.next();
  await source.stop();
  expect(frame).not.toBeNull();
  expect(frame!.ts).toBeGreaterThanOrEqual(before);
  expect(frame!.ts).toBeLessThanOrEqual(Date.now() / 1000);
});

test('stop resolves a pending next with null', async () => {
  const source = fileSource(clip264, { realtime: true });
  const states: string[] = [];
  source.on('state', (change) => states.push(change.state));
  await source.start();
  expect(await source.next()).not.toBeNull();
  const pending = source.next();
  await source.stop();
  expect(await pending).toBeNull();
  expect(await source.next()).toBeNull();
  expect(source.stats().state).toBe('stopped');
  expect(source.stats().detail).toBe('stopped by request');
  expect(states).toEqual(['live', 'stopped']);
});

test('missing ffmpeg binary fails the source', async () => {
  const source = fileSource(clip264, { ffmpegPath: '/nonexistent/ffmpeg' });
  await source.start();
  expect(await source.next()).toBeNull();
  expect(source.stats().state).toBe('failed');
  expect(source.stats().detail).toContain('/nonexistent/ffmpeg');
});

test('missing input file fails the source', async () => {
  const source = fileSource(`${dir}/missing.mp4`);
  await source.start();
  expect(await source.next()).toBeNull();
  expect(source.stats().state).toBe('failed');
  expect(source.stats().detail).toMatch(/No such file/);
});

test('invalid options name the field', () => {
  expect(() => fileSource(clip264, { width: 0 })).toThrow(/invalid width 0/);
  expect(() => fileSource(clip264, { fps: Number.NaN })).toThrow(/invalid fps/);
  expect(() => fileSource(clip264, { noFrameTimeoutMs: 5000, stallTimeoutMs: 1000 })).toThrow(/stallTimeoutMs/);
  expect(() => fileSource('')).toThrow(/missing input/);
});
