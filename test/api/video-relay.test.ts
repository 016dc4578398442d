import type WebSocket from 'ws';
import { relayFfmpegArgs, CLOSE_UNKNOWN_CAMERA } from '../../plugin/api/video-relay';
import { RtspTestServer, makeTempDir, makeTestClip, removeDir } from '../helpers/rtsp';
import { childFfmpegPids, getJson, openSocket, startHarness, waitFor, type Harness } from './harness';

const TS_PACKET = 188;
const TS_SYNC = 0x47;

let dir: string;
let clip: string;
let h: Harness;

beforeAll(async () => {
  dir = await makeTempDir('shopface-relay-');
  clip = await makeTestClip(dir, { codec: 'h264', seconds: 4, fps: 25, width: 320, height: 240 });
}, 60_000);

afterAll(async () => {
  await removeDir(dir);
});

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.server.close();
  await waitFor(() => childFfmpegPids().length === 0, 5000, 'ffmpeg children to exit');
});

function addFileCamera(id: string, liveUrl: string): void {
  h.backend.cameras.push({ status: { id, name: id, source: liveUrl, state: 'live', framesAnalysed: 0, framesDropped: 0 }, liveUrl });
}

/** Concatenates the binary messages of a socket. */
function collectBytes(socket: WebSocket): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  socket.on('message', (data) => chunks.push(data as Buffer));
  return { bytes: () => Buffer.concat(chunks) };
}

async function relayCount(): Promise<number> {
  return (await getJson(`${h.server.url}/api/v1/health`)).body.videoRelays;
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('live video relay', () => {
  test('streams MPEG-TS with MPEG-1 video', async () => {
    addFileCamera('cam1', clip);
    expect(await relayCount()).toBe(0);

    const viewer = await openSocket(`${h.wsUrl}/api/v1/cameras/cam1/video`);
    const received = collectBytes(viewer);
    await waitFor(() => received.bytes().length >= 20 * TS_PACKET, 15_000, 'video data');

    const bytes = received.bytes();
    for (let offset = 0; offset + TS_PACKET <= 20 * TS_PACKET; offset += TS_PACKET) {
      expect(bytes[offset]).toBe(TS_SYNC);
    }
    // An MPEG-1 video sequence header (00 00 01 B3) must be in the stream for JSMpeg to decode it.
    await waitFor(() => received.bytes().includes(Buffer.from([0, 0, 1, 0xb3])), 10_000, 'MPEG-1 sequence header');
    expect(await relayCount()).toBe(1);
    viewer.close();
  }, 40_000);

  test('relay starts lazily and stops with the last viewer', async () => {
    addFileCamera('cam1', clip);
    expect(childFfmpegPids()).toHaveLength(0);

    const first = await openSocket(`${h.wsUrl}/api/v1/cameras/cam1/video`);
    const second = await openSocket(`${h.wsUrl}/api/v1/cameras/cam1/video`);
    const secondBytes = collectBytes(second);
    await waitFor(() => secondBytes.bytes().length > 0, 15_000, 'video on the second viewer');
    expect(await relayCount()).toBe(1);
    expect(childFfmpegPids()).toHaveLength(1);

    first.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await relayCount()).toBe(1);

    second.close();
    await waitFor(async () => (await relayCount()) === 0, 5000, 'relay to stop');
    await waitFor(() => childFfmpegPids().length === 0, 5000, 'ffmpeg to exit');
  }, 40_000);

  test('unknown camera is closed with 4404', async () => {
    const viewer = await openSocket(`${h.wsUrl}/api/v1/cameras/nope/video`);
    const { code } = await closed(viewer);
    expect(code).toBe(CLOSE_UNKNOWN_CAMERA);
    expect(await relayCount()).toBe(0);
  });

  test('removing a camera stops its relay', async () => {
    addFileCamera('cam1', clip);
    const viewer = await openSocket(`${h.wsUrl}/api/v1/cameras/cam1/video`);
    const ended = closed(viewer);
    await waitFor(async () => (await relayCount()) === 1, 5000, 'relay to start');

    const response = await fetch(`${h.server.url}/api/v1/cameras/cam1`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect((await ended).reason).toBe('camera removed');
    expect(await relayCount()).toBe(0);
  }, 20_000);

  test('failed stream is logged without credentials', async () => {
    // Nothing listens on port 1 of the loopback address, so ffmpeg fails at once.
    addFileCamera('cam1', 'rtsp://admin:hunter2@127.0.0.1:1/stream');
    const viewer = await openSocket(`${h.wsUrl}/api/v1/cameras/cam1/video`);
    const { code } = await closed(viewer);
    expect(code).toBe(1011);

    const exitLine = h.logLines.find((line) => line.includes('live view ffmpeg exited'));
    expect(exitLine).toBeDefined();
    expect(exitLine).toContain('rtsp://***@127.0.0.1:1/stream');
    expect(h.logLines.join('\n')).not.toContain('hunter2');
  }, 20_000);

  test('relays an RTSP camera with credentials', async () => {
    const rtspClip = await makeTestClip(dir, { codec: 'h264', seconds: 10, fps: 15, width: 320, height: 240 });
    const credentials = { user: 'viewer', password: 'pa:ss@word' };
    const rtsp = await RtspTestServer.start({ mounts: [{ path: '/cam1', codec: 'h264', clip: rtspClip }], ...credentials });
    try {
      addFileCamera('cam1', rtsp.url('/cam1', credentials));
      const viewer = await openSocket(`${h.wsUrl}/api/v1/cameras/cam1/video`);
      const received = collectBytes(viewer);
      await waitFor(() => received.bytes().includes(Buffer.from([0, 0, 1, 0xb3])), 20_000, 'MPEG-1 video from RTSP');
      expect(received.bytes()[0]).toBe(TS_SYNC);
      viewer.close();
      await waitFor(async () => (await relayCount()) === 0, 5000, 'relay to stop');
      expect(h.logLines.join('\n')).not.toContain('pa:ss');
      expect(h.logLines.join('\n')).not.toContain('pa%3Ass');
    } finally {
      await rtsp.stop();
    }
  }, 60_000);

  test('ffmpeg input options by source kind', () => {
    const rtsp = relayFfmpegArgs('rtsp://127.0.0.1:8554/cam');
    expect(rtsp.slice(rtsp.indexOf('-rtsp_transport'), rtsp.indexOf('-i'))).toEqual(['-rtsp_transport', 'tcp']);
    const file = relayFfmpegArgs('/tmp/clip.mp4');
    expect(file.slice(file.indexOf('-re'), file.indexOf('-i'))).toEqual(['-re', '-stream_loop', '-1']);
    expect(file).toContain('mpeg1video');
  });
});
