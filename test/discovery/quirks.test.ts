import { inspectDevice } from '../../plugin/discovery/camera';
import { deviceFromAddress, discoverCameras, inspectInto } from '../../plugin/discovery/discover';
import { OnvifSim, type SimOptions } from '../helpers/onvif-sim';
import { CREDENTIALS, captureLogger } from './support';

// The RTSP port is only named in URIs here; nothing connects to it in this file.
const RTSP = { host: '127.0.0.1', port: 8554 };
const sims: OnvifSim[] = [];

async function startSim(options: SimOptions): Promise<OnvifSim> {
  const sim = await OnvifSim.start({
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    rtsp: RTSP,
    ...options,
  });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

function inspect(sim: OnvifSim, logger = captureLogger()) {
  return inspectDevice(
    { id: 'cam', serviceUrl: sim.serviceUrl },
    { credentials: CREDENTIALS, timeoutMs: 3000, logger },
  );
}

test('loopback stream host rewritten to reached address', async () => {
  const sim = await startSim({ quirks: { streamHost: '127.0.1.1' } });
  const logger = captureLogger();
  const inspection = await inspect(sim, logger);
  const source = inspection.sources[0];
  expect(source.rtspUrl).toBe('rtsp://127.0.0.1:8554/cam_sub?channel=1&subtype=1');
  expect(source.liveViewUrl).toBe('rtsp://127.0.0.1:8554/cam_main');
  for (const profile of inspection.profiles) {
    expect(new URL(profile.rtspUrl as string).hostname).not.toBe('127.0.1.1');
  }
  expect(
    logger.lines.some(
      (line) => line.startsWith('warn') && line.includes('loopback host 127.0.1.1'),
    ),
  ).toBe(true);
});

test('device added as host:port gives a single port', async () => {
  const sim = await startSim({ quirks: { streamHost: '127.0.1.1' } });
  const device = deviceFromAddress(`127.0.0.1:${sim.httpPort}`);
  expect(device.serviceUrl).toBe(`http://127.0.0.1:${sim.httpPort}/onvif/device_service`);
  await inspectInto(device, { credentials: CREDENTIALS, timeoutMs: 3000, logger: captureLogger() });
  expect(device.error).toBeUndefined();
  const url = device.sources?.[0].rtspUrl as string;
  expect(url).toBe('rtsp://127.0.0.1:8554/cam_sub?channel=1&subtype=1');
  expect(url).not.toContain(`:${sim.httpPort}:`);
});

test('HTTP port in stream URI replaced by RTSP port', async () => {
  const sim = await startSim({ quirks: { httpPortInStreamUri: true } });
  const inspection = await inspect(sim);
  expect(inspection.sources[0].rtspUrl).toBe('rtsp://127.0.0.1:8554/cam_sub?channel=1&subtype=1');
  expect(inspection.warnings.some((warning) => warning.includes(`port ${sim.httpPort}`))).toBe(
    true,
  );
});

test('Media2 fault falls back to Media1 with transport', async () => {
  const sim = await startSim({ quirks: { streamUriFaults: ['media2'] } });
  const inspection = await inspect(sim);
  expect(inspection.sources[0].rtspUrl).toBe('rtsp://127.0.0.1:8554/cam_sub?channel=1&subtype=1');
  const calls = sim.requests
    .filter((request) => request.operation === 'GetStreamUri')
    .map((request) => request.service);
  expect(calls.slice(0, 2)).toEqual(['media2', 'media']);
});

test('Media1 without transport is the last resort', async () => {
  const sim = await startSim({ quirks: { streamUriFaults: ['media2', 'media1-transport'] } });
  const inspection = await inspect(sim);
  expect(inspection.sources[0].profile).toBe('Profile_2');
  expect(sim.requests.filter((request) => request.operation === 'GetStreamUri')).toHaveLength(9);
});

test('all forms faulting is a per-camera error, others carry on', async () => {
  const broken = await startSim({
    discovery: { port: 0 },
    quirks: { streamUriFaults: ['media2', 'media1-transport', 'media1-bare'] },
  });
  const good = await startSim({ discovery: { port: 0 } });
  const logger = captureLogger();
  const result = await discoverCameras({
    multicast: false,
    unicast: [`127.0.0.1:${broken.discoveryPort}`, `127.0.0.1:${good.discoveryPort}`],
    credentials: CREDENTIALS,
    probe: { timeoutMs: 600, repeats: 2 },
    logger,
  });
  expect(result.devices).toHaveLength(2);
  const brokenDevice = result.devices.find((device) => device.id === broken.endpoint);
  const goodDevice = result.devices.find((device) => device.id === good.endpoint);
  expect(brokenDevice?.error?.code).toBe('no-stream-uri');
  expect(brokenDevice?.error?.message).toContain('InvalidArgs');
  expect(brokenDevice?.error?.message).toContain('Media2 RtspUnicast');
  expect(brokenDevice?.error?.message).toContain('Media1 without Transport');
  expect(goodDevice?.error).toBeUndefined();
  expect(logger.lines.some((line) => line.includes('inspection failed') && line.includes(broken.endpoint))).toBe(true);
  expect(goodDevice?.sources?.[0].rtspUrl).toBe(
    'rtsp://127.0.0.1:8554/cam_sub?channel=1&subtype=1',
  );
}, 15_000);

test('H.265-only camera is usable with a live-view note', async () => {
  const sim = await startSim({ quirks: { h265Only: true } });
  const inspection = await inspect(sim);
  const source = inspection.sources[0];
  expect(source.codec).toBe('H265');
  expect(source.rtspUrl).toContain('/cam_sub');
  expect(source.liveViewNote).toContain('H.264');
  expect(source.liveViewNote).toContain('token Profile_1');
});

test('no Media2 uses Media1 profiles', async () => {
  const sim = await startSim({ quirks: { noMedia2: true } });
  const inspection = await inspect(sim);
  expect(inspection.profiles.every((profile) => profile.service === 'media')).toBe(true);
  expect(inspection.sources[0].profile).toBe('Profile_2');
});

test('GetServices fault falls back to GetCapabilities', async () => {
  const sim = await startSim({ quirks: { noGetServices: true } });
  const inspection = await inspect(sim);
  expect(sim.requests.some((request) => request.operation === 'GetCapabilities')).toBe(true);
  expect(inspection.sources[0].profile).toBe('Profile_2');
});

test('unusual prefixes parse the same', async () => {
  const sim = await startSim({ prefixStyle: 'odd' });
  const inspection = await inspect(sim);
  expect(inspection.sources[0].profile).toBe('Profile_2');
});

test('unreachable device is a clear error', async () => {
  const sim = await startSim({});
  const url = sim.serviceUrl;
  await sim.close();
  sims.pop();
  const error = await inspectDevice({ id: 'cam', serviceUrl: url }, { timeoutMs: 2000 }).catch(
    (caught: unknown) => caught,
  );
  expect(error).toMatchObject({ code: 'unreachable' });
  expect((error as Error).message).toContain('ECONNREFUSED');
});
