import { FfmpegSource } from '../../plugin/ingest/ffmpeg-source';
import { makeTempDir, makeTestClip, removeDir, RtspTestServer } from '../helpers/rtsp';
import { captureLogger } from './capture-logger';
import { SourceRecorder, waitFor } from './live-helpers';

const SOURCE_FPS = 10;
const ANALYSIS_FPS = 5;
/** Frames of the first second after the first frame are left out, so the window starts in steady state. */
const WINDOW_START_MS = 1000;
const WINDOW_MS = 10_000;

let dir: string;
let server: RtspTestServer;
let source: FfmpegSource | undefined;

beforeAll(async () => {
  dir = await makeTempDir();
  const clip = await makeTestClip(dir, { codec: 'h264', seconds: 16, fps: SOURCE_FPS, width: 160, height: 120 });
  server = await RtspTestServer.start({ mounts: [{ path: '/cam', codec: 'h264', clip }] });
}, 60_000);

afterAll(async () => {
  await source?.stop();
  await server?.stop();
  await removeDir(dir);
});

test('live rate follows analysis fps', async () => {
  const { logger } = captureLogger({ cameraId: 'rate' });
  source = new FfmpegSource({
    cameraId: 'rate',
    input: server.url('/cam'),
    width: 80,
    height: 60,
    fps: ANALYSIS_FPS,
    noFrameTimeoutMs: 3000,
    stallTimeoutMs: 20_000,
    logger,
  });
  const camera = new SourceRecorder(source);
  await source.start();
  await waitFor(() => camera.frames.length >= 1, 15_000, 'the first frame');

  const windowStartMs = camera.frames[0].ts * 1000 + WINDOW_START_MS;
  const windowEndMs = windowStartMs + WINDOW_MS;
  await waitFor(() => Date.now() > windowEndMs, WINDOW_START_MS + WINDOW_MS + 1000, 'the end of the measuring window');
  const inWindow = camera.frames.filter((frame) => frame.ts * 1000 >= windowStartMs && frame.ts * 1000 < windowEndMs);
  const rate = inWindow.length / (WINDOW_MS / 1000);

  expect(rate).toBeGreaterThanOrEqual(ANALYSIS_FPS * 0.8);
  expect(rate).toBeLessThanOrEqual(ANALYSIS_FPS * 1.2);
  expect(source.stats().restarts).toBe(0);
  expect(source.stats().state).toBe('live');
}, 45_000);
