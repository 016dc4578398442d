import { FfmpegSource } from '../../plugin/ingest/ffmpeg-source';
import type { FfmpegSourceOptions } from '../../plugin/ingest/source-options';
import { delay, makeTempDir, makeTestClip, removeDir, RtspTestServer } from '../helpers/rtsp';
import { captureLogger } from './capture-logger';
import { SourceRecorder, waitFor } from './live-helpers';

const WIDTH = 80;
const HEIGHT = 60;
const LIVE_OPTIONS = {
  width: WIDTH,
  height: HEIGHT,
  fps: 5,
  noFrameTimeoutMs: 2000,
  stallTimeoutMs: 20_000,
  backoffMinMs: 200,
  backoffMaxMs: 1000,
};
const USER = 'viewer';
const PASSWORD = 'c0rrect-Horse-7731';
const WRONG_PASSWORD = 'wr0ng-Battery-4410';

let dir: string;
let serverA: RtspTestServer;
let serverB: RtspTestServer;
let authServer: RtspTestServer;
const sources: FfmpegSource[] = [];
/** The captured log lines of every source created, one array per source. */
const logs: string[][] = [];

function liveSource(cameraId: string, input: string, extra: Partial<FfmpegSourceOptions> = {}): FfmpegSource {
  const { logger, lines } = captureLogger({ cameraId });
  const source = new FfmpegSource({ cameraId, input, logger, ...LIVE_OPTIONS, ...extra });
  logs.push(lines);
  sources.push(source);
  return source;
}

beforeAll(async () => {
  dir = await makeTempDir();
  const clip264 = await makeTestClip(dir, { codec: 'h264', seconds: 30, fps: 10, width: 160, height: 120 });
  const clip265 = await makeTestClip(dir, { codec: 'h265', seconds: 15, fps: 10, width: 160, height: 120 });
  serverA = await RtspTestServer.start({ mounts: [{ path: '/cam', codec: 'h264', clip: clip264 }] });
  serverB = await RtspTestServer.start({
    mounts: [
      { path: '/cam', codec: 'h264', clip: clip264 },
      { path: '/cam265', codec: 'h265', clip: clip265 },
    ],
  });
  authServer = await RtspTestServer.start({
    mounts: [{ path: '/cam', codec: 'h264', clip: clip264 }],
    user: USER,
    password: PASSWORD,
  });
}, 60_000);

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

afterAll(async () => {
  await Promise.all([serverA, serverB, authServer].map((server) => server?.stop()));
  await removeDir(dir);
});

test('two RTSP cameras deliver frames at once', async () => {
  const started = Date.now();
  const h264 = new SourceRecorder(liveSource('h264', serverA.url('/cam')));
  const h265 = new SourceRecorder(liveSource('h265', serverB.url('/cam265')));
  await Promise.all([h264.source.start(), h265.source.start()]);
  await waitFor(() => h264.frames.length >= 5 && h265.frames.length >= 5, 15_000, '5 frames from each camera');
  for (const recorder of [h264, h265]) {
    const frame = recorder.frames[0];
    expect(frame.width).toBe(WIDTH);
    expect(frame.height).toBe(HEIGHT);
    expect(frame.bytes).toBe(WIDTH * HEIGHT * 3);
    expect(frame.ts * 1000).toBeGreaterThanOrEqual(started);
    expect(frame.ts * 1000).toBeLessThanOrEqual(Date.now());
    expect(recorder.source.stats().state).toBe('live');
    expect(recorder.source.stats().restarts).toBe(0);
  }
  expect(h264.frames.map((frame) => frame.cameraId)).not.toContain('h265');
}, 30_000);

test('camera reconnects after its server restarts', async () => {
  const cameraA = new SourceRecorder(liveSource('a', serverA.url('/cam')));
  const cameraB = new SourceRecorder(liveSource('b', serverB.url('/cam')));
  await Promise.all([cameraA.source.start(), cameraB.source.start()]);
  await waitFor(() => cameraA.frames.length >= 3 && cameraB.frames.length >= 3, 15_000, 'first frames');

  const killedAt = Date.now();
  await serverA.kill();
  await waitFor(() => cameraA.source.stats().state === 'reconnecting', 10_000, 'camera a reconnecting');
  await delay(2500);
  const restartedAt = Date.now();
  await serverA.restart();
  await waitFor(() => cameraA.framesSince(restartedAt) >= 3, 20_000, 'frames from camera a after the restart');

  expect(cameraA.source.stats().state).toBe('live');
  expect(cameraA.source.stats().restarts).toBeGreaterThanOrEqual(1);
  expect(cameraA.states.lastIndexOf('reconnecting')).toBeGreaterThanOrEqual(0);
  expect(cameraA.states[cameraA.states.length - 1]).toBe('live');
  expect(cameraA.states.lastIndexOf('reconnecting')).toBeLessThan(cameraA.states.lastIndexOf('live'));
  // Frames already on their way when the server died may arrive a little after the kill.
  const outageGaps = cameraA.gaps.filter((gap) => gap.fromTs * 1000 <= killedAt + 500 && gap.toTs * 1000 >= restartedAt);
  expect(outageGaps).toHaveLength(1);
  expect(cameraA.gaps).toHaveLength(1);

  expect(cameraB.source.stats().restarts).toBe(0);
  expect(cameraB.source.stats().state).toBe('live');
  expect(cameraB.states).not.toContain('reconnecting');
  expect(cameraB.gaps).toHaveLength(0);
  expect(cameraB.frames.filter((frame) => frame.ts * 1000 > killedAt && frame.ts * 1000 < restartedAt).length).toBeGreaterThan(5);
}, 60_000);

test('wrong password gives auth-failed without leaking it', async () => {
  const url = authServer.url('/cam', { user: USER, password: WRONG_PASSWORD });
  const camera = new SourceRecorder(liveSource('auth', url, { authRetryMs: 60_000 }));
  await camera.source.start();
  await waitFor(() => camera.source.stats().state === 'auth-failed', 10_000, 'state auth-failed');
  const stats = camera.source.stats();
  expect(stats.detail).toMatch(/401/);
  expect(stats.restarts).toBe(0);
  expect(camera.frames).toHaveLength(0);
  const stderr = camera.source.stderrTail();
  expect(stderr.join('\n')).toMatch(/401 Unauthorized/);
  await camera.source.stop();

  const texts = [...logs.flat(), ...stderr, ...camera.details, String(stats.detail)];
  expect(texts.join('\n')).toContain(`rtsp://***@127.0.0.1:${authServer.port}/cam`);
  for (const secret of [WRONG_PASSWORD, Buffer.from(`${USER}:${WRONG_PASSWORD}`).toString('base64')]) {
    for (const text of texts) expect(text).not.toContain(secret);
  }
}, 30_000);

test('right password gives frames without leaking it', async () => {
  const url = authServer.url('/cam', { user: USER, password: PASSWORD });
  const camera = new SourceRecorder(liveSource('auth-ok', url));
  await camera.source.start();
  await waitFor(() => camera.frames.length >= 3, 15_000, '3 frames with the right password');
  expect(camera.source.stats().state).toBe('live');
  const stderr = camera.source.stderrTail();
  await camera.source.stop();
  const texts = [...logs.flat(), ...stderr, ...camera.details];
  expect(texts.some((text) => text.includes('***@127.0.0.1'))).toBe(true);
  for (const text of texts) expect(text).not.toContain(PASSWORD);
}, 30_000);
