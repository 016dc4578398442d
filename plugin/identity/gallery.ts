import { randomUUID } from 'node:crypto';
import type { Database } from '../store/db';
import { cosine } from '../embed/similarity';
import { openTemplates, sealTemplates } from './crypto';
import { calibratedThreshold, perComparisonRate, updateImpostorModel, type ImpostorModel } from './threshold';

export interface GalleryOptions {
  storeId: string;
  targetFpir: number;
  minThreshold: number;
  templatesPerVisitor: number;
  retentionDays: number;
}

interface Entry {
  visitorId: string;
  templates: Float32Array[];
}

export interface Match {
  visitorId: string;
  score: number;
  threshold: number;
}

/** Best gallery candidate for a probe, whether or not it clears the threshold. */
export interface Candidate {
  visitorId: string | null;
  score: number;
  threshold: number;
}

const DAY_S = 86400;

/**
 * The store's visitor gallery: decrypted templates in memory, AES-256-GCM
 * ciphertext in SQLite. Matching is open-set: a probe matches only when its
 * best cosine similarity clears a threshold calibrated so that a stranger
 * is taken for a known visitor with probability at most targetFpir at the
 * current gallery size. The detector's confidence plays no part in it.
 */
export class Gallery {
  private readonly entries = new Map<string, Entry>();
  private impostor: ImpostorModel;
  /** Scores between distinct visitors, highest first: the observed impostor tail. */
  private observedImpostors: number[] = [];
  private templateCount = 0;
  private enrolmentsSinceCalibration = 0;

  constructor(
    private readonly db: Database,
    private readonly key: Buffer,
    private readonly options: GalleryOptions,
    private readonly prior: ImpostorModel,
  ) {
    this.impostor = prior;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Loads every visitor template of the store; call once at start. */
  async load(): Promise<void> {
    const rows = await this.db.all<{ id: string; templates: Buffer }>(
      'SELECT id, templates FROM visitors WHERE store_id = ? AND templates IS NOT NULL',
      [this.options.storeId],
    );
    for (const row of rows) {
      this.put(row.id, openTemplates(this.key, row.templates, this.context(row.id)));
    }
    this.recalibrate();
  }

  /**
   * Returns the threshold in force for the current gallery size: the normal model's
   * quantile, raised to the observed impostor tail wherever enough pairs
   * were seen to resolve it, because real impostor tails are heavier than
   * normal ones.
   */
  threshold(): number {
    const modelled = calibratedThreshold(this.impostor, this.templateCount, this.options.targetFpir, this.options.minThreshold);
    const p = perComparisonRate(this.options.targetFpir, this.templateCount);
    const rank = Math.floor(p * this.observedImpostors.length);
    if (rank < 1) return modelled;
    // Pairs scoring above observedImpostors[rank] are a fraction p of all pairs.
    return Math.max(modelled, this.observedImpostors[rank] + 1e-6);
  }

  impostorModel(): ImpostorModel {
    return this.impostor;
  }

  /** Returns the best candidate outside `exclude`; visitorId is null when there is none. */
  nearest(probe: Float32Array, exclude?: ReadonlySet<string>): Candidate {
    let best: Candidate = { visitorId: null, score: -1, threshold: this.threshold() };
    for (const entry of this.entries.values()) {
      if (exclude?.has(entry.visitorId)) continue;
      const score = bestScore(entry.templates, probe);
      if (score > best.score) best = { ...best, visitorId: entry.visitorId, score };
    }
    return best;
  }

  /** Returns the matching visitor outside `exclude`, or undefined when no score clears the threshold. */
  match(probe: Float32Array, exclude?: ReadonlySet<string>): Match | undefined {
    const candidate = this.nearest(probe, exclude);
    if (candidate.visitorId === null || candidate.score < candidate.threshold) return undefined;
    return { visitorId: candidate.visitorId, score: candidate.score, threshold: candidate.threshold };
  }

  /** Creates a visitor with its first template; returns the new id. The caller writes the visitor row. */
  newVisitorId(): string {
    return `v-${randomUUID()}`;
  }

  /**
   * Adds `template` to a visitor's templates (dropping the one most similar
   * to the others when full, to keep them diverse) and returns the sealed blob
   * to store.
   */
  addTemplate(visitorId: string, template: Float32Array): Buffer {
    const entry = this.entries.get(visitorId);
    const templates = entry ? [...entry.templates, template] : [template];
    while (templates.length > this.options.templatesPerVisitor) templates.splice(mostRedundant(templates), 1);
    const isNew = !entry;
    this.put(visitorId, templates);
    if (isNew && ++this.enrolmentsSinceCalibration >= 50) this.recalibrate();
    return sealTemplates(this.key, templates, this.context(visitorId));
  }

  templateCountOf(visitorId: string): number {
    return this.entries.get(visitorId)?.templates.length ?? 0;
  }

  remove(visitorId: string): void {
    const entry = this.entries.get(visitorId);
    if (!entry) return;
    this.templateCount -= entry.templates.length;
    this.entries.delete(visitorId);
  }

  /** Re-estimates the impostor model from scores between distinct visitors (at most maxPairs pairs). */
  recalibrate(maxPairs = 20000): void {
    this.enrolmentsSinceCalibration = 0;
    const ids = [...this.entries.values()];
    const scores: number[] = [];
    for (let i = 0; i < ids.length && scores.length < maxPairs; i++) {
      for (let j = i + 1; j < ids.length && scores.length < maxPairs; j++) {
        scores.push(cosine(ids[i].templates[0], ids[j].templates[0]));
      }
    }
    this.impostor = updateImpostorModel(this.prior, scores);
    // NOTE: a person enrolled twice (a missed match) adds a genuine score to
    // this sample and raises the threshold a little; it never lowers it.
    this.observedImpostors = scores.sort((a, b) => b - a);
  }

  /** Expiry time for a visitor last seen at `lastSeen` (Unix seconds). */
  expiresAt(lastSeen: number): number {
    return lastSeen + this.options.retentionDays * DAY_S;
  }

  /** Associated data binding a sealed blob to its store and visitor, so rows cannot be swapped. */
  context(visitorId: string): string {
    return `${this.options.storeId}/${visitorId}`;
  }

  private put(visitorId: string, templates: Float32Array[]): void {
    this.remove(visitorId);
    this.entries.set(visitorId, { visitorId, templates });
    this.templateCount += templates.length;
  }
}

function bestScore(templates: Float32Array[], probe: Float32Array): number {
  let best = -1;
  for (const template of templates) best = Math.max(best, cosine(template, probe));
  return best;
}

function mostRedundant(templates: Float32Array[]): number {
  let worst = 0;
  let worstScore = -Infinity;
  for (let i = 0; i < templates.length; i++) {
    let sum = 0;
    for (let j = 0; j < templates.length; j++) if (i !== j) sum += cosine(templates[i], templates[j]);
    if (sum > worstScore) {
      worstScore = sum;
      worst = i;
    }
  }
  return worst;
}
