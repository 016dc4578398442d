import path from 'node:path';
import type { Config } from '../config/config';
import { Database } from '../store/db';
import { loadStoreKey } from '../identity/crypto';
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
  const storeId = config.store.id;
  const key = loadStoreKey(dataDir);
  const db = await Database.open(path.join(dataDir, 'shopface.sqlite'));
  const gallery = new Gallery(db, key, {
    storeId,
    targetFpir: config.identity.targetFpir,
    minThreshold: config.identity.minThreshold,
    templatesPerVisitor: config.identity.templatesPerVisitor,
    retentionDays: config.privacy.retentionDays,
  }, IMPOSTOR_PRIOR);
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
      await visits.closeAll();
      await db.close();
    },
  };
}
