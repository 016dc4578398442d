/**
 * The dashboard in real headless Chromium against the real API server, an
 * in-memory backend, a real Bus, a GStreamer RTSP camera emulator for the
 * live view, and the ONVIF simulator for discovery (unicast on 127.0.0.1
 * only, never multicast).
 */
import type { Browser, Page } from 'playwright-core';
import type { StatsBucket } from '../../plugin/api/backend';
import type { FrameFaces } from '../../plugin/core/types';
import { getJson, startHarness, waitFor, type Harness } from '../api/harness';
import { launchBrowser, watchConsole, type PageProblems } from '../helpers/browser';
import { RtspTestServer, makeTempDir, makeTestClip, removeDir } from '../helpers/rtsp';
import { OnvifSim } from '../helpers/onvif-sim';
import { DeviceDirectory } from '../../plugin/discovery/directory';
import { createDiscoveryRouter } from '../../plugin/api/discovery-router';

const SCREENSHOT = '/tmp/shopface-dashboard.png';
/** The analysed frame is twice the size of the relayed video, so the overlay must scale boxes by half. */
const ANALYSIS = { width: 640, height: 480 };
const VIDEO = { width: 320, height: 240 };
const FACE_BOX = { x: 160, y: 120, width: 160, height: 120 };

let dir: string;
let rtsp: RtspTestServer;
let browser: Browser;
let h: Harness;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  dir = await makeTempDir('shopface-e2e-');
  const clip = await makeTestClip(dir, { codec: 'h264', seconds: 40, fps: 15, ...VIDEO });
  rtsp = await RtspTestServer.start({ mounts: [{ path: '/cam1', codec: 'h264', clip }] });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await rtsp?.stop();
  await removeDir(dir);
});

beforeEach(async () => {
  h = await startHarness();
  page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  problems = watchConsole(page);
});

afterEach(async () => {
  await page.close();
  await h.server.close();
});

/** Local midnight in Unix seconds, the start of the dashboard's day (browser and test share the time zone). */
function dayStart(): number {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  return Math.floor(start.getTime() / 1000);
}

/** Fills the backend with today's data: hourly buckets and per-minute occupancy with a 20-minute gap. */
function seedToday(): { entries: number; visitors: number; returning: number } {
  const from = dayStart();
  const now = Math.floor(Date.now() / 1000);
  let entries = 0;
  let visitors = 0;
  let returning = 0;
  for (let start = from, hour = 0; start < now; start += 3600, hour++) {
    const bucket: StatsBucket = {
      start, bucketS: 3600, entries: 3 + (hour % 5), uniqueVisitors: 2 + (hour % 4), returningVisitors: hour % 2,
      byAgeBandGender: { '25-34|female': 2, '35-44|male': 1 + (hour % 3), 'unknown|unknown': 1 }, avgDwellS: 300, noData: false,
    };
    entries += bucket.entries;
    visitors += bucket.uniqueVisitors;
    returning += bucket.returningVisitors;
    h.backend.buckets.push(bucket);
  }
  const firstSample = Math.max(from, now - 6 * 3600);
  for (let t = firstSample; t <= now; t += 60) {
    const minutesAgo = Math.floor((now - t) / 60);
    if (minutesAgo >= 30 && minutesAgo < 50) continue;
    h.backend.samples.push({ t, count: 2 + (minutesAgo % 7) });
  }
  return { entries, visitors, returning };
}

function addRtspCamera(): void {
  h.backend.cameras.push({
    status: { id: 'cam1', name: 'Entrance', source: rtsp.url('/cam1'), state: 'live', framesAnalysed: 1200, framesDropped: 3, width: VIDEO.width, height: VIDEO.height, codec: 'h264' },
    liveUrl: rtsp.url('/cam1'),
  });
}

/** Counts the pixels of a canvas with any opacity and, separately, those that are not plain black. */
function canvasInk(selector: string): Promise<{ width: number; opaque: number; colored: number }> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector(sel) as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let opaque = 0;
    let colored = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0) opaque++;
      if (data[i] + data[i + 1] + data[i + 2] > 60) colored++;
    }
    return { width: canvas.width, opaque, colored };
  }, selector);
}

function facesEvent(): FrameFaces {
  const face = {
    box: FACE_BOX,
    landmarks: Array.from({ length: 5 }, () => ({ x: 0, y: 0 })) as FrameFaces['faces'][number]['landmarks'],
    score: 0.95,
    quality: { size: 120, sharpness: 200, yaw: 3, partial: false, identityOk: true, demographicsOk: true, score: 0.9, issues: [] },
    attributes: { age: 28, pMale: 0.1 },
  };
  return { cameraId: 'cam1', ts: Date.now() / 1000, seq: 0, ...ANALYSIS, greyscale: false, faces: [face], timings: {} };
}

describe('dashboard', () => {
  test('empty state and charts without cameras', async () => {
    const totals = seedToday();
    const occupancyResponse = page.waitForResponse((response) => response.url().includes('/api/v1/occupancy'));
    await page.goto(h.server.url);
    const occupancy: Array<{ t: number; count: number | null }> = await (await occupancyResponse).json();
    await page.waitForSelector('#occupancy-chart[data-state="data"]', { timeout: 10_000 });
    await page.waitForSelector('#entries-chart[data-state="data"]', { timeout: 10_000 });
    await page.waitForSelector('#demographics-chart[data-state="data"]', { timeout: 10_000 });

    const emptyState = page.locator('#empty-state');
    expect(await emptyState.isVisible()).toBe(true);
    expect(await emptyState.textContent()).toContain('No camera is configured yet');
    expect(await emptyState.textContent()).toContain('npm run discover');
    expect(await page.locator('#add-camera-form').isVisible()).toBe(true);

    const occupancyChart = page.locator('#occupancy-chart');
    expect(await occupancyChart.getAttribute('data-points')).toBe(String(occupancy.filter((p) => p.count !== null).length));
    expect(await occupancyChart.getAttribute('data-gaps')).toBe(String(occupancy.filter((p) => p.count === null).length));
    expect((await canvasInk('#occupancy-chart')).opaque).toBeGreaterThan(500);
    expect((await canvasInk('#demographics-chart')).opaque).toBeGreaterThan(500);
    expect(await page.locator('#entries-today').textContent()).toBe(String(totals.entries));
    expect(await page.locator('#visitors-today').textContent()).toBe(String(totals.visitors));
    expect(await page.locator('#returning-share').getAttribute('data-value')).toBe((totals.returning / totals.visitors).toFixed(3));
    expect(problems.errors).toEqual([]);
  }, 40_000);

  test('add-camera form shows field errors', async () => {
    await page.goto(h.server.url);
    await page.fill('input[name=name]', 'Door');
    await page.fill('input[name=rtspUrl]', 'http://192.0.2.5/stream');
    await page.click('#add-camera-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-field="rtspUrl"]')!.textContent !== '');
    expect(await page.locator('.field-error[data-field="rtspUrl"]').textContent()).toContain('rtsp://');
    expect(h.backend.cameras).toHaveLength(0);

    await page.fill('input[name=rtspUrl]', 'rtsp://admin:hunter2@192.0.2.5:554/stream2');
    await page.click('#add-camera-form button[type=submit]');
    await page.waitForSelector('article.camera .camera-name:text("Door")', { timeout: 10_000 });
    expect(await page.locator('#empty-state').isVisible()).toBe(false);
    expect(await page.locator('article.camera .camera-source').textContent()).toBe('rtsp://***@192.0.2.5:554/stream2');
    expect(await page.content()).not.toContain('hunter2');
    // The browser's own error line for the 400 response is expected; nothing else may fail.
    expect(problems.errors.filter((text) => !text.includes('400 (Bad Request)'))).toEqual([]);
  }, 30_000);

  test('live view shows video and face boxes', async () => {
    seedToday();
    addRtspCamera();
    await page.goto(h.server.url);
    await page.waitForSelector('#demographics-chart[data-state="data"]', { timeout: 10_000 });
    await page.click('article.camera button.watch');

    // JSMpeg resizes the canvas to the video size on the first decoded frame.
    await page.waitForFunction((width) => (document.querySelector('canvas.video') as HTMLCanvasElement).width === width, VIDEO.width, { timeout: 20_000 });
    await waitFor(async () => (await canvasInk('canvas.video')).colored > VIDEO.width * VIDEO.height * 0.5, 10_000, 'video pixels');
    expect(await getJson(`${h.server.url}/api/v1/health`).then((r) => r.body.videoRelays)).toBe(1);

    const publisher = setInterval(() => h.bus.publish('faces', facesEvent()), 200);
    try {
      await page.waitForSelector('canvas.overlay[data-boxes="1"]', { timeout: 10_000 });
      const overlay = await readOverlay();
      expect(overlay.scale).toBeCloseTo(overlay.cssWidth / ANALYSIS.width, 5);
      expect(overlay.leftEdge).toBe(true);
      expect(overlay.rightEdge).toBe(true);
      expect(overlay.centre).toBe(0);
      expect(overlay.outside).toBe(0);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      clearInterval(publisher);
    }

    await page.click('article.camera button.watch');
    await waitFor(async () => (await getJson(`${h.server.url}/api/v1/health`)).body.videoRelays === 0, 5000, 'relay to stop');

    h.bus.publish('camera', { cameraId: 'cam1', state: 'reconnecting', detail: 'connection reset', framesAnalysed: 1300, framesDropped: 4 });
    await page.waitForSelector('article.camera .camera-state:text("reconnecting")', { timeout: 5000 });
    expect(await page.locator('article.camera .camera-detail').textContent()).toContain('1300 frames analysed');
    expect(problems.errors).toEqual([]);
  }, 60_000);
});


describe('dashboard discovery panel', () => {
  let sim: OnvifSim;
  let directory: DeviceDirectory;

  beforeEach(async () => {
    sim = await OnvifSim.start({
      discovery: { port: 0 },
      rtsp: { host: '127.0.0.1', port: rtsp.port },
      profiles: [{ token: 'Profile_1', name: 'subStream', encoding: 'H264', width: VIDEO.width, height: VIDEO.height, streamPath: '/cam1' }],
      name: 'Till camera',
      username: 'installer',
      password: 'tr1cky pass',
    });
    directory = new DeviceDirectory();
    await directory.refresh({ multicast: false, unicast: [`127.0.0.1:${sim.discoveryPort}`], probe: { timeoutMs: 600, repeats: 1 } });
    // The page loaded by the outer beforeEach has no discovery; start a server that mounts it.
    await h.server.close();
    h = await startHarness({ discoveryRouter: createDiscoveryRouter({ directory }) });
  }, 30_000);

  afterEach(async () => {
    await directory.close();
    await sim.close();
  });

  test('found camera is tested and added', async () => {
    await page.goto(h.server.url);
    const row = page.locator('#discovery li.device');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.device-title').textContent()).toContain('Till camera');

    await row.locator('input[name=username]').fill('installer');
    await row.locator('input[name=password]').fill('tr1cky pass');
    await row.locator('button[type=submit]').click();
    await page.waitForSelector('article.camera', { timeout: 30_000 });

    expect(h.backend.cameras).toHaveLength(1);
    expect(h.backend.cameras[0].liveUrl).toBe(`rtsp://installer:tr1cky%20pass@127.0.0.1:${rtsp.port}/cam1`);
    expect(await row.locator('.device-status').textContent()).toContain('Added as camera');
    expect(await page.locator('article.camera .camera-source').textContent()).toBe(`rtsp://***@127.0.0.1:${rtsp.port}/cam1`);
    expect(await page.locator('#empty-state').isVisible()).toBe(false);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});

/**
 * Reads the overlay where the scaled box must be: its left and right edges at mid-height carry
 * the stroke colour, while its centre and a point left of it stay transparent.
 */
function readOverlay(): Promise<{ cssWidth: number; scale: number; leftEdge: boolean; rightEdge: boolean; centre: number; outside: number }> {
  return page.evaluate(({ box, analysis }) => {
    const canvas = document.querySelector('canvas.overlay') as HTMLCanvasElement;
    const ratio = canvas.width / canvas.clientWidth;
    const scale = canvas.clientWidth / analysis.width;
    const ctx = canvas.getContext('2d')!;
    const alphaAt = (x: number, y: number) => ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data[3];
    const strokeNear = (x: number, y: number) => [-1, 0, 1].some((dx) => alphaAt(x + dx, y) > 0);
    const midY = (box.y + box.height / 2) * (canvas.clientHeight / analysis.height);
    return {
      cssWidth: canvas.clientWidth,
      scale,
      leftEdge: strokeNear(box.x * scale, midY),
      rightEdge: strokeNear((box.x + box.width) * scale, midY),
      centre: alphaAt((box.x + box.width / 2) * scale, midY),
      outside: alphaAt((box.x / 2) * scale, midY),
    };
  }, { box: FACE_BOX, analysis: ANALYSIS });
}
