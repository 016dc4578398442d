import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';

/** The validated sidecar configuration; every option, unit and default is defined in manifest.json. */
export interface Config {
  store: { id: string; name: string };
  privacy: { mode: 'anonymous' | 'consent' | 'full'; retentionDays: number; sweepIntervalS: number };
  analysis: { width: number; height: number; fps: number; workers: number };
  detection: { scoreThreshold: number; inputWidth: number; minFaceSizePx: number; maxYawDeg: number };
  tracking: { maxLostS: number; minHits: number; bestFrames: number };
  identity: { targetFpir: number; minThreshold: number; visitGapS: number; templatesPerVisitor: number; minEnrolAge: number };
  ingest: { noFrameTimeoutS: number; stallTimeoutS: number; reconnectMinS: number; reconnectMaxS: number };
  api: { host: string; port: number };
  discovery: { listen: boolean; probeOnStart: boolean; multicast: boolean; unicast: string[] };
  cameras: CameraConfig[];
}

export interface CameraConfig {
  id: string;
  name?: string;
  rtspUrl: string;
  liveViewUrl?: string;
  enabled: boolean;
}

export class ConfigError extends Error {
  constructor(message: string, readonly problems: string[]) {
    super(message);
    this.name = 'ConfigError';
  }
}

const MANIFEST_PATH = path.join(__dirname, '..', '..', 'manifest.json');

let validator: ReturnType<Ajv['compile']> | undefined;

function compiledSchema(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { configSchema: object };
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    validator = ajv.compile(manifest.configSchema);
  }
  return validator;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '(root)';
  if (error.keyword === 'additionalProperties') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    const full = error.instancePath ? `${where}.${key}` : key;
    return `${full}: unknown key (not in manifest.json configSchema)`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    return `${where}: must be one of ${allowed}`;
  }
  return `${where}: ${error.message ?? 'is invalid'}`;
}

/**
 * Validates a configuration object against manifest.json's configSchema and
 * fills in defaults. Throws ConfigError listing every problem with its key path.
 */
export function parseConfig(input: unknown): Config {
  const value = structuredClone(input ?? {});
  const validate = compiledSchema();
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map(describe);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  }
  return value as Config;
}

/** Reads and validates a JSON configuration file. */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(error as Error).message}`, [file]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${file} is not valid JSON: ${(error as Error).message}`, [file]);
  }
  return parseConfig(parsed);
}
