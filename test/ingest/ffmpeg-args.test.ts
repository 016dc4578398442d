import { execFile, spawn } from 'node:child_process';
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
    expect(valueAfter(args, '-vf')).toBe("select='isnan(prev_selected_t)+gte(t-prev_selected_t,0.190000)+lt(t,prev_selected_t)',scale=320:240");
    expect(valueAfter(args, '-vsync')).toBe('passthrough');
    expect(args).not.toContain('-r');
  });

  test('file input keeps the fps filter only', () => {
    const args = buildFfmpegArgs(BASE);
    expect(args).not.toContain('-vsync');
    expect(valueAfter(args, '-vf')).not.toMatch(/select/);
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

/** Runs the bundled ffmpeg on a generated 40x30 test pattern with the live output filter; returns the number of frames written. */
function countLiveFrames(sourceFps: number, seconds: number, setpts: string): Promise<number> {
  const live = buildFfmpegArgs({ ...BASE, input: 'rtsp://127.0.0.1/cam', network: true, width: 40, height: 30 });
  const filter = `setpts='${setpts}',${valueAfter(live, '-vf')}`;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-t', String(seconds), '-i', `testsrc2=size=80x60:rate=${sourceFps}`,
    '-vf', filter, '-vsync', valueAfter(live, '-vsync')!, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
  ];
  return new Promise((resolve, reject) => {
    execFile(resolveFfmpegPath(), args, { encoding: 'buffer', timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ffmpeg failed: ${error.message}\n${stderr.toString()}`));
      else resolve(stdout.length / (40 * 30 * 3));
    });
  });
}

describe('live frame selection in the bundled ffmpeg', () => {
  test('10 fps source gives 5 fps', async () => {
    expect(await countLiveFrames(10, 4, 'PTS-STARTPTS')).toBe(4 * BASE.fps);
  });

  test('25 fps source gives 5 fps', async () => {
    expect(await countLiveFrames(25, 4, 'PTS-STARTPTS')).toBe(4 * BASE.fps);
  });

  test('timestamps going back keep frames flowing', async () => {
    // testsrc2's time base is 1/rate, so PTS N is frame N. At frame 20 (2 s) the timestamps restart at 0.
    const frames = await countLiveFrames(10, 6, 'if(lt(N,20),N,N-20)');
    expect(frames).toBeGreaterThanOrEqual(0.9 * 6 * BASE.fps);
    expect(frames).toBeLessThanOrEqual(6 * BASE.fps);
  });
});
