import { randomUUID } from 'node:crypto';
import { probe } from '../../plugin/discovery/ws-discovery';
import { parseTargets } from '../../plugin/discovery/targets';
import { OnvifSim, type SimOptions } from '../helpers/onvif-sim';
import { probeMatches } from '../helpers/onvif-sim/templates';
import { captureLogger } from './support';

const sims: OnvifSim[] = [];

async function startSim(options: SimOptions = {}): Promise<OnvifSim> {
  const sim = await OnvifSim.start({ discovery: { port: 0 }, ...options });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

function probeSim(sim: OnvifSim, repeats = 2, logger = captureLogger()) {
  return probe({
    multicast: false,
    targets: parseTargets([`127.0.0.1:${sim.discoveryPort}`]),
    timeoutMs: 600,
    repeats,
    logger,
  });
}

test('unicast probe finds the simulator', async () => {
  const sim = await startSim();
  const result = await probeSim(sim, 3);
  expect(result.responses).toHaveLength(1);
  expect(result.responses[0].match.endpoint).toBe(sim.endpoint);
  expect(result.responses[0].source).toBe('unicast');
  expect(result.responses[0].match.xaddrs).toEqual([sim.serviceUrl]);
  expect(sim.probes).toHaveLength(6);
  expect(sim.probes.every((received) => received.declared)).toBe(true);
  expect(new Set(sim.probes.map((received) => received.types))).toEqual(
    new Set(['dn:NetworkVideoTransmitter', 'tds:Device']),
  );
  expect(result.rejected).toEqual([]);
});

test('reply with foreign RelatesTo is rejected', async () => {
  const sim = await startSim({
    probeReply: () =>
      probeMatches({
        relatesTo: `urn:uuid:${randomUUID()}`,
        endpoint: 'urn:uuid:stray',
        xaddrs: 'http://127.0.0.1:1/onvif/device_service',
        scopes: '',
        messageId: `urn:uuid:${randomUUID()}`,
      }),
  });
  const logger = captureLogger();
  const result = await probeSim(sim, 2, logger);
  expect(result.responses).toEqual([]);
  expect(result.rejected.length).toBeGreaterThan(0);
  expect(result.rejected[0].message).toContain('matches no probe');
  expect(logger.lines.some((line) => line.includes('WS-Discovery reply rejected'))).toBe(true);
});

test('garbage datagram is rejected without a crash', async () => {
  const sim = await startSim({
    probeReply: () => Buffer.from([0xff, 0x00, 0x3c, 0x21, 0x2d, 0x2d]),
  });
  const result = await probeSim(sim);
  expect(result.responses).toEqual([]);
  expect(result.rejected[0].address).toBe('127.0.0.1');
  expect(result.rejected[0].message).toMatch(
    /not well formed|could not be parsed|not a SOAP envelope|root element/,
  );
});

test('two simulators on one range', async () => {
  const first = await startSim();
  const second = await startSim({ host: '127.0.0.2' });
  const result = await probe({
    multicast: false,
    targets: [
      { address: '127.0.0.1', port: first.discoveryPort },
      { address: '127.0.0.2', port: second.discoveryPort },
      { address: '127.0.0.3', port: second.discoveryPort },
    ],
    timeoutMs: 600,
    repeats: 1,
  });
  expect(result.responses.map((response) => response.match.endpoint).sort()).toEqual(
    [first.endpoint, second.endpoint].sort(),
  );
  expect(
    result.responses.find((response) => response.match.endpoint === second.endpoint)?.address,
  ).toBe('127.0.0.2');
});
