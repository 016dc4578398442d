import path from 'node:path';
import type { Config } from '../config/config';
import { Database } from '../store/db';
import { existsSync, mkdirSync } from 'node:fs';
import { loadStoreKey, open, seal, STORE_KEY_ENV } from '../identity/crypto';
import { lockDataDir } from '../store/lock';
import { Gallery } from '../identity/gallery';
import { OptOutList } from '../identity/optout';
import { VisitBook } from '../identity/visits';
import { IMPOSTOR_PRIOR } from '../identity/impostor-prior';
import { sweepExpired } from '../identity/retention';

/** The per-store state behind the pipeline: database, key, gallery, opt-out list and visits. */
export interface StoreContext {
  storeId: string;
  /** The per-store AES-256 key (templates, camera URLs). */
  key: Buffer;
  db: Database;
  gallery: Gallery;
  optOut: OptOutList;
  visits: VisitBook;
  close(): Promise<void>;
}

/** Opens (creating on first use) the store database and key in `dataDir`, and deletes expired visitors. */
export async function openStore(dataDir: string, config: Config): Promise<StoreContext> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = lockDataDir(dataDir);
  try {
    return await openLocked(dataDir, config, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function openLocked(dataDir: string, config: Config, release: () => void): Promise<StoreContext> {
  const storeId = config.store.id;
  const dbFile = path.join(dataDir, 'shopface.sqlite');
  const key = loadKeyFor(dataDir, dbFile);
  const db = await Database.open(dbFile);
  try {
    return await assemble(dataDir, config, storeId, key, db, release);
  } catch (error) {
    await db.close();
    throw error;
  }
}

const KEY_CHECK = 'shopface key check';

/**
 * Verifies that `key` is the one this database was written with, by opening
 * a known text sealed on first use. A database from before the check gets it now.
 */
async function checkKey(db: Database, key: Buffer, keyFile: string): Promise<void> {
  const row = await db.get<{ value: Buffer }>("SELECT value FROM meta WHERE name = 'key-check'");
  if (!row) {
    await db.transaction(() => db.run("INSERT INTO meta (name, value) VALUES ('key-check', ?)", [seal(key, Buffer.from(KEY_CHECK), 'key-check')]));
    return;
  }
  try {
    if (open(key, row.value, 'key-check').toString() === KEY_CHECK) return;
  } catch {
    // Falls through to the error below.
  }
  throw new Error(
    `the store key (${process.env[STORE_KEY_ENV] ? STORE_KEY_ENV : keyFile}) does not belong to the database ${db.file}: ` +
    'restore the matching key from your backup; with another key the stored templates and camera URLs cannot be read',
  );
}

/** Loads the store key, refusing to make a new one beside an existing database (its templates could never be read). */
function loadKeyFor(dataDir: string, dbFile: string): Buffer {
  const keyFile = path.join(dataDir, 'store.key');
  if (existsSync(dbFile) && !existsSync(keyFile) && !process.env[STORE_KEY_ENV]) {
    throw new Error(
      `store key ${keyFile} is missing but the database ${dbFile} exists: restore the key from your backup ` +
      `(or set ${STORE_KEY_ENV}); without it the stored templates cannot be read`,
    );
  }
  return loadStoreKey(dataDir);
}

async function assemble(
  dataDir: string, config: Config, storeId: string, key: Buffer, db: Database, release: () => void,
): Promise<StoreContext> {
  const gallery = new Gallery(db, key, {
    storeId,
    targetFpir: config.identity.targetFpir,
    minThreshold: config.identity.minThreshold,
    templatesPerVisitor: config.identity.templatesPerVisitor,
    retentionDays: config.privacy.retentionDays,
  }, IMPOSTOR_PRIOR);
  await checkKey(db, key, path.join(dataDir, 'store.key'));
  await gallery.load();
  await sweepExpired(db, gallery, storeId, Date.now() / 1000);
  const optOut = new OptOutList(db, key, storeId, config.identity.minThreshold);
  await optOut.load();
  const visits = new VisitBook(db, gallery, optOut, {
    storeId, mode: config.privacy.mode, visitGapS: config.identity.visitGapS, minEnrolAge: config.identity.minEnrolAge,
  });
  return {
    storeId, key, db, gallery, optOut, visits,
    close: async () => {
      try {
        await visits.closeAll();
        await db.close();
      } finally {
        release();
      }
    },
  };
}
