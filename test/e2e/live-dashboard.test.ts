/**
 * `npm start` as a new user meets it. The real command line runs in a child
 * process with an empty data folder, and the dashboard in headless Chromium.
 * A camera is added through the form by an RTSP URL with a password, served
 * by the GStreamer RTSP server on 127.0.0.1. Then Ctrl+C stops the sidecar,
 * and a second start finds the saved camera.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CameraStatus } from '../../plugin/api/backend';
import { launchBrowser, watchConsole, type PageProblems } from '../helpers/browser';
import { freePort, RtspTestServer } from '../helpers/rtsp';
import { getJson, renderShopClips, useModelMirror, waitUntil } from './live-harness';

const REPO_ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const USER = 'viewer';
const PASSWORD = 'Door-Pass-7731';

/** The sidecar started as `npm start` starts it, with its output collected. */
class SidecarProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Runs `tsx plugin/main.ts --data DIR --port N` in its own process group and waits for its start message. */
  static async start(dataDir: string, port: number): Promise<SidecarProcess> {
    const child = spawn(TSX, ['plugin/main.ts', '--data', dataDir, '--port', String(port)], {
      // Info level, because the test reads the start and stop lines of the log.
      cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOPFACE_LOG_LEVEL: 'info' },
    });
    const sidecar = new SidecarProcess(child);
    await waitUntil(() => sidecar.stdout.includes('shopface is running') || sidecar.child.exitCode !== null, 60_000, 'the start message');
    if (sidecar.child.exitCode !== null) throw new Error(`the sidecar exited with code ${sidecar.child.exitCode}:\n${sidecar.stderr}`);
    return sidecar;
  }

  /** Sends SIGINT to the whole process group, as Ctrl+C in a terminal does, and resolves with the exit code. */
  interrupt(): Promise<number | null> {
    if (this.child.exitCode === null) process.kill(-this.child.pid!, 'SIGINT');
    return this.exited;
  }
}

async function overlayBoxes(page: Page): Promise<number> {
  return Number(await page.locator('.camera canvas.overlay').getAttribute('data-boxes'));
}

describe('npm start for a new user', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'shopface-start-'));
  const dataDir = path.join(work, 'data');
  let rtsp: RtspTestServer;
  let sidecar: SidecarProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let maxBoxes = 0;

  beforeAll(async () => {
    useModelMirror();
    const clips = await renderShopClips(work, 7);
    rtsp = await RtspTestServer.start({ mounts: [{ path: '/cam', codec: 'h264', clip: clips.day2.file }], user: USER, password: PASSWORD });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    sidecar = await SidecarProcess.start(dataDir, port);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    problems = watchConsole(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sidecar?.interrupt();
    await rtsp?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('start message names the address', () => {
    expect(sidecar.stdout).toContain(`shopface is running: open ${url} in a browser`);
  });

  test('empty data folder explains how to add a camera', async () => {
    await page.goto(url);
    await page.waitForSelector('#empty-state:not([hidden])', { timeout: 10_000 });
    const text = await page.locator('#empty-state').textContent();
    expect(text).toContain('No camera is configured yet');
    expect(text).toContain('RTSP URL');
    expect(await page.locator('.camera').count()).toBe(0);
  }, 30_000);

  test('camera added in the form fills the dashboard', async () => {
    await page.fill('input[name=name]', 'Entrance');
    await page.fill('input[name=rtspUrl]', rtsp.url('/cam', { user: USER, password: PASSWORD }));
    await page.click('#add-camera-form button[type=submit]');
    await page.waitForSelector('.camera .camera-state.state-live', { timeout: 20_000 });
    expect(await page.locator('#empty-state').isHidden()).toBe(true);
    await page.click('.camera .watch');
    await waitUntil(async () => (maxBoxes = Math.max(maxBoxes, await overlayBoxes(page))) > 0, 20_000, 'face boxes on the live view');
    await waitUntil(async () => Number(await page.locator('#visitors-today').textContent()) >= 3, 40_000, 'visitors counted today');

    expect(await page.locator('#entries-today').textContent()).not.toBe('0');
    expect(await page.locator('#now-count').textContent()).toMatch(/^\d+$/);
    for (const chart of ['#occupancy-chart', '#entries-chart', '#demographics-chart']) {
      expect(await page.locator(chart).getAttribute('data-state')).toBe('data');
    }
    expect(await page.locator('.camera-source').textContent()).not.toContain(PASSWORD);
    expect(await page.content()).not.toContain(PASSWORD);
    expect(problems.errors).toEqual([]);
  }, 90_000);

  test('Ctrl+C stops it and a restart keeps the camera', async () => {
    expect(await sidecar.interrupt()).toBe(0);
    expect(sidecar.stderr).toContain('sidecar stopped');
    expect(sidecar.stderr).not.toContain(PASSWORD);

    sidecar = await SidecarProcess.start(dataDir, Number(new URL(url).port));
    const cameras = await getJson<CameraStatus[]>(`${url}/api/v1/cameras`);
    expect(cameras.map((camera) => camera.id)).toEqual(['entrance']);
    expect(cameras[0].source).toContain(`127.0.0.1:${rtsp.port}/cam`);
    expect(cameras[0].source).not.toContain(PASSWORD);
  }, 90_000);
});
