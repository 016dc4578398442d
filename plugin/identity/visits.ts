import { randomUUID } from 'node:crypto';
import type { Demographics, VisitorRecord } from '../core/types';
import type { Database } from '../store/db';
import type { FinishedTrack } from '../track/tracker';
import { fuseAttributes, type WeightedSample } from '../attributes/fusion';
import { l2Normalize } from '../embed/similarity';
import type { Gallery } from './gallery';
import type { OptOutList } from './optout';
import { logger } from '../log/logger';

export type PrivacyMode = 'anonymous' | 'consent' | 'full';

export interface VisitBookOptions {
  storeId: string;
  mode: PrivacyMode;
  /** Seconds of absence after which a visit ends. */
  visitGapS: number;
  /** Tracks whose fused age is below this get no template. */
  minEnrolAge: number;
}

interface OpenVisit {
  rowId: number;
  visitorId: string;
  identified: boolean;
  cameraId: string;
  startTs: number;
  endTs: number;
  returning: boolean;
  visitCount: number;
  samples: WeightedSample[];
  faceSizePx: number;
  /** The tracks of this visit, to tell apart people seen at the same time. */
  tracks: { cameraId: string; from: number; to: number }[];
}

/** Mean of a track's best templates, L2-normalised: steadier than any single frame. */
export function fuseTemplates(templates: Float32Array[]): Float32Array {
  const fused = new Float32Array(templates[0].length);
  for (const template of templates) for (let i = 0; i < fused.length; i++) fused[i] += template[i];
  return l2Normalize(fused);
}

/**
 * Turns finished tracks into visitors and visits: recognises returning
 * visitors through the gallery, keeps a visit open while the person is seen
 * again within visitGapS, and writes visitors and visits to SQLite. A track
 * without a usable template is a person counted without identity.
 */
export class VisitBook {
  private readonly open = new Map<string, OpenVisit>();

  constructor(
    private readonly db: Database,
    private readonly gallery: Gallery,
    private readonly optOut: OptOutList,
    private readonly options: VisitBookOptions,
  ) {}

  /** Records one finished track and returns the visitor's updated record. */
  async record(track: FinishedTrack): Promise<VisitorRecord> {
    await this.closeIdle(track.firstTs);
    const demographics = fuseAttributes(track.attributes);
    const template = this.identityTemplate(track, demographics.age);
    if (!template) return this.recordAnonymous(track, demographics);
    const match = this.gallery.match(template, this.seenDuring(track));
    logger.debug('identity decision', {
      cameraId: track.cameraId, trackId: track.trackId, visitorId: match?.visitorId, score: match?.score,
      threshold: this.gallery.threshold(),
    });
    if (match) return this.recordKnown(match.visitorId, template, track, demographics);
    if (this.options.mode === 'consent') return this.recordAnonymous(track, demographics);
    return this.recordNew(template, track, demographics);
  }

  /**
   * Tells whether seeing `visitorId` now counts as a returning visit: true
   * unless the visitor's current visit is their first.
   */
  isReturning(visitorId: string): boolean {
    return this.open.get(visitorId)?.returning ?? true;
  }

  /** Closes visits whose visitor has not been seen for visitGapS before `now`. */
  async closeIdle(now: number): Promise<void> {
    for (const visit of [...this.open.values()]) {
      if (now - visit.endTs > this.options.visitGapS) await this.close(visit);
    }
  }

  /** Closes every open visit (end of a recording, shutdown). */
  async closeAll(): Promise<void> {
    for (const visit of [...this.open.values()]) await this.close(visit);
  }

  /**
   * Visitors with a track on the same camera that overlaps this one in time:
   * two faces in one frame are two people, however alike they look.
   */
  private seenDuring(track: FinishedTrack): Set<string> {
    const busy = new Set<string>();
    for (const visit of this.open.values()) {
      const overlaps = visit.tracks.some((t) => t.cameraId === track.cameraId && t.from <= track.lastTs && t.to >= track.firstTs);
      if (overlaps) busy.add(visit.visitorId);
    }
    return busy;
  }

  private identityTemplate(track: FinishedTrack, age: number | null): Float32Array | undefined {
    if (this.options.mode === 'anonymous' || track.templates.length === 0) return undefined;
    if (age !== null && age < this.options.minEnrolAge) return undefined;
    const template = fuseTemplates(track.templates);
    return this.optOut.isOptedOut(template) ? undefined : template;
  }

  private async recordAnonymous(track: FinishedTrack, demographics: Demographics): Promise<VisitorRecord> {
    const visitorId = `anon-${randomUUID()}`;
    await this.db.transaction(async () => {
      await this.db.run(
        `INSERT INTO visitors (id, store_id, templates, template_count, first_seen, last_seen, visit_count, gender, age, age_band, expires_at)
         VALUES (?, ?, NULL, 0, ?, ?, 1, ?, ?, ?, ?)`,
        [visitorId, this.options.storeId, track.firstTs, track.lastTs, demographics.gender, demographics.age, demographics.ageBand,
          this.gallery.expiresAt(track.lastTs)],
      );
    });
    const visit = await this.startVisit(visitorId, false, track, false, 1, demographics);
    await this.close(visit);
    return this.toRecord(visit, demographics);
  }

  private async recordNew(template: Float32Array, track: FinishedTrack, demographics: Demographics): Promise<VisitorRecord> {
    const visitorId = this.gallery.newVisitorId();
    const sealed = this.gallery.addTemplate(visitorId, template);
    await this.db.transaction(async () => {
      await this.db.run(
        `INSERT INTO visitors (id, store_id, templates, template_count, first_seen, last_seen, visit_count, gender, age, age_band, expires_at)
         VALUES (?, ?, ?, 1, ?, ?, 1, ?, ?, ?, ?)`,
        [visitorId, this.options.storeId, sealed, track.firstTs, track.lastTs, demographics.gender, demographics.age,
          demographics.ageBand, this.gallery.expiresAt(track.lastTs)],
      );
    });
    const visit = await this.startVisit(visitorId, true, track, false, 1, demographics);
    return this.toRecord(visit, demographics);
  }

  private async recordKnown(
    visitorId: string, template: Float32Array, track: FinishedTrack, trackDemographics: Demographics,
  ): Promise<VisitorRecord> {
    let visit = this.open.get(visitorId);
    if (visit) {
      visit.endTs = Math.max(visit.endTs, track.lastTs);
      visit.samples.push(...track.attributes);
      visit.tracks.push({ cameraId: track.cameraId, from: track.firstTs, to: track.lastTs });
      visit.faceSizePx = Math.max(visit.faceSizePx, track.maxFaceSize);
    } else {
      const row = await this.db.get<{ visit_count: number }>('SELECT visit_count FROM visitors WHERE id = ?', [visitorId]);
      visit = await this.startVisit(visitorId, true, track, true, (row?.visit_count ?? 0) + 1, trackDemographics);
    }
    const sealed = this.gallery.addTemplate(visitorId, template);
    const demographics = fuseAttributes(visit.samples);
    await this.db.transaction(async () => {
      await this.db.run(
        `UPDATE visitors SET templates = ?, template_count = ?, last_seen = MAX(last_seen, ?), visit_count = ?, expires_at = ?,
           gender = COALESCE(?, gender), age = COALESCE(?, age), age_band = COALESCE(?, age_band) WHERE id = ?`,
        [sealed, this.gallery.templateCountOf(visitorId), track.lastTs, visit.visitCount, this.gallery.expiresAt(visit.endTs),
          demographics.gender, demographics.age, demographics.ageBand, visitorId],
      );
      await this.writeVisit(visit, demographics);
    });
    return this.toRecord(visit, demographics);
  }

  private async startVisit(
    visitorId: string, identified: boolean, track: FinishedTrack, returning: boolean, visitCount: number, demographics: Demographics,
  ): Promise<OpenVisit> {
    const result = await this.db.transaction(() =>
      this.db.run(
        `INSERT INTO visits (store_id, visitor_id, camera_id, start_ts, end_ts, is_returning, identified, gender, age, age_band, face_size_px)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [this.options.storeId, visitorId, track.cameraId, track.firstTs, track.lastTs, returning ? 1 : 0, identified ? 1 : 0,
          demographics.gender, demographics.age, demographics.ageBand, track.maxFaceSize],
      ),
    );
    const visit: OpenVisit = {
      rowId: result.lastID, visitorId, identified, cameraId: track.cameraId, startTs: track.firstTs, endTs: track.lastTs,
      returning, visitCount, samples: [...track.attributes], faceSizePx: track.maxFaceSize,
      tracks: [{ cameraId: track.cameraId, from: track.firstTs, to: track.lastTs }],
    };
    this.open.set(visitorId, visit);
    return visit;
  }

  private writeVisit(visit: OpenVisit, demographics: Demographics): Promise<unknown> {
    return this.db.run(
      'UPDATE visits SET end_ts = ?, gender = ?, age = ?, age_band = ?, face_size_px = ? WHERE id = ?',
      [visit.endTs, demographics.gender, demographics.age, demographics.ageBand, visit.faceSizePx, visit.rowId],
    );
  }

  private async close(visit: OpenVisit): Promise<void> {
    this.open.delete(visit.visitorId);
    await this.db.transaction(() => this.db.run('UPDATE visits SET closed = 1, end_ts = ? WHERE id = ?', [visit.endTs, visit.rowId]));
  }

  private toRecord(visit: OpenVisit, demographics: Demographics): VisitorRecord {
    return {
      visitorId: visit.visitorId,
      identified: visit.identified,
      cameraId: visit.cameraId,
      firstSeenS: visit.startTs,
      lastSeenS: visit.endTs,
      returning: visit.returning,
      visitCount: visit.visitCount,
      gender: demographics.gender,
      ageBand: demographics.ageBand,
      age: demographics.age === null ? null : Math.round(demographics.age * 10) / 10,
      dwellS: Math.max(0, visit.endTs - visit.startTs),
      faceSizePx: Math.round(visit.faceSizePx),
    };
  }
}
