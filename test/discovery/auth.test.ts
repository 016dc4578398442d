import http from 'node:http';
import { inspectDevice } from '../../plugin/discovery/camera';
import { getDeviceInformation } from '../../plugin/discovery/device';
import { usernameTokenHeader } from '../../plugin/discovery/auth';
import { NS } from '../../plugin/discovery/ns';
import { SoapClient } from '../../plugin/discovery/soap';
import { OnvifSim, type SimOptions } from '../helpers/onvif-sim';
import { CREDENTIALS, captureLogger } from './support';

const sims: OnvifSim[] = [];

async function startSim(options: SimOptions): Promise<OnvifSim> {
  const sim = await OnvifSim.start({
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    ...options,
  });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

function inspect(sim: OnvifSim, credentials = CREDENTIALS) {
  return inspectDevice({ id: 'cam', serviceUrl: sim.serviceUrl }, { credentials, timeoutMs: 3000 });
}

describe('WS-UsernameToken', () => {
  test.each([0, 3600, -7200])('passes with camera clock offset %i s', async (clockOffsetS) => {
    const sim = await startSim({ auth: 'ws-security', clockOffsetS });
    const inspection = await inspect(sim);
    expect(inspection.sources).toHaveLength(1);
    expect(Math.abs(inspection.clockOffsetMs - clockOffsetS * 1000)).toBeLessThan(2000);
    expect(sim.requests.every((request) => request.authorized)).toBe(true);
  });

  test('token on the local clock fails on a skewed camera', async () => {
    const sim = await startSim({ auth: 'ws-security', clockOffsetS: 3600 });
    const client = new SoapClient({ credentials: CREDENTIALS, timeoutMs: 3000 });
    client.clockOffsetMs = 0;
    await expect(getDeviceInformation(client, sim.serviceUrl)).rejects.toMatchObject({
      code: 'auth-failed',
    });
  });

  test('wrong password is auth-failed without the password in the message', async () => {
    const sim = await startSim({ auth: 'ws-security' });
    const logger = captureLogger();
    const wrong = { username: CREDENTIALS.username, password: 'wrong-Pa55' };
    const error = await inspectDevice(
      { id: 'cam', serviceUrl: sim.serviceUrl },
      { credentials: wrong, logger },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth-failed' });
    expect((error as Error).message).toContain('NotAuthorized');
    expect((error as Error).message).not.toContain('wrong-Pa55');
    expect(logger.lines.join('\n')).not.toContain('wrong-Pa55');
  });

  test('missing credentials are auth-failed', async () => {
    const sim = await startSim({ auth: 'ws-security' });
    const error = await inspectDevice({ id: 'cam', serviceUrl: sim.serviceUrl }, {}).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'auth-failed' });
  });

  test('simulator rejects a replayed nonce', async () => {
    const sim = await startSim({ auth: 'ws-security' });
    const body =
      `<s:Envelope xmlns:s="${NS.soap12}"><s:Header>${usernameTokenHeader(CREDENTIALS, 0)}</s:Header>` +
      `<s:Body><GetDeviceInformation xmlns="${NS.tds}"/></s:Body></s:Envelope>`;
    const first = await post(sim.serviceUrl, body);
    const second = await post(sim.serviceUrl, body);
    expect(first.status).toBe(200);
    expect(second.status).toBe(400);
    expect(second.body).toContain('NotAuthorized');
  });
});

describe('HTTP Digest', () => {
  test('answers the 401 challenge and keeps using digest', async () => {
    const sim = await startSim({ auth: 'digest', clockOffsetS: 120 });
    const inspection = await inspect(sim);
    expect(inspection.sources[0].profile).toBe('Profile_2');
    const rejected = sim.requests.filter((request) => !request.authorized);
    expect(rejected).toHaveLength(1);
    expect(sim.requests.length).toBeGreaterThan(6);
  });

  test('wrong password is auth-failed', async () => {
    const sim = await startSim({ auth: 'digest' });
    const error = await inspect(sim, { username: CREDENTIALS.username, password: 'nope' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'auth-failed' });
    expect((error as Error).message).toContain('401');
  });
});

function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
