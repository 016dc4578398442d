import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStoreKey, open, openTemplates, seal, sealTemplates } from '../../plugin/identity/crypto';

describe('store key and template sealing', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('creates an owner-only key file on first use', () => {
    const key = loadStoreKey(dir, {});
    expect(key.length).toBe(32);
    expect(statSync(path.join(dir, 'store.key')).mode & 0o777).toBe(0o600);
    expect(loadStoreKey(dir, {}).equals(key)).toBe(true);
  });

  test('rejects a key file readable by others', () => {
    loadStoreKey(dir, {});
    chmodSync(path.join(dir, 'store.key'), 0o644);
    expect(() => loadStoreKey(dir, {})).toThrow(/mode 644; run: chmod 600/);
  });

  test('takes the key from the environment', () => {
    const hex = 'ab'.repeat(32);
    expect(loadStoreKey(dir, { SHOPFACE_STORE_KEY: hex }).toString('hex')).toBe(hex);
    expect(() => loadStoreKey(dir, { SHOPFACE_STORE_KEY: 'c2hvcnQ=' })).toThrow(/must be 32 bytes/);
  });

  test('rejects a key file of the wrong length', () => {
    writeFileSync(path.join(dir, 'store.key'), 'c2hvcnQ=\n', { mode: 0o600 });
    expect(() => loadStoreKey(dir, {})).toThrow(/must be 32 bytes/);
  });

  test('round-trips templates and hides their values', () => {
    const key = loadStoreKey(dir, {});
    const templates = [Float32Array.from([0.25, -0.5, 0.75]), Float32Array.from([1, 2, 3])];
    const sealed = sealTemplates(key, templates, 'store-1/v-1');
    const raw = Buffer.from(templates[0].buffer);
    expect(sealed.includes(raw)).toBe(false);
    const back = openTemplates(key, sealed, 'store-1/v-1');
    expect(Array.from(back[0])).toEqual([0.25, -0.5, 0.75]);
    expect(Array.from(back[1])).toEqual([1, 2, 3]);
  });

  test('detects tampering, a wrong key and a swapped row', () => {
    const key = loadStoreKey(dir, {});
    const sealed = seal(key, Buffer.from('template'), 'store-1/v-1');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] ^= 1;
    expect(() => open(key, flipped, 'store-1/v-1')).toThrow();
    expect(() => open(Buffer.alloc(32, 7), sealed, 'store-1/v-1')).toThrow();
    expect(() => open(key, sealed, 'store-1/v-2')).toThrow();
    expect(open(key, sealed, 'store-1/v-1').toString()).toBe('template');
    expect(readFileSync(path.join(dir, 'store.key'), 'utf8').trim().length).toBeGreaterThan(0);
  });
});
