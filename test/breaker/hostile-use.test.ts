import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// Regression tests for problems found by trying the product as a user and
// as an attacker. Each runs the real CLI or sidecar on 127.0.0.1.

/** Repository root, so the CLIs run from the checkout under test. */
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Finished {
  code: number | null;
  output: string;
}

/** A CLI or sidecar started with tsx, with its stdout and stderr collected in one string. */
class ShopfaceProcess {
  readonly child: ChildProcess;
  output = '';
  private readonly exited: Promise<Finished>;

  constructor(script: string, args: string[]) {
    this.child = spawn(TSX, [script, ...args], {
      cwd: ROOT,
      env: { ...process.env, SHOPFACE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve({ code, output: this.output }));
    });
  }

  /** Resolves with the exit status, or with null when it is still running after `timeoutMs`. */
  async exitWithin(timeoutMs: number): Promise<Finished | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Resolves with the URL the sidecar prints once it is ready. Rejects when it exits first or times out. */
  async waitForUrl(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = /shopface is running: open (http:\/\/\S+)/.exec(this.output);
      if (match) return match[1];
      if (this.child.exitCode !== null) throw new Error(`sidecar exited with ${this.child.exitCode}:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for the sidecar to start:\n${this.output}`);
  }

  /** Sends SIGTERM, then SIGKILL after 5 s, and waits for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    if ((await this.exitWithin(5000)) === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Starts the sidecar on a free port of 127.0.0.1 with no camera. */
function startSidecar(dataDir: string): ShopfaceProcess {
  return new ShopfaceProcess('plugin/main.ts', ['--data', dataDir, '--port', '0']);
}

let workDir: string;
const running: ShopfaceProcess[] = [];

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'shopface-breaker-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((proc) => proc.stop()));
  await rm(workDir, { recursive: true, force: true });
});

test('analyze fails on a non-video input', async () => {
  // A text file named like a clip, which ffmpeg rejects with "Invalid data found when processing input".
  const input = path.join(workDir, 'notes.mp4');
  await writeFile(input, 'this is not a video\n'.repeat(100));
  const proc = new ShopfaceProcess('plugin/cli/analyze.ts', ['--input', input, '--data', path.join(workDir, 'data')]);
  running.push(proc);

  const finished = await proc.exitWithin(15_000);

  expect(finished).not.toBeNull();
  expect(finished?.code).not.toBe(0);
}, 20_000);

test('second sidecar on one data folder is rejected', async () => {
  const dataDir = path.join(workDir, 'data');
  const first = startSidecar(dataDir);
  running.push(first);
  await first.waitForUrl(12_000);

  const second = startSidecar(dataDir);
  running.push(second);
  const finished = await second.exitWithin(8_000);

  expect(finished).not.toBeNull();
  expect(finished?.code).not.toBe(0);
}, 25_000);

test('camera URL query password is redacted', async () => {
  const sidecar = startSidecar(path.join(workDir, 'data'));
  running.push(sidecar);
  const url = await sidecar.waitForUrl(12_000);
  const secret = 'QuerySecret55';
  const rtspUrl = `rtsp://127.0.0.1:9/stream?user=admin&password=${secret}`;

  const added = await fetch(`${url}/api/v1/cameras`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Query auth', rtspUrl }),
    signal: AbortSignal.timeout(5000),
  });
  const addedBody = await added.text();
  const listed = await (await fetch(`${url}/api/v1/cameras`, { signal: AbortSignal.timeout(5000) })).text();
  await new Promise((resolve) => setTimeout(resolve, 1500));

  expect(added.status).toBe(201);
  expect(addedBody).not.toContain(secret);
  expect(listed).not.toContain(secret);
  expect(sidecar.output).not.toContain(secret);
}, 20_000);

test('replaced store key is named', async () => {
  const dataDir = path.join(workDir, 'data');
  const first = startSidecar(dataDir);
  running.push(first);
  const url = await first.waitForUrl(12_000);
  const added = await fetch(`${url}/api/v1/cameras`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Entrance', rtspUrl: 'rtsp://127.0.0.1:9/stream' }),
    signal: AbortSignal.timeout(5000),
  });
  expect(added.status).toBe(201);
  await first.stop();
  // A valid key that is not the one the saved camera URL was encrypted with.
  await writeFile(path.join(dataDir, 'store.key'), randomBytes(32).toString('base64') + '\n', { mode: 0o600 });

  const second = startSidecar(dataDir);
  running.push(second);
  const finished = await second.exitWithin(12_000);

  expect(finished).not.toBeNull();
  expect(finished?.code).not.toBe(0);
  expect(finished?.output).toContain('store.key');
}, 30_000);
