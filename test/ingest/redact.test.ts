import { credentialSecrets, redactSecrets, redactUrl } from '../../plugin/ingest/redact';

describe('redactUrl', () => {
  const cases: Array<[string, string]> = [
    ['rtsp://admin:hunter22@10.0.0.5:554/stream1', 'rtsp://***@10.0.0.5:554/stream1'],
    ['rtsp://admin@10.0.0.5/stream1', 'rtsp://***@10.0.0.5/stream1'],
    ['RTSPS://Admin:Pw@cam.local/live', 'RTSPS://***@cam.local/live'],
    ['rtsp://admin:p@ss@word@10.0.0.5/stream1', 'rtsp://***@10.0.0.5/stream1'],
    ['rtsp://admin:p%40ss%3Aw@10.0.0.5/', 'rtsp://***@10.0.0.5/'],
    ['rtsp://u:p@10.0.0.5', 'rtsp://***@10.0.0.5'],
    ['rtsp://10.0.0.5:554/stream1', 'rtsp://10.0.0.5:554/stream1'],
    ['no url here, mail admin@example.com', 'no url here, mail admin@example.com'],
    ["Input #0, rtsp, from 'rtsp://bob:s3cret@127.0.0.1:8554/cam':", "Input #0, rtsp, from 'rtsp://***@127.0.0.1:8554/cam':"],
    ['a rtsp://a:b@h1/x and http://c:d@h2/y', 'a rtsp://***@h1/x and http://***@h2/y'],
    ['rtsp://host/path?user=x@y', 'rtsp://host/path?user=x@y'],
  ];

  test.each(cases)('redacts %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('credentialSecrets', () => {
  test('lists password, decoded password and basic token', () => {
    const secrets = credentialSecrets('rtsp://bob:p%40ssword@127.0.0.1/cam');
    expect(secrets).toContain('p%40ssword');
    expect(secrets).toContain('p@ssword');
    expect(secrets).toContain('bob:p@ssword');
    expect(secrets).toContain(Buffer.from('bob:p@ssword').toString('base64'));
  });

  test('returns nothing without a password', () => {
    expect(credentialSecrets('rtsp://bob@127.0.0.1/cam')).toEqual([]);
    expect(credentialSecrets('/tmp/clip.mp4')).toEqual([]);
  });

  test('skips secrets too short to replace safely', () => {
    const secrets = credentialSecrets('rtsp://u:pw@127.0.0.1/cam');
    expect(secrets).not.toContain('pw');
    expect(secrets).toContain('u:pw');
  });
});

describe('redactSecrets', () => {
  test('removes a password outside any URL', () => {
    const secrets = credentialSecrets('rtsp://bob:s3cretPW@127.0.0.1/cam');
    const line = 'auth failed for bob with s3cretPW at rtsp://bob:s3cretPW@127.0.0.1/cam';
    const out = redactSecrets(line, secrets);
    expect(out).not.toContain('s3cretPW');
    expect(out).toBe('auth failed for bob with *** at rtsp://***@127.0.0.1/cam');
  });

  test('removes the Basic authorization token', () => {
    const secrets = credentialSecrets('rtsp://bob:s3cretPW@127.0.0.1/cam');
    const token = Buffer.from('bob:s3cretPW').toString('base64');
    expect(redactSecrets(`Authorization: Basic ${token}`, secrets)).toBe('Authorization: Basic ***');
  });
});
