/**
 * Finds ONVIF cameras and prints each with its address, model, profiles and
 * repaired stream URIs. Credentials are used for the SOAP calls and never printed.
 *
 *   npm run discover -- [--unicast <address or range>] [--user U --password P] [--json]
 */
import { parseArgs } from 'node:util';
import { publicDevice } from '../api/discovery-router';
import { discoverCameras, type DiscoverOptions } from '../discovery/discover';
import { toCameraError } from '../discovery/errors';
import type { Credentials, DiscoveredDevice, DiscoveryLogger } from '../discovery/types';

const HELP = `Usage: npm run discover -- [options]

Finds ONVIF cameras by WS-Discovery and lists their profiles and stream URIs.

Options:
  --unicast <targets>   Probe these addresses directly (repeatable; comma-separated):
                        10.0.0.5, 10.0.0.5:3702, 10.0.0.0/24, 10.0.0.10-10.0.0.20.
                        With --unicast, no multicast probe is sent unless --multicast is given.
  --multicast           Also send the multicast probe when --unicast is given.
  --user <name>         ONVIF user name (or the ONVIF_USER environment variable).
  --password <secret>   ONVIF password (or ONVIF_PASSWORD; the variable keeps it out of shell history).
  --timeout <ms>        How long to wait for probe replies, in milliseconds (default 3000).
  --bind <address>      Local IPv4 address to send the probes from.
  --analysis-size <WxH> Frame size of the analysis; the closest sub-stream is chosen (default 640x360).
  --json                Print JSON instead of text.
  --help                Show this text.`;

interface CliArgs {
  options: DiscoverOptions;
  json: boolean;
}

function parseCli(argv: string[]): CliArgs | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      unicast: { type: 'string', multiple: true },
      multicast: { type: 'boolean' },
      user: { type: 'string' },
      password: { type: 'string' },
      timeout: { type: 'string' },
      bind: { type: 'string' },
      'analysis-size': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    return undefined;
  }
  const unicast = values.unicast ?? [];
  return {
    json: values.json === true,
    options: {
      unicast,
      multicast: unicast.length === 0 || values.multicast === true,
      credentials: readCredentials(
        values.user ?? process.env.ONVIF_USER,
        values.password ?? process.env.ONVIF_PASSWORD,
      ),
      analysisSize: readSize(values['analysis-size'] ?? '640x360'),
      probe: {
        timeoutMs: readPositive(values.timeout ?? '3000', '--timeout'),
        bindAddress: values.bind,
      },
      logger: stderrLogger,
    },
  };
}

function readCredentials(
  username: string | undefined,
  password: string | undefined,
): Credentials | undefined {
  if (username === undefined) {
    if (password !== undefined) {
      throw new Error('--password was given without --user');
    }
    return undefined;
  }
  return { username, password: password ?? '' };
}

function readSize(text: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (match === null || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new Error(`--analysis-size "${text}" must be WIDTHxHEIGHT, e.g. 640x360`);
  }
  return { width: Number(match[1]), height: Number(match[2]) };
}

function readPositive(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} "${text}" must be a positive integer`);
  }
  return value;
}

/** Logs warnings to stderr, so stdout stays clean JSON. Messages never contain credentials. */
const stderrLogger: DiscoveryLogger = {
  info: () => undefined,
  warn: (message, fields) =>
    process.stderr.write(`warning: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
};

function printText(devices: DiscoveredDevice[]): void {
  if (devices.length === 0) {
    console.log(
      'No ONVIF device replied. Try --unicast with the camera address, and see docs/discovery.md.',
    );
  }
  for (const device of devices) {
    const model = device.info
      ? `${device.info.manufacturer} ${device.info.model}`.trim()
      : (device.hardware ?? 'model unknown');
    console.log(
      `${device.name ?? device.id}  ${device.address}  ${model}  reachability: ${device.reachability}`,
    );
    console.log(`  id: ${device.id}\n  service: ${device.serviceUrl}`);
    for (const profile of device.profiles ?? []) {
      console.log(
        `  profile ${profile.token} (${profile.name}): ${profile.codec} ${profile.width}x${profile.height}  ${profile.rtspUrl ?? `error: ${profile.error}`}`,
      );
    }
    for (const source of device.sources ?? []) {
      console.log(
        `  analysis stream: ${source.rtspUrl} (profile ${source.profile})\n  live view: ${source.liveViewUrl ?? 'none'}`,
      );
      if (source.liveViewNote) {
        console.log(`  note: ${source.liveViewNote}`);
      }
    }
    if (device.error) {
      console.log(`  error (${device.error.code}): ${device.error.message}`);
    }
  }
}

async function main(): Promise<number> {
  let args: CliArgs | undefined;
  try {
    args = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (args === undefined) {
    console.log(HELP);
    return 0;
  }
  try {
    const result = await discoverCameras(args.options);
    if (args.json) {
      console.log(
        JSON.stringify(
          { devices: result.devices.map(publicDevice), rejectedReplies: result.rejected.length },
          null,
          2,
        ),
      );
    } else {
      printText(result.devices);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`discovery failed: ${toCameraError(error).message}\n`);
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
