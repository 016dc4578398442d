import { FfmpegSource } from '../../plugin/ingest/ffmpeg-source';
import { delay, makeTempDir, makeTestClip, removeDir, RtspTestServer } from '../helpers/rtsp';
import { RtspHoldProxy } from '../helpers/tcp-proxy';
import { captureLogger } from './capture-logger';
import { SourceRecorder, waitFor } from './live-helpers';

/** How long the camera sends no video while its RTSP session stays up, as a motion-only camera does between events. */
const SILENCE_MS = 30_000;

let dir: string;
let server: RtspTestServer;
let proxy: RtspHoldProxy;
let source: FfmpegSource | undefined;

function motionSource(noFrameTimeoutMs: number, stallTimeoutMs: number, socketTimeoutMs?: number): FfmpegSource {
  const { logger } = captureLogger({ cameraId: 'motion' });
  source = new FfmpegSource({
    cameraId: 'motion',
    input: proxy.rewrite(server.url('/cam'), server.port),
    width: 80,
    height: 60,
    fps: 5,
    noFrameTimeoutMs,
    stallTimeoutMs,
    socketTimeoutMs,
    backoffMinMs: 200,
    backoffMaxMs: 1000,
    logger,
  });
  return source;
}

beforeAll(async () => {
  dir = await makeTempDir();
  const clip = await makeTestClip(dir, { codec: 'h264', seconds: 60, fps: 10, width: 160, height: 120 });
  server = await RtspTestServer.start({ mounts: [{ path: '/cam', codec: 'h264', clip }] });
  proxy = await RtspHoldProxy.start(server.port);
}, 60_000);

afterEach(async () => {
  proxy?.release();
  await source?.stop();
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  await removeDir(dir);
});

test('silent camera with live session is not restarted', async () => {
  source = motionSource(3000, 60_000);
  const camera = new SourceRecorder(source);
  await source.start();
  await waitFor(() => camera.frames.length >= 5 && source!.stats().state === 'live', 15_000, 'first frames');

  const heldAt = Date.now();
  proxy.hold();
  await waitFor(() => source!.stats().state === 'no-frames', 10_000, 'state no-frames');
  expect(source.stats().detail).toMatch(/connection is up/);
  await delay(heldAt + SILENCE_MS - Date.now());
  const decodedDuringSilence = camera.framesSince(heldAt + 2000);
  const releasedAt = Date.now();
  proxy.release();
  await waitFor(() => camera.framesSince(releasedAt) >= 5, 15_000, 'frames after the silence');

  const stats = source.stats();
  expect(decodedDuringSilence).toBe(0);
  expect(proxy.droppedPackets).toBeGreaterThan(100);
  expect(proxy.connections).toBe(1);
  expect(stats.restarts).toBe(0);
  expect(stats.state).toBe('live');
  expect(camera.states).not.toContain('reconnecting');
  expect(camera.states.slice(-2)).toEqual(['no-frames', 'live']);
  const silenceGaps = camera.gaps.filter((gap) => gap.fromTs * 1000 <= heldAt + 500 && gap.toTs * 1000 >= releasedAt);
  expect(silenceGaps).toHaveLength(1);
  // No burst of duplicated frames to fill the silence: about 5 frames a second arrive after it.
  const firstSecondAfter = camera.frames.filter((f) => f.ts * 1000 >= releasedAt && f.ts * 1000 < releasedAt + 1000);
  expect(firstSecondAfter.length).toBeLessThanOrEqual(10);
}, 90_000);

test('silent camera is restarted after the stall timeout', async () => {
  // ffmpeg's own socket timeout must outlast the stall timeout, or ffmpeg may give up first and the exit reads as "stream ended".
  source = motionSource(2000, 5000, 15_000);
  const camera = new SourceRecorder(source);
  await source.start();
  await waitFor(() => camera.frames.length >= 3 && source!.stats().state === 'live', 15_000, 'first frames');

  proxy.hold();
  await waitFor(() => source!.stats().restarts >= 1, 15_000, 'a restart after the stall timeout');
  const stalledStates = [...camera.states];
  const stalledDetails = [...camera.details];
  const releasedAt = Date.now();
  proxy.release();
  await waitFor(() => camera.framesSince(releasedAt) >= 3, 20_000, 'frames after the restart');

  expect(stalledStates.slice(-3, -1)).toEqual(['live', 'no-frames']);
  expect(stalledStates[stalledStates.length - 1]).toBe('reconnecting');
  expect(stalledDetails[stalledDetails.length - 1]).toMatch(/stall timeout 5000 ms/);
  expect(source.stats().state).toBe('live');
}, 60_000);
