// Multicast WS-Discovery across a veth pair between two network namespaces
// that this test creates and removes; nothing touches the host's interfaces.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { DiscoverResult } from '../../plugin/discovery/discover';
import { CREDENTIALS } from './support';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
// Unique per run, and short enough for interface names (15 characters at most).
const tag = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
const NS_CAMERA = `sfcam${tag}`;
const NS_CLIENT = `sfcli${tag}`;
const CAMERA_IP = '10.213.77.1';
const CLIENT_IP = '10.213.77.2';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** Creates both namespaces and the veth pair; returns why not when that is impossible here. */
function setUpNamespaces(): string | undefined {
  try {
    ip('netns', 'add', NS_CAMERA);
    ip('netns', 'add', NS_CLIENT);
    ip(
      '-n',
      NS_CAMERA,
      'link',
      'add',
      `vc${tag}`,
      'type',
      'veth',
      'peer',
      'name',
      `vl${tag}`,
      'netns',
      NS_CLIENT,
    );
    for (const [ns, device, address] of [
      [NS_CAMERA, `vc${tag}`, CAMERA_IP],
      [NS_CLIENT, `vl${tag}`, CLIENT_IP],
    ]) {
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', device);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', device, 'up');
      ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', device);
    }
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

function tearDownNamespaces(): void {
  for (const ns of [NS_CAMERA, NS_CLIENT]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // The namespace was never created.
    }
  }
}

const children: ChildProcess[] = [];

/** Starts a tsx script inside a namespace and returns the child with a line reader. */
function startIn(
  ns: string,
  script: string,
  args: string[],
): { child: ChildProcess; nextLine: (prefix: string, timeoutMs: number) => Promise<string> } {
  const child = spawn('ip', ['netns', 'exec', ns, TSX, script, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    lines.push(line);
    waiters.splice(0).forEach((wake) => wake());
  });
  const nextLine = async (prefix: string, timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = lines.findIndex((line) => line.startsWith(prefix));
      if (index >= 0) {
        return lines.splice(index, 1)[0].slice(prefix.length).trim();
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(
          `no "${prefix}" line from ${path.basename(script)} within ${timeoutMs} ms; stderr: ${stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { child, nextLine };
}

const unavailable = setUpNamespaces();
if (unavailable !== undefined) {
  tearDownNamespaces();
  console.warn(
    `SKIPPED multicast discovery across namespaces: network namespaces cannot be created here (${unavailable}); run as root with iproute2.`,
  );
}
const netnsTest = unavailable === undefined ? test : test.skip;

let camera: ReturnType<typeof startIn> | undefined;
let cameraEndpoint = '';

beforeAll(async () => {
  if (unavailable !== undefined) return;
  const options = {
    host: CAMERA_IP,
    discovery: { port: 3702, multicast: true },
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
  };
  camera = startIn(NS_CAMERA, 'test/helpers/onvif-sim/main.ts', [JSON.stringify(options)]);
  cameraEndpoint = JSON.parse(await camera.nextLine('READY', 20_000)).endpoint;
}, 30_000);

afterAll(async () => {
  for (const child of children) {
    child.stdin?.end();
    child.kill('SIGKILL');
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  tearDownNamespaces();
});

netnsTest(
  'multicast probe finds and inspects the camera',
  async () => {
    const options = { multicast: true, credentials: CREDENTIALS, probe: { timeoutMs: 1500 } };
    const client = startIn(NS_CLIENT, 'test/discovery/netns-client.ts', [
      'probe',
      JSON.stringify(options),
    ]);
    const result = JSON.parse(await client.nextLine('RESULT', 30_000)) as DiscoverResult;
    expect(result.devices).toHaveLength(1);
    const device = result.devices[0];
    expect(device.id).toBe(cameraEndpoint);
    expect(device.address).toBe(CAMERA_IP);
    expect(device.source).toBe('multicast');
    expect(device.reachability).toBe('local');
    expect(device.error).toBeUndefined();
    expect(device.sources?.[0].rtspUrl).toBe(`rtsp://${CAMERA_IP}:554/cam_sub?channel=1&subtype=1`);
  },
  45_000,
);

netnsTest(
  'Hello adds and Bye removes the camera',
  async () => {
    const listener = startIn(NS_CLIENT, 'test/discovery/netns-client.ts', ['listen', CLIENT_IP]);
    await listener.nextLine('LISTENING', 30_000);
    camera?.child.stdin?.write('hello\n');
    expect(await listener.nextLine('ADDED', 10_000)).toBe(`${cameraEndpoint} ${CAMERA_IP}`);
    camera?.child.stdin?.write('bye\n');
    expect(await listener.nextLine('REMOVED', 10_000)).toBe(cameraEndpoint);
    listener.child.stdin?.end();
  },
  45_000,
);
