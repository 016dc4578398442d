// Malformed and hostile replies, served by the simulator in place of a real
// operation's reply. Each must end in a clear per-camera error, never a crash,
// and no external entity may ever be loaded.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { deviceFromAddress, inspectInto } from '../../plugin/discovery/discover';
import { DiscoveryError } from '../../plugin/discovery/errors';
import { parseDiscoveryMessage } from '../../plugin/discovery/probe';
import { silentLogger } from '../../plugin/discovery/types';
import { OnvifSim, type SimOverride, type SimQuirks } from '../helpers/onvif-sim';
import * as xml from '../helpers/onvif-sim/templates';
import { CREDENTIALS } from './support';

const FIXTURES = path.resolve(__dirname, '../fixtures/onvif');
const ALLOWED_CODES = [
  'invalid-response',
  'soap-fault',
  'no-profile',
  'no-stream-uri',
  'timeout',
  'unreachable',
];
const PROFILES = [
  {
    token: 'Profile_1',
    name: 'main',
    encoding: 'H264' as const,
    width: 1280,
    height: 720,
    streamPath: '/main',
  },
];

/** Where a bad reply is planted: the operations it replaces, their valid replies, and the namespace prefix of each one's service. */
interface Target {
  keys: string[];
  valid: () => string[];
  prefixes: Array<'tds' | 'trt' | 'tr2'>;
  quirks?: SimQuirks;
}

const base = 'http://127.0.0.1:1';
const TARGETS: Record<string, Target> = {
  clock: {
    keys: ['GetSystemDateAndTime'],
    valid: () => [xml.envelope(xml.systemDateAndTime(new Date()))],
    prefixes: ['tds'],
  },
  info: {
    keys: ['GetDeviceInformation'],
    valid: () => [xml.envelope(xml.deviceInformation('M-1'))],
    prefixes: ['tds'],
  },
  services: {
    keys: ['GetServices', 'GetCapabilities'],
    valid: () => [xml.envelope(xml.services(base, true)), xml.envelope(xml.capabilities(base))],
    prefixes: ['tds', 'tds'],
  },
  profiles: {
    keys: ['media:GetProfiles'],
    valid: () => [xml.envelope(xml.media1Profiles(PROFILES))],
    prefixes: ['trt'],
    quirks: { noMedia2: true },
  },
  stream: {
    keys: ['media:GetStreamUri', 'media2:GetStreamUri'],
    valid: () => [
      xml.envelope(xml.media1StreamUri('rtsp://127.0.0.1:8554/main')),
      xml.envelope(xml.media2StreamUri('rtsp://127.0.0.1:8554/main')),
    ],
    prefixes: ['trt', 'tr2'],
  },
};

let canaryHits = 0;
let canaryPort = 0;
const canary = http.createServer((_request, response) => {
  canaryHits += 1;
  response.end('<!ENTITY leak "canary">');
});

function billionLaughs(inner: string): string {
  const entities = Array.from(
    { length: 9 },
    (_, level) => `<!ENTITY l${level + 1} "${`&l${level};`.repeat(10)}">`,
  ).join('');
  return `<?xml version="1.0"?><!DOCTYPE env:Envelope [<!ENTITY l0 "ha">${entities}]>${inner.replace(/^<\?xml[^>]*>/, '').replace(/(<tds:Model>|<tt:Name>|<tt:Uri>|<tr2:Uri>|<tt:Year>|<tds:XAddr>)/, '$1&l9;')}`;
}

function externalEntity(inner: string, systemId: string): string {
  const body = inner
    .replace(/^<\?xml[^>]*>/, '')
    .replace(/(<tds:Model>|<tt:Name>|<tt:Uri>|<tr2:Uri>|<tt:Year>|<tds:XAddr>)/, '$1&ext;');
  return `<?xml version="1.0"?><!DOCTYPE env:Envelope [<!ENTITY ext SYSTEM "${systemId}">]>${body}`;
}

function seededGarbage(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 12345;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = i < 4 ? 0xff : state & 0xff;
  }
  return bytes;
}

const NAMESPACE_OF = { tds: xml.SIM_NS.tds, trt: xml.SIM_NS.trt, tr2: xml.SIM_NS.tr2 };

/** Mutations that apply to any operation's valid reply. */
const GENERIC: Record<string, (valid: string, prefix: Target['prefixes'][number]) => SimOverride> =
  {
    'truncated at 10%': (valid) => valid.slice(0, Math.floor(valid.length * 0.1)),
    'truncated at 50%': (valid) => valid.slice(0, Math.floor(valid.length * 0.5)),
    'truncated at 90%': (valid) => valid.slice(0, Math.floor(valid.length * 0.9)),
    'last bracket missing': (valid) => valid.trimEnd().slice(0, -1),
    'empty reply': () => '',
    'whitespace only': () => '   \n\t  ',
    'HTML error page': () => ({
      status: 500,
      contentType: 'text/html',
      body: '<html><body><h1>500 Internal Server Error</h1></body></html>',
    }),
    'JSON reply': () => ({
      status: 200,
      contentType: 'application/json',
      body: '{"error":"not soap"}',
    }),
    'binary garbage': () => ({ body: seededGarbage(4096) }),
    'wrong envelope namespace': (valid) =>
      valid.replace(xml.SIM_NS.env, 'http://example.invalid/envelope'),
    'SOAP 1.1 envelope with SOAP 1.2 body': (valid) =>
      valid
        .replace(xml.SIM_NS.env, 'http://schemas.xmlsoap.org/soap/envelope/')
        .replace(/<env:Body>/, '<env:Body><x:Oops xmlns:x="urn:x"/>'),
    'wrong service namespace': (valid, prefix) =>
      valid.replace(
        `xmlns:${prefix}="${NAMESPACE_OF[prefix]}"`,
        `xmlns:${prefix}="http://www.onvif.org/ver99/wrong/wsdl"`,
      ),
    'response element renamed': (valid) => valid.replace(/Response>/g, 'Reply>'),
    'empty SOAP body': (valid) =>
      valid.replace(/<env:Body>[\s\S]*<\/env:Body>/, '<env:Body></env:Body>'),
    'billion laughs': (valid) => billionLaughs(valid),
    'external entity to a file': (valid) => externalEntity(valid, 'file:///etc/passwd'),
    'external entity over HTTP': (valid) =>
      externalEntity(valid, `http://127.0.0.1:${canaryPort}/leak`),
    'parameter entity over HTTP': (valid) =>
      `<?xml version="1.0"?><!DOCTYPE env:Envelope [<!ENTITY % p SYSTEM "http://127.0.0.1:${canaryPort}/p.dtd">%p;]>${valid.replace(/^<\?xml[^>]*>/, '')}`,
    'huge reply over the size limit': (valid) =>
      valid.replace('<env:Body>', `<env:Body><!--${'x'.repeat(3 * 1024 * 1024)}-->`),
    'deep nesting': (valid) =>
      valid.replace('<env:Body>', `<env:Body>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`),
    'two root elements': (valid) => `${valid}<env:Envelope xmlns:env="${xml.SIM_NS.env}"/>`,
    'unclosed element': (valid) => valid.replace('</env:Body>', '<tt:Open></env:Body>'),
    'NUL byte in a tag': (valid) => valid.replace('<env:Body>', '<env:Bo\u0000dy>'),
    'undeclared envelope prefix': (valid) => valid.replace(`xmlns:env="${xml.SIM_NS.env}"`, ''),
    'unquoted attribute': (valid) => valid.replace('<env:Body>', '<env:Body id=1>'),
    'broken CDATA': (valid) => valid.replace('<env:Body>', '<env:Body><![CDATA[ open'),
    'text before the root': (valid) => `garbage${valid.replace(/^<\?xml[^>]*>/, '')}`,
    'connection hang-up': () => ({ hangUp: true }),
    'reply slower than the time limit': (valid) => ({ delayMs: 1500, body: valid }),
    'HTTP 500 with empty body': () => ({ status: 500, contentType: 'text/plain', body: '' }),
    'SOAP fault with a huge reason': () => ({
      status: 500,
      body: xml.fault('Receiver', 'Action', 'r'.repeat(20_000)),
    }),
    'SOAP fault without a code': () => ({
      status: 400,
      body: xml.envelope(
        '<env:Fault><env:Reason><env:Text xml:lang="en">broken</env:Text></env:Reason></env:Fault>',
      ),
    }),
  };

/** Mutations of a valid reply that only make sense for one target: wrong types and missing fields. */
const SPECIFIC: Array<{ target: string; name: string; mutate: (valid: string) => string }> = [
  {
    target: 'clock',
    name: 'Year is text',
    mutate: (valid) => valid.replace(/<tt:Year>\d+/, '<tt:Year>abc'),
  },
  {
    target: 'clock',
    name: 'Month 13',
    mutate: (valid) => valid.replace(/<tt:Month>\d+/, '<tt:Month>13'),
  },
  {
    target: 'clock',
    name: 'Hour negative',
    mutate: (valid) => valid.replace(/<tt:Hour>\d+/, '<tt:Hour>-1'),
  },
  {
    target: 'clock',
    name: 'Second NaN',
    mutate: (valid) => valid.replace(/<tt:Second>\d+/, '<tt:Second>NaN'),
  },
  {
    target: 'clock',
    name: 'Day empty',
    mutate: (valid) => valid.replace(/<tt:Day>\d+/, '<tt:Day>'),
  },
  {
    target: 'clock',
    name: 'UTCDateTime missing',
    mutate: (valid) => valid.replace(/<tt:UTCDateTime>[\s\S]*<\/tt:UTCDateTime>/, ''),
  },
  {
    target: 'info',
    name: 'Manufacturer and Model missing',
    mutate: (valid) => valid.replace(/<tds:Manufacturer>.*?<\/tds:Model>/, ''),
  },
  {
    target: 'services',
    name: 'no media service',
    mutate: (valid) =>
      valid
        .replace(/ver10\/media\/wsdl|ver20\/media\/wsdl/g, 'ver10/imaging/wsdl')
        .replace(/<tt:Media>[\s\S]*<\/tt:Media>/, ''),
  },
  {
    target: 'profiles',
    name: 'Width is text',
    mutate: (valid) => valid.replace(/<tt:Width>\d+/, '<tt:Width>abc'),
  },
  {
    target: 'profiles',
    name: 'Width zero',
    mutate: (valid) => valid.replace(/<tt:Width>\d+/, '<tt:Width>0'),
  },
  {
    target: 'profiles',
    name: 'Height too large',
    mutate: (valid) => valid.replace(/<tt:Height>\d+/, '<tt:Height>1e9'),
  },
  {
    target: 'profiles',
    name: 'token missing',
    mutate: (valid) => valid.replace(/ token="Profile_1"/, ''),
  },
  {
    target: 'profiles',
    name: 'token too long',
    mutate: (valid) => valid.replace(/token="Profile_1"/, `token="${'t'.repeat(100)}"`),
  },
  {
    target: 'profiles',
    name: 'no profiles',
    mutate: (valid) => valid.replace(/<trt:Profiles[\s\S]*<\/trt:Profiles>/, ''),
  },
  {
    target: 'profiles',
    name: 'no video encoder',
    mutate: (valid) =>
      valid.replace(/<tt:VideoEncoderConfiguration[\s\S]*<\/tt:VideoEncoderConfiguration>/, ''),
  },
  {
    target: 'stream',
    name: 'Uri empty',
    mutate: (valid) => valid.replace(/Uri>rtsp:[^<]*</g, 'Uri><'),
  },
  {
    target: 'stream',
    name: 'Uri is http',
    mutate: (valid) => valid.replace(/rtsp:\/\//g, 'http://'),
  },
  {
    target: 'stream',
    name: 'Uri port out of range',
    mutate: (valid) => valid.replace(/8554/g, '99999'),
  },
  {
    target: 'stream',
    name: 'Uri is javascript',
    mutate: (valid) => valid.replace(/rtsp:\/\/[^<]*/g, 'javascript:alert(1)'),
  },
  {
    target: 'stream',
    name: 'Uri without host',
    mutate: (valid) => valid.replace(/rtsp:\/\/127\.0\.0\.1:8554/g, 'rtsp://'),
  },
];

const FIXTURE_CASES: Array<{ file: string; target: string }> = [
  { file: 'billion-laughs.xml', target: 'info' },
  { file: 'xxe-file.xml', target: 'info' },
  { file: 'xxe-parameter-entity.xml', target: 'clock' },
  { file: 'truncated-profiles.xml', target: 'profiles' },
  { file: 'wrong-namespace-device-info.xml', target: 'info' },
  { file: 'profiles-wrong-types.xml', target: 'profiles' },
];

interface Case {
  name: string;
  target: string;
  overrides: SimOverride[];
}

function buildCorpus(): Case[] {
  const cases: Case[] = [];
  for (const [targetName, target] of Object.entries(TARGETS)) {
    for (const [name, mutate] of Object.entries(GENERIC)) {
      const faultOnClock = targetName === 'clock' && name.startsWith('SOAP fault');
      if (!faultOnClock) {
        cases.push({
          name,
          target: targetName,
          overrides: target.valid().map((valid, index) => mutate(valid, target.prefixes[index])),
        });
      }
    }
  }
  for (const { target, name, mutate } of SPECIFIC) {
    cases.push({ name, target, overrides: TARGETS[target].valid().map(mutate) });
  }
  for (const { file, target } of FIXTURE_CASES) {
    const text = readFileSync(path.join(FIXTURES, file), 'utf8').replace(
      'CANARY_PORT',
      String(canaryPort),
    );
    cases.push({
      name: `fixture ${file}`,
      target,
      overrides: TARGETS[target].keys.map(() => text),
    });
  }
  return cases;
}

let sim: OnvifSim;

beforeAll(async () => {
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryPort = (canary.address() as AddressInfo).port;
  sim = await OnvifSim.start({
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    profiles: PROFILES,
  });
});

afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => canary.close(resolve));
});

test('hostile SOAP corpus gives per-camera errors', async () => {
  const corpus = buildCorpus();
  expect(corpus.length).toBeGreaterThanOrEqual(100);
  const failures: string[] = [];
  for (const item of corpus) {
    const target = TARGETS[item.target];
    sim.options.quirks = target.quirks;
    sim.options.overrides = Object.fromEntries(
      target.keys.map((key, index) => [key, item.overrides[index]]),
    );
    const device = deviceFromAddress(`127.0.0.1:${sim.httpPort}`);
    await inspectInto(device, { credentials: CREDENTIALS, timeoutMs: 800, logger: silentLogger });
    const label = `${item.target} / ${item.name}`;
    if (device.error === undefined) {
      failures.push(`${label}: no error`);
    } else if (!ALLOWED_CODES.includes(device.error.code)) {
      failures.push(`${label}: code ${device.error.code}`);
    } else if (device.error.message.length < 10 || device.error.message.length > 2500) {
      failures.push(`${label}: message length ${device.error.message.length}`);
    } else if (
      device.error.message.includes(CREDENTIALS.password) ||
      /root:.*:0:0/.test(device.error.message)
    ) {
      failures.push(`${label}: message leaks a secret`);
    }
  }
  expect(failures).toEqual([]);
  expect(canaryHits).toBe(0);
}, 120_000);

test('DOCTYPE replies are rejected with a clear reason', async () => {
  sim.options.quirks = undefined;
  sim.options.overrides = {
    GetDeviceInformation: readFileSync(path.join(FIXTURES, 'xxe-file.xml'), 'utf8'),
  };
  const device = deviceFromAddress(`127.0.0.1:${sim.httpPort}`);
  await inspectInto(device, { credentials: CREDENTIALS, timeoutMs: 800, logger: silentLogger });
  expect(device.error?.code).toBe('invalid-response');
  expect(device.error?.message).toContain('DOCTYPE');
  expect(device.info).toBeUndefined();
}, 10_000);

test('clock fault is a warning, not an error', async () => {
  sim.options.quirks = undefined;
  sim.options.overrides = {
    GetSystemDateAndTime: {
      status: 500,
      body: xml.fault('Receiver', 'Action', 'clock unavailable'),
    },
  };
  const device = deviceFromAddress(`127.0.0.1:${sim.httpPort}`);
  await inspectInto(device, { credentials: CREDENTIALS, timeoutMs: 800, logger: silentLogger });
  expect(device.error).toBeUndefined();
  expect(device.warnings.some((warning) => warning.includes('GetSystemDateAndTime'))).toBe(true);
}, 10_000);

const VALID_MATCHES = xml.probeMatches({
  relatesTo: 'urn:uuid:11111111-1111-4111-8111-111111111111',
  endpoint: 'urn:uuid:22222222-2222-4222-8222-222222222222',
  xaddrs: 'http://127.0.0.1:1/onvif/device_service',
  scopes: '',
  messageId: 'urn:uuid:33333333-3333-4333-8333-333333333333',
});

const DATAGRAMS: Record<string, string> = {
  'truncated at 30%': VALID_MATCHES.slice(0, Math.floor(VALID_MATCHES.length * 0.3)),
  'truncated at 95%': VALID_MATCHES.slice(0, Math.floor(VALID_MATCHES.length * 0.95)),
  empty: '',
  garbage: seededGarbage(512).toString('latin1'),
  'billion laughs': billionLaughs(VALID_MATCHES).replace('<wsa:Address>', '<wsa:Address>&l9;'),
  'external entity': externalEntity(VALID_MATCHES, 'file:///etc/passwd').replace(
    '<wsa:Address>',
    '<wsa:Address>&ext;',
  ),
  'wrong envelope namespace': VALID_MATCHES.replace(xml.SIM_NS.env, 'urn:wrong'),
  'wrong discovery namespace': VALID_MATCHES.replace(
    `xmlns:wsd="${xml.SIM_NS.wsd}"`,
    'xmlns:wsd="urn:wrong"',
  ),
  'RelatesTo missing': VALID_MATCHES.replace(/<wsa:RelatesTo>.*?<\/wsa:RelatesTo>/, ''),
  'EndpointReference missing': VALID_MATCHES.replace(
    /<wsa:EndpointReference>.*?<\/wsa:EndpointReference>/,
    '',
  ),
  'endpoint with spaces': VALID_MATCHES.replace('urn:uuid:2222', 'urn: uuid 2222'),
  'over 64 KiB': VALID_MATCHES.replace('<env:Body>', `<env:Body><!--${'x'.repeat(70_000)}-->`),
  'deep nesting': VALID_MATCHES.replace(
    '<env:Body>',
    `<env:Body>${'<a>'.repeat(3000)}${'</a>'.repeat(3000)}`,
  ),
  'unknown body element': VALID_MATCHES.replace(/ProbeMatches>/g, 'Resolve>'),
  'no ProbeMatch': VALID_MATCHES.replace(/<wsd:ProbeMatch>[\s\S]*<\/wsd:ProbeMatch>/, ''),
  'JSON datagram': '{"ProbeMatches":[]}',
};

test.each(Object.keys(DATAGRAMS))('hostile datagram rejected: %s', (name) => {
  let caught: unknown;
  try {
    parseDiscoveryMessage(DATAGRAMS[name]);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DiscoveryError);
  expect((caught as DiscoveryError).code).toBe('invalid-response');
  expect((caught as DiscoveryError).message.length).toBeGreaterThan(10);
});
