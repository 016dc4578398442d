// Pure-function tests of the WS-Discovery messages, target parsing, reachability
// and profile choice. 192.0.2.0/24 addresses are documentation strings only.
import { NS } from '../../plugin/discovery/ns';
import {
  buildProbe,
  newMessageId,
  parseDiscoveryMessage,
  scopeValue,
} from '../../plugin/discovery/probe';
import { buildSources, pickAnalysisProfile } from '../../plugin/discovery/select';
import { classifyReachability, parseTargets } from '../../plugin/discovery/targets';
import { chooseServiceUrl, deviceFromMatch } from '../../plugin/discovery/discover';
import type { ProfileStream } from '../../plugin/discovery/types';
import { parseXml, type XmlElement } from '../../plugin/discovery/xml';
import { announcement, probeMatches } from '../helpers/onvif-sim/templates';

function allElements(element: XmlElement): XmlElement[] {
  return [element, ...element.children.flatMap(allElements)];
}

describe('buildProbe', () => {
  test('is one compact line', () => {
    const probe = buildProbe(newMessageId());
    expect(probe).not.toMatch(/[\r\n]/);
    expect(probe).not.toMatch(/>\s+</);
  });

  test('declares every prefix it uses', () => {
    for (const type of ['dn:NetworkVideoTransmitter', 'tds:Device'] as const) {
      const probe = buildProbe('urn:uuid:00000000-0000-4000-8000-000000000001', type);
      const root = parseXml(probe);
      const undeclared = allElements(root).filter((element) =>
        element.ns.startsWith('undeclared:'),
      );
      expect(undeclared).toEqual([]);
      const prefix = type.split(':')[0];
      expect(probe).toContain(`xmlns:${prefix}="${type === 'tds:Device' ? NS.tds : NS.dn}"`);
      for (const used of probe.matchAll(/<\/?([A-Za-z]+):/g)) {
        expect(probe).toContain(`xmlns:${used[1]}=`);
      }
    }
  });

  test('reads back as a Probe with its MessageID', () => {
    const messageId = newMessageId();
    const message = parseDiscoveryMessage(buildProbe(messageId));
    expect(message).toEqual({ kind: 'probe', messageId, types: ['dn:NetworkVideoTransmitter'] });
  });
});

const fields = {
  relatesTo: 'urn:uuid:11111111-1111-4111-8111-111111111111',
  endpoint: 'urn:uuid:22222222-2222-4222-8222-222222222222',
  xaddrs: 'http://192.0.2.50/onvif/device_service http://[fe80::1]/onvif/device_service',
  scopes:
    'onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/name/Front%20Door onvif://www.onvif.org/hardware/DS-2CD',
  messageId: 'urn:uuid:33333333-3333-4333-8333-333333333333',
};

describe('parseDiscoveryMessage', () => {
  test.each(['usual', 'odd'] as const)('reads ProbeMatches with %s prefixes', (style) => {
    const message = parseDiscoveryMessage(probeMatches(fields, style));
    expect(message.kind).toBe('probe-matches');
    if (message.kind !== 'probe-matches') return;
    expect(message.relatesTo).toBe(fields.relatesTo);
    expect(message.matches).toHaveLength(1);
    expect(message.matches[0].endpoint).toBe(fields.endpoint);
    expect(message.matches[0].xaddrs).toEqual(fields.xaddrs.split(' '));
    expect(message.matches[0].types).toEqual(['dn:NetworkVideoTransmitter', 'tds:Device']);
    expect(scopeValue(message.matches[0].scopes, 'name')).toBe('Front Door');
  });

  test('reads default-namespace ProbeMatches', () => {
    const xml =
      `<Envelope xmlns="${NS.soap12}"><Header><RelatesTo xmlns="${NS.wsa}">${fields.relatesTo}</RelatesTo></Header>` +
      `<Body><ProbeMatches xmlns="${NS.wsd}"><ProbeMatch><EndpointReference xmlns="${NS.wsa}"><Address>${fields.endpoint}</Address></EndpointReference>` +
      `<XAddrs>http://192.0.2.50:8000/onvif/device_service</XAddrs></ProbeMatch></ProbeMatches></Body></Envelope>`;
    const message = parseDiscoveryMessage(xml);
    expect(message.kind).toBe('probe-matches');
  });

  test('reads Hello and Bye', () => {
    const hello = parseDiscoveryMessage(announcement('Hello', fields));
    expect(hello.kind).toBe('hello');
    const bye = parseDiscoveryMessage(announcement('Bye', fields, 'odd'));
    expect(bye).toEqual({ kind: 'bye', endpoint: fields.endpoint });
  });

  test('rejects a body outside the WS-Discovery namespace', () => {
    const wrong = probeMatches(fields).replace(
      `xmlns:wsd="${NS.wsd}"`,
      'xmlns:wsd="http://example.invalid/discovery"',
    );
    expect(() => parseDiscoveryMessage(wrong)).toThrow(/not in the WS-Discovery namespace/);
  });

  test('rejects ProbeMatches without RelatesTo', () => {
    const missing = probeMatches(fields).replace(/<wsa:RelatesTo>.*?<\/wsa:RelatesTo>/, '');
    expect(() => parseDiscoveryMessage(missing)).toThrow(/no RelatesTo/);
  });

  test('drops XAddrs that are not http URLs', () => {
    const message = parseDiscoveryMessage(
      probeMatches({
        ...fields,
        xaddrs: 'ftp://x/ not-a-url http://192.0.2.50/onvif/device_service',
      }),
    );
    expect(message.kind).toBe('probe-matches');
    if (message.kind !== 'probe-matches') return;
    expect(message.matches[0].xaddrs).toEqual(['http://192.0.2.50/onvif/device_service']);
  });
});

describe('parseTargets', () => {
  test('expands addresses, ports, CIDR blocks and ranges', () => {
    expect(parseTargets(['192.0.2.5'])).toEqual([{ address: '192.0.2.5', port: 3702 }]);
    expect(parseTargets(['192.0.2.5:40000'])).toEqual([{ address: '192.0.2.5', port: 40000 }]);
    expect(parseTargets(['192.0.2.0/30']).map((target) => target.address)).toEqual([
      '192.0.2.1',
      '192.0.2.2',
    ]);
    expect(parseTargets(['192.0.2.10-12']).map((target) => target.address)).toEqual([
      '192.0.2.10',
      '192.0.2.11',
      '192.0.2.12',
    ]);
    expect(parseTargets(['192.0.2.254-192.0.3.1'])).toHaveLength(4);
    expect(parseTargets(['192.0.2.1,192.0.2.2'])).toHaveLength(2);
    expect(parseTargets(['192.0.2.0/24'])).toHaveLength(254);
  });

  test('rejects invalid and oversized targets', () => {
    expect(() => parseTargets(['192.0.2.300'])).toThrow(/not an IPv4 address/);
    expect(() => parseTargets(['192.0.2.5:0'])).toThrow(/1-65535/);
    expect(() => parseTargets(['10.0.0.0/8'])).toThrow(/limit is 1024/);
    expect(() => parseTargets(['192.0.2.20-10'])).toThrow(/ends before it starts/);
    expect(() => parseTargets(['camera.local'])).toThrow(/not an IPv4 address/);
  });
});

describe('reachability', () => {
  const subnets = [
    { address: '127.0.0.1', netmask: '255.0.0.0' },
    { address: '192.0.2.10', netmask: '255.255.255.0' },
  ];

  test('marks senders by subnet', () => {
    expect(classifyReachability('192.0.2.50', subnets)).toBe('local');
    expect(classifyReachability('198.51.100.7', subnets)).toBe('unknown');
  });

  test('lists an outside reply with a mark', () => {
    const match = {
      endpoint: fields.endpoint,
      types: [],
      scopes: [],
      xaddrs: ['http://198.51.100.7/onvif/device_service'],
    };
    const device = deviceFromMatch(match, '198.51.100.7', 'unicast', subnets);
    expect(device.reachability).toBe('unknown');
    expect(device.warnings.join(' ')).toContain('reachability unknown');
  });

  test('chooseServiceUrl prefers the sender and repairs loopback', () => {
    const warnings: string[] = [];
    const xaddrs = [
      'http://10.1.1.1/onvif/device_service',
      'http://192.0.2.50:8000/onvif/device_service',
    ];
    expect(chooseServiceUrl(xaddrs, '192.0.2.50', warnings)).toBe(
      'http://192.0.2.50:8000/onvif/device_service',
    );
    expect(
      chooseServiceUrl(['http://127.0.1.1:8000/onvif/device_service'], '192.0.2.50', warnings),
    ).toBe('http://192.0.2.50:8000/onvif/device_service');
    expect(warnings).toHaveLength(1);
    expect(chooseServiceUrl([], '192.0.2.50', warnings)).toBe(
      'http://192.0.2.50/onvif/device_service',
    );
  });
});

describe('profile choice', () => {
  const profile = (
    token: string,
    width: number,
    height: number,
    codec: ProfileStream['codec'],
    source = 'src1',
  ): ProfileStream => ({
    token,
    name: token,
    service: 'media',
    videoSourceToken: source,
    codec,
    width,
    height,
    rtspUrl: `rtsp://192.0.2.50/${token}`,
  });

  test('analysis stream is the one closest to the analysis size', () => {
    const profiles = [
      profile('main', 1920, 1080, 'H264'),
      profile('sub', 640, 480, 'H264'),
      profile('tiny', 176, 144, 'H264'),
    ];
    expect(pickAnalysisProfile(profiles, { width: 640, height: 360 }).token).toBe('sub');
    expect(pickAnalysisProfile(profiles, { width: 1920, height: 1080 }).token).toBe('main');
  });

  test('one source per video source, main for live view', () => {
    const profiles = [
      profile('a-main', 1920, 1080, 'H264', 'A'),
      profile('a-sub', 640, 360, 'H264', 'A'),
      profile('b-main', 1280, 720, 'H264', 'B'),
    ];
    const sources = buildSources('dev', 'Shop', profiles, { width: 640, height: 360 });
    expect(sources.map((source) => source.id)).toEqual(['dev/A', 'dev/B']);
    expect(sources[0].profile).toBe('a-sub');
    expect(sources[0].liveViewUrl).toBe('rtsp://192.0.2.50/a-main');
    expect(sources[1].profile).toBe('b-main');
  });

  test('H.265 main stream gets a live-view note naming the profile', () => {
    const mixed = buildSources(
      'dev',
      'Shop',
      [profile('main', 1920, 1080, 'H265'), profile('sub', 640, 360, 'H264')],
      { width: 640, height: 360 },
    );
    expect(mixed[0].liveViewNote).toContain('token main');
    expect(mixed[0].liveViewNote).toContain('token sub');
    const plain = buildSources('dev', 'Shop', [profile('main', 1920, 1080, 'H264')], {
      width: 640,
      height: 360,
    });
    expect(plain[0].liveViewNote).toBeUndefined();
  });
});
