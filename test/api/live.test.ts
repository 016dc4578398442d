import type WebSocket from 'ws';
import type { Face, FrameFaces } from '../../plugin/core/types';
import { getJson, openSocket, startHarness, upgradeStatus, waitFor, type Harness } from './harness';

interface LiveMessage {
  type: string;
  data: any;
}

let h: Harness;

afterEach(async () => {
  await h?.server.close();
});

function face(x: number, attributes?: Face['attributes']): Face {
  return {
    box: { x, y: 20, width: 40, height: 50 },
    landmarks: [{ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }],
    score: 0.9,
    quality: { size: 50, sharpness: 100, yaw: 5, partial: false, identityOk: true, demographicsOk: true, score: 0.8, issues: [] },
    template: new Float32Array([0.5, 0.5]),
    attributes,
  };
}

function frame(faces: Face[], seq = 0): FrameFaces {
  return { cameraId: 'cam1', ts: 1000 + seq, seq, width: 640, height: 360, greyscale: false, faces, timings: {} };
}

/** Collects every message of a socket. */
function collect(socket: WebSocket): LiveMessage[] {
  const messages: LiveMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  return messages;
}

describe('live event socket', () => {
  test('faces events carry boxes and labels only', async () => {
    h = await startHarness();
    const socket = await openSocket(`${h.wsUrl}/api/v1/live`);
    const messages = collect(socket);
    await waitFor(async () => (await getJson(`${h.server.url}/api/v1/health`)).body.live.clients === 1, 2000, 'client registered');

    h.bus.publish('faces', frame([face(10, { age: 29, pMale: 0.1 }), face(100, { age: 70, pMale: 0.9 }), face(200, { age: 40, pMale: 0.5 }), face(300)]));
    await waitFor(() => messages.length === 1, 2000, 'faces message');

    const [message] = messages;
    expect(message.type).toBe('faces');
    expect(message.data).toEqual({
      cameraId: 'cam1',
      ts: 1000,
      width: 640,
      height: 360,
      boxes: [
        { x: 10, y: 20, width: 40, height: 50, label: 'F 25-34' },
        { x: 100, y: 20, width: 40, height: 50, label: 'M 65+' },
        { x: 200, y: 20, width: 40, height: 50, label: '35-44' },
        { x: 300, y: 20, width: 40, height: 50, label: '' },
      ],
    });
    expect(JSON.stringify(message)).not.toContain('template');
    expect(JSON.stringify(message)).not.toContain('landmarks');
    socket.close();
  });

  test('visitor, occupancy and camera events are forwarded', async () => {
    h = await startHarness();
    const socket = await openSocket(`${h.wsUrl}/api/v1/live`);
    const messages = collect(socket);
    await waitFor(async () => (await getJson(`${h.server.url}/api/v1/health`)).body.live.clients === 1, 2000, 'client registered');

    const visitor = { visitorId: 'v1', identified: true, cameraId: 'cam1', firstSeenS: 10, lastSeenS: 70, returning: true, visitCount: 3, gender: 'male' as const, ageBand: '45-54' as const, age: 50, dwellS: 60, faceSizePx: 90 };
    h.bus.publish('visitor', { ...visitor, template: new Float32Array(4) } as typeof visitor);
    h.bus.publish('occupancy', { cameraId: 'cam1', t: 70, count: 4 });
    h.bus.publish('camera', { cameraId: 'cam1', state: 'auth-failed', detail: 'rtsp://admin:hunter2@192.0.2.7/s returned 401', framesAnalysed: 5, framesDropped: 1 });
    await waitFor(() => messages.length === 3, 2000, 'three messages');

    expect(messages.map((m) => m.type)).toEqual(['visitor', 'occupancy', 'camera']);
    expect(messages[0].data).toEqual(visitor);
    expect(messages[1].data).toEqual({ cameraId: 'cam1', t: 70, count: 4 });
    expect(messages[2].data.state).toBe('auth-failed');
    expect(messages[2].data.detail).toBe('rtsp://***@192.0.2.7/s returned 401');
    expect(JSON.stringify(messages)).not.toContain('hunter2');
    socket.close();
  });

  test('foreign origins and unknown paths are rejected', async () => {
    h = await startHarness();
    expect(await upgradeStatus(`${h.wsUrl}/api/v1/live`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${h.wsUrl}/api/v1/nothing`)).toBe(404);
    const sameOrigin = await openSocket(`${h.wsUrl}/api/v1/live`, { origin: h.server.url });
    sameOrigin.close();
  });

  test('slow client loses events, fast client gets all', async () => {
    const maxBuffered = 256 * 1024;
    h = await startHarness({ liveMaxBufferedBytes: maxBuffered });
    const fast = await openSocket(`${h.wsUrl}/api/v1/live`);
    const slow = await openSocket(`${h.wsUrl}/api/v1/live`);
    const fastMessages = collect(fast);
    const slowMessages = collect(slow);
    await waitFor(async () => (await getJson(`${h.server.url}/api/v1/health`)).body.live.clients === 2, 2000, 'clients registered');
    slow.pause();

    // About 30 KB a message and 24 MB in all: more than the kernel buffers between two loopback sockets hold.
    const faces = Array.from({ length: 400 }, (_, i) => face(i, { age: 30, pMale: 0.2 }));
    const total = 800;
    for (let seq = 0; seq < total; seq++) {
      h.bus.publish('faces', frame(faces, seq));
      // Lets the fast client read between events; it runs in this process too.
      if (seq % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitFor(() => fastMessages.length === total, 20_000, 'fast client to receive every event');

    const { body: health } = await getJson(`${h.server.url}/api/v1/health`);
    expect(health.live.droppedEvents).toBeGreaterThan(0);
    expect(fastMessages.every((m) => m.type === 'faces')).toBe(true);

    slow.resume();
    // Once the slow client has drained, the next event brings a count of what it missed.
    await waitFor(() => slowMessages.length === total - health.live.droppedEvents, 20_000, 'slow client to drain');
    h.bus.publish('faces', frame([], total));
    await waitFor(() => slowMessages.at(-1)?.data.ts === 1000 + total, 5000, 'event after the notice');

    const notice = slowMessages.at(-2)!;
    expect(notice.type).toBe('dropped');
    expect(notice.data.count).toBe(health.live.droppedEvents);
    const delivered = slowMessages.filter((m) => m.type === 'faces').length;
    expect(delivered + notice.data.count).toBe(total + 1);
    expect(h.logLines.filter((line) => line.includes('too slow'))).toHaveLength(1);
    fast.close();
    slow.close();
  }, 60_000);
});
