import { parseConfig, ConfigError } from '../../plugin/config/config';

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  test('fills every default from the manifest schema', () => {
    const config = parseConfig({});
    expect(config.store.id).toBe('store-1');
    expect(config.analysis).toEqual({ width: 640, height: 360, fps: 5, workers: 0 });
    expect(config.identity.visitGapS).toBe(1800);
    expect(config.privacy.retentionDays).toBe(90);
    expect(config.detection.minFaceSizePx).toBe(40);
    expect(config.api.host).toBe('127.0.0.1');
    expect(config.cameras).toEqual([]);
  });

  test('rejects an unknown key with its path', () => {
    const problems = problemsOf({ identity: { visitGap: 60 } });
    expect(problems).toEqual(['identity.visitGap: unknown key (not in manifest.json configSchema)']);
  });

  test('rejects an unknown top-level key', () => {
    expect(problemsOf({ colour: 'red' })).toEqual(['colour: unknown key (not in manifest.json configSchema)']);
  });

  test('names the field of a bad value', () => {
    const problems = problemsOf({ analysis: { fps: -1 }, privacy: { mode: 'everything' } });
    expect(problems).toContain('analysis.fps: must be > 0');
    expect(problems).toContain('privacy.mode: must be one of anonymous, consent, full');
  });

  test('names the index of a bad camera', () => {
    const problems = problemsOf({ cameras: [{ id: 'a', rtspUrl: 'rtsp://127.0.0.1/x' }, { id: 'b' }] });
    expect(problems).toEqual(["cameras.1: must have required property 'rtspUrl'"]);
  });

  test('does not modify its input', () => {
    const input = { store: { id: 'shop-7' } };
    parseConfig(input);
    expect(input).toEqual({ store: { id: 'shop-7' } });
  });
});

describe('docs/configuration.md', () => {
  test('documents every option of the schema', () => {
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const root = path.join(__dirname, '..', '..');
    const doc = readFileSync(path.join(root, 'docs', 'configuration.md'), 'utf8');
    const schema = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')).configSchema;
    const keys: string[] = [];
    const walk = (prefix: string, node: { properties?: Record<string, { type?: string; items?: object }> }): void => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        if (child.type === 'object') walk(`${prefix}${name}.`, child as never);
        else if (child.type === 'array') walk(`${prefix}${name}[].`, child.items as never);
        else keys.push(`${prefix}${name}`);
      }
    };
    walk('', schema);
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) expect(doc).toContain(`\`${key}\``);
  });
});
