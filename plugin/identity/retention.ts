import type { Database } from '../store/db';
import type { Gallery } from './gallery';

/**
 * Deletes every visitor (template and visits) whose retention has expired
 * at `now` (Unix seconds) and returns how many were deleted.
 */
export async function sweepExpired(db: Database, gallery: Gallery, storeId: string, now: number): Promise<number> {
  const expired = await db.all<{ id: string }>(
    'SELECT id FROM visitors WHERE store_id = ? AND expires_at < ?', [storeId, now],
  );
  if (expired.length === 0) return 0;
  await db.transaction(async () => {
    for (const { id } of expired) await db.run('DELETE FROM visitors WHERE id = ?', [id]);
  });
  for (const { id } of expired) gallery.remove(id);
  return expired.length;
}

/** Runs sweepExpired every `intervalS` seconds until the returned function is called. */
export function startRetentionSweeper(
  sweep: () => Promise<number>,
  intervalS: number,
  onError: (error: unknown) => void,
): () => void {
  const timer = setInterval(() => {
    sweep().catch(onError);
  }, intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
