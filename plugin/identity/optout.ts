import { randomUUID } from 'node:crypto';
import type { Database } from '../store/db';
import { cosine } from '../embed/similarity';
import { openTemplates, sealTemplates } from './crypto';
import type { Gallery } from './gallery';

/**
 * The block list of people who opted out. Their templates are kept
 * encrypted only to recognise them; a visitor who matches is deleted and
 * never enrolled again. The match threshold is the gallery's floor, lower
 * than the calibrated one, so doubtful cases are treated as opted out.
 */
export class OptOutList {
  private templates: Float32Array[] = [];

  constructor(
    private readonly db: Database,
    private readonly key: Buffer,
    private readonly storeId: string,
    private readonly threshold: number,
  ) {}

  async load(): Promise<void> {
    const rows = await this.db.all<{ id: string; template: Buffer }>(
      'SELECT id, template FROM optout WHERE store_id = ?', [this.storeId],
    );
    this.templates = rows.flatMap((row) => openTemplates(this.key, row.template, this.context(row.id)));
  }

  isOptedOut(template: Float32Array): boolean {
    return this.templates.some((blocked) => cosine(blocked, template) >= this.threshold);
  }

  /** Adds a person to the block list and deletes every visitor that matches them; returns the deleted visitor ids. */
  async add(template: Float32Array, gallery: Gallery): Promise<string[]> {
    const id = `optout-${randomUUID()}`;
    const deleted: string[] = [];
    await this.db.transaction(async () => {
      await this.db.run('INSERT INTO optout (id, store_id, template, created_at) VALUES (?, ?, ?, ?)',
        [id, this.storeId, sealTemplates(this.key, [template], this.context(id)), Date.now() / 1000]);
      let candidate = gallery.nearest(template);
      while (candidate.visitorId !== null && candidate.score >= this.threshold) {
        await this.db.run('DELETE FROM visitors WHERE id = ?', [candidate.visitorId]);
        gallery.remove(candidate.visitorId);
        deleted.push(candidate.visitorId);
        candidate = gallery.nearest(template);
      }
    });
    this.templates.push(template);
    return deleted;
  }

  private context(id: string): string {
    return `${this.storeId}/${id}`;
  }
}
