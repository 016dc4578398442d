import { spawn } from 'node:child_process';
import net from 'node:net';
import { buildFfmpegArgs, DecodeArgs, detectSocketTimeoutOption, resolveFfmpegPath } from '../../plugin/ingest/ffmpeg-args';
import { tcpLiveness } from '../../plugin/ingest/tcp-liveness';

const BASE: DecodeArgs = {
  input: '/tmp/clip.mp4',
  width: 320,
  height: 240,
  fps: 5,
  network: false,
  realtime: false,
  decodeThreads: 1,
  socketTimeoutMs: 300_000,
  socketTimeoutOption: 'stimeout',
};

function valueAfter(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

describe('buildFfmpegArgs', () => {
  test('file input resamples to fps and scales', () => {
    const args = buildFfmpegArgs(BASE);
    expect(valueAfter(args, '-i')).toBe('/tmp/clip.mp4');
    expect(valueAfter(args, '-vf')).toBe('fps=5,scale=320:240');
    expect(valueAfter(args, '-pix_fmt')).toBe('rgb24');
    expect(valueAfter(args, '-f')).toBe('rawvideo');
    expect(args[args.length - 1]).toBe('pipe:1');
    expect(args).not.toContain('-rtsp_transport');
    expect(args).not.toContain('-re');
  });

  test('realtime file input reads at native rate', () => {
    const args = buildFfmpegArgs({ ...BASE, realtime: true });
    expect(args.indexOf('-re')).toBeLessThan(args.indexOf('-i'));
  });

  test('rtsp input uses tcp and the socket timeout in microseconds', () => {
    const args = buildFfmpegArgs({ ...BASE, input: 'rtsp://127.0.0.1:8554/cam', network: true });
    expect(valueAfter(args, '-rtsp_transport')).toBe('tcp');
    expect(valueAfter(args, '-stimeout')).toBe('300000000');
    expect(args.indexOf('-stimeout')).toBeLessThan(args.indexOf('-i'));
    expect(valueAfter(args, '-vf')).toBe('scale=320:240');
    expect(valueAfter(args, '-vsync')).toBe('vfr');
    expect(valueAfter(args, '-r')).toBe('5');
  });

  test('newer ffmpeg gets -timeout', () => {
    const args = buildFfmpegArgs({ ...BASE, input: 'rtsp://127.0.0.1/cam', network: true, socketTimeoutOption: 'timeout' });
    expect(valueAfter(args, '-timeout')).toBe('300000000');
    expect(args).not.toContain('-stimeout');
  });
});

describe('resolveFfmpegPath', () => {
  const saved = process.env.SHOPFACE_FFMPEG;
  afterEach(() => {
    if (saved === undefined) delete process.env.SHOPFACE_FFMPEG;
    else process.env.SHOPFACE_FFMPEG = saved;
  });

  test('prefers the option, then the environment, then the installer', () => {
    process.env.SHOPFACE_FFMPEG = '/opt/ffmpeg/bin/ffmpeg';
    expect(resolveFfmpegPath('/usr/local/bin/ffmpeg')).toBe('/usr/local/bin/ffmpeg');
    expect(resolveFfmpegPath()).toBe('/opt/ffmpeg/bin/ffmpeg');
    delete process.env.SHOPFACE_FFMPEG;
    expect(resolveFfmpegPath()).toBe(require('@ffmpeg-installer/ffmpeg').path);
  });
});

test('socket timeout option matches the bundled ffmpeg help', async () => {
  const ffmpeg = resolveFfmpegPath();
  const help = await new Promise<string>((resolve) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-h', 'demuxer=rtsp']);
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('close', () => resolve(text));
  });
  const expected = /^\s*-stimeout\b/m.test(help) ? 'stimeout' : 'timeout';
  expect(help).toMatch(/-rtsp_transport/);
  expect(await detectSocketTimeoutOption(ffmpeg)).toBe(expected);
});

describe('tcpLiveness', () => {
  test('sees an established connection and its absence', async () => {
    const server = net.createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const script = `require('net').connect(${port}, '127.0.0.1', () => console.log('up')); setInterval(() => {}, 1000)`;
    const connected = spawn(process.execPath, ['-e', script]);
    const idle = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)']);
    try {
      await Promise.all([connected, idle].map((child) => new Promise((resolve) => child.stdout.once('data', resolve))));
      expect(await tcpLiveness(connected.pid!)).toBe('connected');
      expect(await tcpLiveness(idle.pid!)).toBe('not-connected');
    } finally {
      connected.kill();
      idle.kill();
      server.close();
    }
    expect(await tcpLiveness(2 ** 22 + 12345)).toBe('unknown');
  });
});
