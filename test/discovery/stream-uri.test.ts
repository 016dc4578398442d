// Pure-function tests. The 192.0.2.0/24 addresses are from the documentation
// range (RFC 5737): they appear only as strings here and are never connected to.
import { DiscoveryError } from '../../plugin/discovery/errors';
import {
  isLoopbackHost,
  redactUrl,
  repairStreamUri,
  splitHostPort,
  withCredentials,
} from '../../plugin/discovery/stream-uri';

const reached = { reachedHost: '192.0.2.50', httpPorts: [80], rtspPorts: [554] };

describe('repairStreamUri', () => {
  test('loopback host becomes the reached address', () => {
    const repaired = repairStreamUri('rtsp://127.0.1.1:8554/cam_sub', {
      ...reached,
      rtspPorts: [8554],
    });
    expect(repaired.url).toBe('rtsp://192.0.2.50:8554/cam_sub');
    expect(repaired.warnings).toHaveLength(1);
    expect(repaired.warnings[0]).toContain('loopback host 127.0.1.1');
  });

  test('every loopback spelling is rewritten', () => {
    for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', '0.0.0.0', '[::1]']) {
      const repaired = repairStreamUri(`rtsp://${host}:554/live`, reached);
      expect(repaired.url).toBe('rtsp://192.0.2.50:554/live');
    }
  });

  test('non-loopback host is kept', () => {
    const repaired = repairStreamUri('rtsp://192.0.2.51:554/live', reached);
    expect(repaired.url).toBe('rtsp://192.0.2.51:554/live');
    expect(repaired.warnings).toEqual([]);
  });

  test('device added as host:port never yields a double port', () => {
    const { host } = splitHostPort('192.0.2.50:80');
    const repaired = repairStreamUri('rtsp://127.0.1.1/Streaming/Channels/102', {
      reachedHost: host,
      httpPorts: [80],
      rtspPorts: [],
    });
    expect(repaired.url).toBe('rtsp://192.0.2.50/Streaming/Channels/102');
    expect(repaired.url).not.toContain(':80:');
    expect(() => new URL(repaired.url)).not.toThrow();
  });

  test('query string kept byte for byte', () => {
    const query = '?channel=1&subtype=1&token=a%2Fb+c&name=x y&empty=&flag';
    const repaired = repairStreamUri(`rtsp://127.0.1.1:554/cam/realmonitor${query}`, reached);
    expect(repaired.url).toBe(`rtsp://192.0.2.50:554/cam/realmonitor${query}`);
  });

  test('HTTP port replaced by the RTSP port', () => {
    const repaired = repairStreamUri('rtsp://192.0.2.50:80/h264/ch1/sub/av_stream', reached);
    expect(repaired.url).toBe('rtsp://192.0.2.50:554/h264/ch1/sub/av_stream');
    expect(repaired.warnings[0]).toContain('port 80');
  });

  test('missing port gets the non-default RTSP port', () => {
    const repaired = repairStreamUri('rtsp://192.0.2.50/live', { ...reached, rtspPorts: [8554] });
    expect(repaired.url).toBe('rtsp://192.0.2.50:8554/live');
  });

  test('unknown RTSP ports leave the port alone', () => {
    const repaired = repairStreamUri('rtsp://192.0.2.50:80/live', { ...reached, rtspPorts: [] });
    expect(repaired.url).toBe('rtsp://192.0.2.50:80/live');
  });

  test('a port that is neither HTTP nor listed is kept', () => {
    const repaired = repairStreamUri('rtsp://192.0.2.50:10554/live', reached);
    expect(repaired.url).toBe('rtsp://192.0.2.50:10554/live');
  });

  test('embedded credentials are removed', () => {
    const repaired = repairStreamUri('rtsp://admin:hunter2@192.0.2.50:554/live', reached);
    expect(repaired.url).toBe('rtsp://192.0.2.50:554/live');
    expect(repaired.url).not.toContain('hunter2');
    expect(repaired.warnings[0]).toContain('credentials');
  });

  test('IPv6 reached host is bracketed', () => {
    const repaired = repairStreamUri('rtsp://127.0.0.1:554/live', {
      reachedHost: '2001:db8::50',
      httpPorts: [80],
      rtspPorts: [554],
    });
    expect(repaired.url).toBe('rtsp://[2001:db8::50]:554/live');
  });

  test('invalid URIs are rejected with the value', () => {
    for (const raw of [
      'http://192.0.2.50/live',
      'rtsp://192.0.2.50:80:554/a',
      'not a url',
      'rtsp:///nohost',
    ]) {
      let caught: unknown;
      try {
        repairStreamUri(raw, reached);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DiscoveryError);
      expect((caught as DiscoveryError).code).toBe('no-stream-uri');
    }
  });
});

describe('splitHostPort', () => {
  test('parses host, host:port and IPv6 forms', () => {
    expect(splitHostPort('192.0.2.50')).toEqual({ host: '192.0.2.50' });
    expect(splitHostPort('192.0.2.50:80')).toEqual({ host: '192.0.2.50', port: 80 });
    expect(splitHostPort('[2001:db8::1]:8080')).toEqual({ host: '2001:db8::1', port: 8080 });
    expect(splitHostPort('2001:db8::1')).toEqual({ host: '2001:db8::1' });
    expect(splitHostPort('camera.local:8000')).toEqual({ host: 'camera.local', port: 8000 });
  });

  test('rejects paths and double ports', () => {
    expect(() => splitHostPort('192.0.2.50:80:554')).toThrow(/not a valid host/);
    expect(() => splitHostPort('192.0.2.50/onvif')).toThrow(/without user, path or query/);
  });
});

describe('credentials in URLs', () => {
  test('withCredentials percent-encodes and keeps the query', () => {
    const url = withCredentials('rtsp://192.0.2.50:554/live?a=1&b=2', {
      username: 'ad min',
      password: 'p@ss:w/rd',
    });
    expect(url).toBe('rtsp://ad%20min:p%40ss%3Aw%2Frd@192.0.2.50:554/live?a=1&b=2');
    expect(new URL(url).password).toBe('p%40ss%3Aw%2Frd');
  });

  test('redactUrl removes user and password', () => {
    expect(redactUrl('rtsp://admin:hunter2@192.0.2.50/live')).not.toContain('hunter2');
    expect(redactUrl('rtsp://admin:hunter2@192.0.2.50/live')).toContain('192.0.2.50/live');
    expect(redactUrl('garbage //user:hunter2@host')).not.toContain('hunter2');
  });

  test('isLoopbackHost covers 127/8 and ::1 only', () => {
    expect(isLoopbackHost('127.255.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('192.0.2.50')).toBe(false);
  });
});
