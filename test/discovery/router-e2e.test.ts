// End to end: the ONVIF simulator names streams on the GStreamer RTSP test
// server (both on 127.0.0.1); discovery, repair and ffmpeg decoding run for real.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createDiscoveryRouter } from '../../plugin/api/discovery-router';
import { DeviceDirectory } from '../../plugin/discovery/directory';
import { deviceFromAddress, discoverCameras } from '../../plugin/discovery/discover';
import { withCredentials } from '../../plugin/discovery/stream-uri';
import { OnvifSim } from '../helpers/onvif-sim';
import { RtspTestServer, freePort, makeTempDir, makeTestClip, removeDir } from '../helpers/rtsp';
import { CREDENTIALS, captureLogger } from './support';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const FFMPEG = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const RTSP_USER = { user: CREDENTIALS.username, password: CREDENTIALS.password };

let dir: string;
let rtsp: RtspTestServer;
const sims: OnvifSim[] = [];
let api: http.Server;
let apiBase: string;
const logger = captureLogger();
const directory = new DeviceDirectory({ logger, streamCheck: { timeoutMs: 10_000 } });

async function startSim(profilesPath?: string): Promise<OnvifSim> {
  const profiles = profilesPath
    ? [
        {
          token: 'P1',
          name: 'only',
          encoding: 'H264' as const,
          width: 640,
          height: 360,
          streamPath: profilesPath,
        },
      ]
    : [
        {
          token: 'Profile_1',
          name: 'mainStream',
          encoding: 'H264' as const,
          width: 1280,
          height: 720,
          streamPath: '/cam_main',
        },
        {
          token: 'Profile_2',
          name: 'subStream',
          encoding: 'H264' as const,
          width: 640,
          height: 360,
          streamPath: '/cam_sub?channel=1&subtype=1',
        },
      ];
  const sim = await OnvifSim.start({
    discovery: { port: 0 },
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    rtsp: { host: '127.0.0.1', port: rtsp.port },
    quirks: { streamHost: '127.0.1.1' },
    profiles,
  });
  sims.push(sim);
  return sim;
}

beforeAll(async () => {
  dir = await makeTempDir('shopface-discovery-');
  const sub = await makeTestClip(dir, {
    codec: 'h264',
    seconds: 4,
    fps: 10,
    width: 640,
    height: 360,
  });
  const main = await makeTestClip(dir, {
    codec: 'h264',
    seconds: 4,
    fps: 10,
    width: 1280,
    height: 720,
  });
  rtsp = await RtspTestServer.start({
    mounts: [
      { path: '/cam_sub', codec: 'h264', clip: sub },
      { path: '/cam_main', codec: 'h264', clip: main },
    ],
    user: RTSP_USER.user,
    password: RTSP_USER.password,
    auth: 'digest',
  });
  const app = express();
  app.use('/api/v1', createDiscoveryRouter({ directory, logger }));
  api = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => api.once('listening', resolve));
  apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/v1`;
}, 90_000);

afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.close()));
  await directory.close();
  await new Promise((resolve) => api?.close(resolve));
  await rtsp?.stop();
  await removeDir(dir);
});

function decodeFrames(url: string, frames: number): Promise<Buffer> {
  const args = [
    '-loglevel',
    'error',
    '-rtsp_transport',
    'tcp',
    '-i',
    url,
    '-frames:v',
    String(frames),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ];
  return new Promise((resolve, reject) => {
    execFile(
      FFMPEG,
      args,
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`ffmpeg failed: ${stderr.toString().slice(-500)}`));
        else resolve(stdout);
      },
    );
  });
}

async function request(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text), text };
}

test('discovery to three decoded frames', async () => {
  const sim = await startSim();
  const result = await discoverCameras({
    multicast: false,
    unicast: [`127.0.0.1:${sim.discoveryPort}`],
    credentials: CREDENTIALS,
    probe: { timeoutMs: 600 },
  });
  const source = result.devices[0].sources?.[0];
  expect(source?.rtspUrl).toBe(`rtsp://127.0.0.1:${rtsp.port}/cam_sub?channel=1&subtype=1`);
  const frames = await decodeFrames(withCredentials(source?.rtspUrl as string, CREDENTIALS), 3);
  expect(frames.length).toBe(3 * 640 * 360 * 3);
  const nonZero = frames.some((byte) => byte !== 0);
  expect(nonZero).toBe(true);
}, 40_000);

test('router lists devices and tests a connection', async () => {
  const sim = await startSim();
  await directory.refresh({
    multicast: false,
    unicast: [`127.0.0.1:${sim.discoveryPort}`],
    probe: { timeoutMs: 600 },
    inspect: false,
  });
  const list = await request('GET', '/discovery');
  expect(list.status).toBe(200);
  expect(list.json.devices.map((device: { id: string }) => device.id)).toContain(sim.endpoint);
  const id = encodeURIComponent(sim.endpoint);
  const ok = await request('POST', `/discovery/${id}/test`, CREDENTIALS);
  expect(ok.status).toBe(200);
  expect(ok.json.ok).toBe(true);
  expect(ok.json.sources[0].profile).toBe('Profile_2');
  expect(ok.json.sources[0].liveViewUrl).toBe(`rtsp://127.0.0.1:${rtsp.port}/cam_main`);
  expect(ok.text).not.toContain(CREDENTIALS.password);
  const after = await request('GET', '/discovery');
  expect(after.text).not.toContain(CREDENTIALS.password);
  expect(logger.lines.join('\n')).not.toContain(CREDENTIALS.password);
}, 40_000);

test('connection test errors are precise', async () => {
  const sim = await startSim();
  const missingStream = await startSim('/no_such_mount');
  const noProfile = await OnvifSim.start({
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    profiles: [],
  });
  sims.push(noProfile);
  await directory.refresh({
    multicast: false,
    unicast: [`127.0.0.1:${sim.discoveryPort}`, `127.0.0.1:${missingStream.discoveryPort}`],
    probe: { timeoutMs: 600 },
    inspect: false,
  });
  const closed = deviceFromAddress(`127.0.0.1:${await freePort()}`);
  const empty = deviceFromAddress(`127.0.0.1:${noProfile.httpPort}`);
  directory.upsert(closed);
  directory.upsert(empty);

  const cases: Array<[string, unknown, string]> = [
    [sim.endpoint, { username: CREDENTIALS.username, password: 'wrong-pass' }, 'auth-failed'],
    [missingStream.endpoint, CREDENTIALS, 'stream-failed'],
    [closed.id, CREDENTIALS, 'unreachable'],
    [empty.id, CREDENTIALS, 'no-profile'],
  ];
  for (const [id, body, code] of cases) {
    const result = await request('POST', `/discovery/${encodeURIComponent(id)}/test`, body);
    expect(result.status).toBe(200);
    expect(result.json.ok).toBe(false);
    expect(result.json.error.code).toBe(code);
    expect(result.text).not.toContain('wrong-pass');
    expect(result.text).not.toContain(CREDENTIALS.password);
  }
}, 60_000);

test('router rejects unknown ids and bad bodies', async () => {
  const unknown = await request('POST', '/discovery/urn%3Auuid%3Anope/test', CREDENTIALS);
  expect(unknown.status).toBe(404);
  const sim = await startSim();
  await directory.refresh({
    multicast: false,
    unicast: [`127.0.0.1:${sim.discoveryPort}`],
    probe: { timeoutMs: 600 },
    inspect: false,
  });
  const bad = await request('POST', `/discovery/${encodeURIComponent(sim.endpoint)}/test`, {
    username: 42,
    password: 'x',
  });
  expect(bad.status).toBe(400);
  expect(bad.json.error.message).toContain('username');
  const badScan = await request('POST', '/discovery/scan', { unicast: 'not-a-list' });
  expect(badScan.status).toBe(400);
  const malformed = await fetch(`${apiBase}/discovery/${encodeURIComponent(sim.endpoint)}/test`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"username": ',
  });
  expect(malformed.status).toBe(400);
  expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe(
    'invalid-input',
  );
}, 30_000);
