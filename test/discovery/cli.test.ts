import { execFile } from 'node:child_process';
import path from 'node:path';
import { OnvifSim } from '../helpers/onvif-sim';
import { CREDENTIALS } from './support';

const ROOT = path.resolve(__dirname, '../..');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run --silent discover -- ARGS` as an installer would. */
function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'discover', '--', ...args],
      { cwd: ROOT, timeout: 40_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? Number((error as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

let sim: OnvifSim;

beforeAll(async () => {
  sim = await OnvifSim.start({
    discovery: { port: 0 },
    auth: 'digest',
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    rtsp: { host: '127.0.0.1', port: 8554 },
    quirks: { streamHost: '127.0.1.1', h265Only: true },
    model: 'SV-2040',
  });
});

afterAll(async () => {
  await sim.close();
});

test('CLI lists the device as JSON without credentials', async () => {
  const run = await runCli([
    '--unicast',
    `127.0.0.1:${sim.discoveryPort}`,
    '--user',
    CREDENTIALS.username,
    '--password',
    CREDENTIALS.password,
    '--json',
    '--timeout',
    '800',
  ]);
  expect(run.code).toBe(0);
  const output = JSON.parse(run.stdout) as { devices: Array<Record<string, any>> };
  expect(output.devices).toHaveLength(1);
  const device = output.devices[0];
  expect(device.address).toBe('127.0.0.1');
  expect(device.info.model).toBe('SV-2040');
  expect(device.profiles.map((profile: { token: string }) => profile.token)).toEqual([
    'Profile_1',
    'Profile_2',
    'Profile_3',
  ]);
  expect(device.sources[0].rtspUrl).toBe('rtsp://127.0.0.1:8554/cam_sub?channel=1&subtype=1');
  expect(device.sources[0].liveViewNote).toContain('H.264');
  expect(device.error).toBeUndefined();
  expect(run.stdout).not.toContain(CREDENTIALS.password);
  expect(run.stderr).not.toContain(CREDENTIALS.password);
  expect(run.stderr).toContain('loopback host 127.0.1.1');
  expect(sim.probes.length).toBeGreaterThan(0);
}, 45_000);

test('CLI reports auth failure per camera', async () => {
  const run = await runCli([
    '--unicast',
    `127.0.0.1:${sim.discoveryPort}`,
    '--user',
    CREDENTIALS.username,
    '--password',
    'wrong-one',
    '--timeout',
    '800',
  ]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('error (auth-failed)');
  expect(run.stdout).not.toContain('wrong-one');
}, 45_000);

test('CLI rejects an invalid range', async () => {
  const run = await runCli(['--unicast', '127.0.0.1/8', '--json']);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('127.0.0.1/8');
  expect(run.stderr).toContain('limit is 1024');
}, 45_000);
