import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../plugin/config/config';
import { openStore, type StoreContext } from '../../plugin/pipeline/store-context';
import { sweepExpired } from '../../plugin/identity/retention';
import type { FinishedTrack } from '../../plugin/track/tracker';

const DIMS = 64;
/** Ten days ago: recent enough that opening the store does not sweep the visitors as expired. */
const T0 = Math.floor(Date.now() / 1000) - 10 * 86400;

/** Builds a unit vector along axis `person`, blended with axis `noiseAxis` by `noise`: cosine to the clean vector is 1/sqrt(1+noise^2). */
function template(person: number, noise = 0, noiseAxis = DIMS - 1): Float32Array {
  const v = new Float32Array(DIMS);
  v[person] = 1;
  v[noiseAxis] += noise;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function track(firstTs: number, templates: Float32Array[], pMale = 0.95, age = 33): FinishedTrack {
  return {
    cameraId: 'cam-1', trackId: Math.round(firstTs), firstTs: T0 + firstTs, lastTs: T0 + firstTs + 10, hits: 20, templates,
    attributes: [{ sample: { age, pMale }, weight: 0.8 }], maxFaceSize: 90,
  };
}

describe('visits and identity on a real SQLite store', () => {
  let dir: string;
  let store: StoreContext;
  const config = parseConfig({ identity: { visitGapS: 600 } });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-id-'));
    store = await openStore(dir, config);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('same face next day is returning', async () => {
    const first = await store.visits.record(track(1000, [template(1)]));
    expect(first.returning).toBe(false);
    expect(first.visitCount).toBe(1);
    expect(first.gender).toBe('male');
    expect(first.ageBand).toBe('25-34');
    await store.visits.closeAll();
    const again = await store.visits.record(track(1000 + 86400, [template(1, 0.3)]));
    expect(again.visitorId).toBe(first.visitorId);
    expect(again.returning).toBe(true);
    expect(again.visitCount).toBe(2);
  }, 20000);

  test('tracks within the visit gap extend one visit', async () => {
    const a = await store.visits.record(track(1000, [template(2)]));
    const b = await store.visits.record(track(1300, [template(2, 0.2)]));
    expect(b.visitorId).toBe(a.visitorId);
    expect(b.returning).toBe(false);
    expect(b.visitCount).toBe(1);
    expect(b.firstSeenS).toBe(T0 + 1000);
    expect(b.lastSeenS).toBe(T0 + 1310);
  }, 20000);

  test('after the visit gap the same person starts a new, returning visit', async () => {
    const a = await store.visits.record(track(1000, [template(3)]));
    const b = await store.visits.record(track(1000 + 700, [template(3)]));
    expect(b.visitorId).toBe(a.visitorId);
    expect(b.returning).toBe(true);
    expect(b.visitCount).toBe(2);
  }, 20000);

  test('a stranger whose nearest neighbour scores below the threshold stays new', async () => {
    const known = await store.visits.record(track(1000, [template(4)]));
    // cosine(template(4), template(5, 0.4, 4)) = 0.4 / sqrt(1.16) ~ 0.37: close, but below the 0.45 floor.
    const stranger = await store.visits.record(track(2000, [template(5, 0.4, 4)]));
    expect(store.gallery.threshold()).toBeGreaterThanOrEqual(0.45);
    expect(stranger.visitorId).not.toBe(known.visitorId);
    expect(stranger.returning).toBe(false);
  }, 20000);

  test('two people in front of the camera at once are never merged', async () => {
    const a = await store.visits.record(track(1000, [template(6)]));
    const twin = await store.visits.record(track(1002, [template(6, 0.1)]));
    expect(twin.visitorId).not.toBe(a.visitorId);
  }, 20000);

  test('a face without a template is counted but not identified', async () => {
    const anonymous = await store.visits.record(track(1000, []));
    expect(anonymous.identified).toBe(false);
    expect(anonymous.returning).toBe(false);
    expect(store.gallery.size).toBe(0);
  }, 20000);

  test('templates are stored only as ciphertext and survive a restart', async () => {
    const a = await store.visits.record(track(1000, [template(7)]));
    await store.close();
    store = await openStore(dir, config);
    const row = await store.db.get<{ templates: Buffer }>('SELECT templates FROM visitors WHERE id = ?', [a.visitorId]);
    expect(row!.templates.includes(Buffer.from(template(7).buffer))).toBe(false);
    expect(store.gallery.size).toBe(1);
    expect(store.gallery.match(template(7))?.visitorId).toBe(a.visitorId);
  }, 20000);

  test('opt-out deletes the visitor and blocks enrolment', async () => {
    const a = await store.visits.record(track(1000, [template(8)]));
    await store.visits.closeAll();
    expect(await store.optOut.add(template(8, 0.1), store.gallery)).toEqual([a.visitorId]);
    expect(await store.db.get('SELECT id FROM visitors WHERE id = ?', [a.visitorId])).toBeUndefined();
    const later = await store.visits.record(track(5000, [template(8)]));
    expect(later.identified).toBe(false);
    expect(store.gallery.size).toBe(0);
  }, 20000);

  test('retention sweep deletes expired visitors and their visits', async () => {
    const a = await store.visits.record(track(1000, [template(9)]));
    await store.visits.closeAll();
    const expiry = T0 + 1010 + 90 * 86400;
    expect(await sweepExpired(store.db, store.gallery, store.storeId, expiry - 1)).toBe(0);
    expect(await sweepExpired(store.db, store.gallery, store.storeId, expiry + 1)).toBe(1);
    expect(store.gallery.size).toBe(0);
    expect(await store.db.all('SELECT id FROM visits WHERE visitor_id = ?', [a.visitorId])).toEqual([]);
  }, 20000);

  test('anonymous mode keeps no template', async () => {
    await store.close();
    store = await openStore(dir, parseConfig({ privacy: { mode: 'anonymous' } }));
    const v = await store.visits.record(track(1000, [template(10)]));
    expect(v.identified).toBe(false);
    const row = await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM visitors WHERE templates IS NOT NULL');
    expect(row!.n).toBe(0);
  }, 20000);
});

describe('children get no template', () => {
  test('a visitor estimated under 18 is counted but not enrolled', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-child-'));
    const store = await openStore(dir, parseConfig({}));
    try {
      const child = await store.visits.record(track(1000, [template(11)], 0.6, 9));
      expect(child.identified).toBe(false);
      expect(child.ageBand).toBe('under 18');
      expect(store.gallery.size).toBe(0);
      const adult = await store.visits.record(track(1100, [template(12)], 0.9, 19));
      expect(adult.identified).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20000);
});

describe('store key checks', () => {
  test('a different key is named, not a decryption error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-key2-'));
    try {
      const store = await openStore(dir, parseConfig({}));
      await store.close();
      const other = { ...process.env, SHOPFACE_STORE_KEY: 'cd'.repeat(32) };
      const saved = process.env.SHOPFACE_STORE_KEY;
      process.env.SHOPFACE_STORE_KEY = other.SHOPFACE_STORE_KEY;
      try {
        await expect(openStore(dir, parseConfig({}))).rejects.toThrow(/does not belong to the database/);
      } finally {
        if (saved === undefined) delete process.env.SHOPFACE_STORE_KEY;
        else process.env.SHOPFACE_STORE_KEY = saved;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20000);

  test('a missing key beside an existing database is not replaced', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-key3-'));
    try {
      const store = await openStore(dir, parseConfig({}));
      await store.close();
      rmSync(path.join(dir, 'store.key'));
      await expect(openStore(dir, parseConfig({}))).rejects.toThrow(/store key .* is missing but the database .* exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20000);
});
