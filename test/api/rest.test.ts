import { getJson, postJson, startHarness, type Harness } from './harness';
import type { StatsBucket } from '../../plugin/api/backend';
import type { VisitorRecord } from '../../plugin/core/types';

const PASSWORD = 'S3cr@t:pw';
const CAMERA_URL = `rtsp://admin:${PASSWORD}@192.0.2.10:554/stream2`;

let h: Harness;
let api: string;

beforeEach(async () => {
  h = await startHarness();
  api = `${h.server.url}/api/v1`;
});

afterEach(async () => {
  await h.server.close();
});

function visitor(id: string, firstSeenS: number, returning: boolean): VisitorRecord {
  return { visitorId: id, identified: true, cameraId: 'cam1', firstSeenS, lastSeenS: firstSeenS + 60, returning, visitCount: returning ? 2 : 1, gender: 'female', ageBand: '25-34', age: 29, dwellS: 60, faceSizePx: 90 };
}

function bucket(start: number, entries: number): StatsBucket {
  return { start, bucketS: 3600, entries, uniqueVisitors: entries, returningVisitors: 1, byAgeBandGender: { '25-34|female': entries }, avgDwellS: 120, noData: false };
}

describe('REST API', () => {
  test('health reports camera counts', async () => {
    await postJson(`${api}/cameras`, { name: 'Entrance', rtspUrl: CAMERA_URL });
    const { status, body } = await getJson(`${api}/health`);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.cameras).toEqual({ total: 1, live: 0 });
    expect(body.live).toEqual({ clients: 0, droppedEvents: 0 });
    expect(body.videoRelays).toBe(0);
    expect(body.discovery).toBe(false);
  });

  test('adding a camera redacts credentials', async () => {
    const created = await postJson(`${api}/cameras`, { name: ' Entrance ', rtspUrl: CAMERA_URL });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Entrance');
    expect(created.body.source).toBe('rtsp://***@192.0.2.10:554/stream2');
    expect(created.text).not.toContain('S3cr');
    expect(created.text).not.toContain('admin');

    const listed = await getJson(`${api}/cameras`);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0].source).toBe('rtsp://***@192.0.2.10:554/stream2');
    expect(listed.text).not.toContain('S3cr');
  });

  test.each([
    ['missing name', { rtspUrl: CAMERA_URL }, 'name'],
    ['blank name', { name: '   ', rtspUrl: CAMERA_URL }, 'name'],
    ['name too long', { name: 'x'.repeat(101), rtspUrl: CAMERA_URL }, 'name'],
    ['missing rtspUrl', { name: 'Door' }, 'rtspUrl'],
    ['rtspUrl not a string', { name: 'Door', rtspUrl: 42 }, 'rtspUrl'],
    ['rtspUrl not a URL', { name: 'Door', rtspUrl: `admin:${PASSWORD} camera` }, 'rtspUrl'],
    ['rtspUrl with http scheme', { name: 'Door', rtspUrl: 'http://192.0.2.10/stream' }, 'rtspUrl'],
    ['body is an array', [1, 2], 'body'],
  ])('POST /cameras rejects %s', async (_case, body, field) => {
    const response = await postJson(`${api}/cameras`, body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
    expect(typeof response.body.error).toBe('string');
    expect(response.text).not.toContain('S3cr');
    expect(h.backend.cameras).toHaveLength(0);
  });

  test('POST /cameras rejects invalid JSON', async () => {
    const response = await fetch(`${api}/cameras`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name": ' });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.field).toBe('body');
    expect(body.error).toMatch(/invalid JSON/);
  });

  test('POST /cameras requires a JSON content type', async () => {
    const response = await fetch(`${api}/cameras`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ name: 'a', rtspUrl: CAMERA_URL }) });
    expect(response.status).toBe(415);
    expect((await response.json()).field).toBe('body');
    expect(h.backend.cameras).toHaveLength(0);
  });

  test('backend input errors keep their field', async () => {
    await postJson(`${api}/cameras`, { name: 'One', rtspUrl: CAMERA_URL });
    const second = await postJson(`${api}/cameras`, { name: 'Two', rtspUrl: CAMERA_URL });
    expect(second.status).toBe(400);
    expect(second.body.field).toBe('rtspUrl');
    expect(second.body.error).toMatch(/already added/);
  });

  test('DELETE /cameras removes or answers 404', async () => {
    const created = await postJson(`${api}/cameras`, { name: 'Door', rtspUrl: CAMERA_URL });
    const removed = await fetch(`${api}/cameras/${created.body.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect(h.backend.cameras).toHaveLength(0);

    const missing = await fetch(`${api}/cameras/${created.body.id}`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toContain(created.body.id);
  });

  test('visitors are sent without templates', async () => {
    h.backend.visitors.push(visitor('v1', 1000, false), visitor('v2', 2000, true));
    const { status, body, text } = await getJson(`${api}/visitors?from=500&limit=1`);
    expect(status).toBe(200);
    expect(body).toHaveLength(1);
    expect(body[0].visitorId).toBe('v2');
    expect(body[0].returning).toBe(true);
    expect(text).not.toContain('template');
    expect(h.backend.visitorQueries[0]).toEqual({ from: 500, to: undefined, limit: 1 });
  });

  test.each([
    ['/visitors?limit=0', 'limit'],
    ['/visitors?limit=2.5', 'limit'],
    ['/visitors?from=yesterday', 'from'],
    ['/stats?from=2000&to=1000', 'to'],
    ['/stats?from=0&to=86400&bucket=abc', 'bucket'],
    ['/stats?from=0&to=8640000&bucket=60', 'bucket'],
    ['/occupancy?from=0&to=100000&step=1', 'step'],
    ['/occupancy?from=-5&to=10', 'from'],
  ])('GET %s names field %s', async (path, field) => {
    const { status, body } = await getJson(`${api}${path}`);
    expect(status).toBe(400);
    expect(body.field).toBe(field);
    expect(body.error).toContain(field);
  });

  test('stats passes the range and bucket', async () => {
    h.backend.buckets.push(bucket(3600, 4), bucket(7200, 6), bucket(90_000, 1));
    const { status, body } = await getJson(`${api}/stats?from=0&to=86400&bucket=3600`);
    expect(status).toBe(200);
    expect(body.map((b: StatsBucket) => b.entries)).toEqual([4, 6]);
    expect(h.backend.statsQueries[0]).toEqual({ from: 0, to: 86400, bucketS: 3600 });
  });

  test('occupancy keeps gaps as null', async () => {
    h.backend.samples.push({ t: 10, count: 2 }, { t: 20, count: 3 }, { t: 130, count: 1 });
    const { status, body } = await getJson(`${api}/occupancy?from=0&to=180&step=60`);
    expect(status).toBe(200);
    expect(body).toEqual([
      { t: 0, count: 3 },
      { t: 60, count: null },
      { t: 120, count: 1 },
    ]);
  });

  test('internal errors hide details', async () => {
    h.backend.failWith = new Error(`database locked at rtsp://admin:${PASSWORD}@192.0.2.10/`);
    const { status, body, text } = await getJson(`${api}/stats?from=0&to=3600`);
    expect(status).toBe(500);
    expect(body.error).toMatch(/internal error/);
    expect(text).not.toContain('database locked');
    expect(text).not.toContain('at ');
    const logged = h.logLines.join('\n');
    expect(logged).toContain('database locked');
    expect(logged).not.toContain('S3cr');
  });

  test('unknown API path gives JSON 404', async () => {
    const { status, body } = await getJson(`${api}/nothing-here`);
    expect(status).toBe(404);
    expect(body.error).toContain('/api/v1/nothing-here');
  });

  test('dashboard and player are served locally', async () => {
    const page = await fetch(`${h.server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('vendor/jsmpeg-player.js');

    const player = await fetch(`${h.server.url}/vendor/jsmpeg-player.js`);
    expect(player.status).toBe(200);
    expect(player.headers.get('content-type')).toMatch(/javascript/);
    expect(await player.text()).toContain('JSMpeg');
  });
});

describe('discovery router mount', () => {
  test('extra router is served under /api/v1', async () => {
    const express = (await import('express')).default;
    const router = express.Router();
    let scans = 0;
    router.get('/discovery', (_req, res) => void res.json({ devices: [] }));
    router.post('/discovery/scan', (_req, res) => void res.json({ scans: ++scans }));
    const withDiscovery = await startHarness({ discoveryRouter: router });
    try {
      const { status, body } = await getJson(`${withDiscovery.server.url}/api/v1/discovery`);
      expect(status).toBe(200);
      expect(body).toEqual({ devices: [] });

      const scan = await fetch(`${withDiscovery.server.url}/api/v1/discovery/scan`, { method: 'POST' });
      expect(scan.status).toBe(200);
      expect(await scan.json()).toEqual({ scans: 1 });

      // A cross-site HTML form can post text/plain without a CORS preflight, so it is rejected.
      const formPost = await fetch(`${withDiscovery.server.url}/api/v1/discovery/scan`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
      expect(formPost.status).toBe(415);
      expect(scans).toBe(1);
    } finally {
      await withDiscovery.server.close();
    }
  });
});
