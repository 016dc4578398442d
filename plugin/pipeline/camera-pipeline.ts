import type { Bus } from '../core/bus';
import type { FrameFaces, VisitorRecord } from '../core/types';
import { Tracker, type FinishedTrack, type TrackerOptions } from '../track/tracker';
import { addPresence, CoverageTracker, saveCoverage, type Interval } from '../analytics/occupancy';
import type { StoreContext } from './store-context';
import type { SkipHint } from './analyze-frame';

/**
 * One camera's path from analysed frames to visitors: tracking, visits,
 * per-second presence and coverage in the store, and live events on the bus.
 * Frames must arrive in timestamp order.
 */
export class CameraPipeline {
  private readonly tracker: Tracker;
  private readonly coverage: CoverageTracker;
  /** Visitor records produced so far, in the order tracks ended. */
  readonly visitors: VisitorRecord[] = [];
  /** Presence intervals of every confirmed track. */
  readonly presence: Interval[] = [];
  framesAnalysed = 0;
  facesSeen = 0;
  /** Live recognition per track id, decided from the track's first template. */
  private readonly recognition = new Map<number, 'returning' | 'new'>();

  constructor(
    readonly cameraId: string,
    private readonly store: StoreContext,
    trackerOptions: TrackerOptions,
    private readonly bus?: Bus,
    coverageGapS = 5,
  ) {
    this.tracker = new Tracker(cameraId, trackerOptions);
    this.coverage = new CoverageTracker(coverageGapS);
  }

  async handle(frame: FrameFaces): Promise<void> {
    this.framesAnalysed++;
    this.facesSeen += frame.faces.length;
    const closed = this.coverage.frame(frame.ts);
    if (closed) await saveCoverage(this.store.db, this.store.storeId, this.cameraId, closed);
    const finished = this.tracker.update(frame);
    if (this.bus) {
      this.recognise(frame);
      this.bus.publish('faces', withoutTemplates(frame));
    }
    this.bus?.publish('occupancy', { cameraId: this.cameraId, t: frame.ts, count: this.tracker.present(frame.ts) });
    for (const track of finished) await this.finishTrack(track);
  }

  /** Skip hints for a frame at `ts` (see SkipHint): tracks that need no more templates. */
  skipHints(ts: number): SkipHint[] {
    return this.tracker.skipHints(ts);
  }

  /** Marks a stretch without frames (camera lost): it is stored as no data, never as zero people. */
  async gap(): Promise<void> {
    const closed = this.coverage.end();
    if (closed) await saveCoverage(this.store.db, this.store.storeId, this.cameraId, closed);
    for (const track of this.tracker.flush()) await this.finishTrack(track);
  }

  /** Ends all tracks and stores the coverage so far (end of a clip or shutdown). */
  async finish(): Promise<void> {
    await this.gap();
  }

  /** Persists the open coverage stretch without ending it, so readers see data up to now. */
  async checkpoint(): Promise<void> {
    const open = this.coverage.open();
    if (open) await saveCoverage(this.store.db, this.store.storeId, this.cameraId, open);
  }

  /**
   * Labels each face for the live overlay: a track is "returning" when its
   * first template matches a stored visitor from an earlier visit. The visit
   * itself is decided when the track ends, from its best frames, and may differ.
   */
  private recognise(frame: FrameFaces): void {
    for (const face of frame.faces) {
      if (face.trackId === undefined) continue;
      let label = this.recognition.get(face.trackId);
      if (!label && face.template) {
        const match = this.store.gallery.match(face.template);
        label = match && this.store.visits.isReturning(match.visitorId) ? 'returning' : 'new';
        this.recognition.set(face.trackId, label);
      }
      face.recognition = label;
    }
    // Tracks dropped before confirmation never reach finishTrack; bound what they leave behind.
    if (this.recognition.size > 10000) this.recognition.clear();
  }

  private async finishTrack(track: FinishedTrack): Promise<void> {
    this.recognition.delete(track.trackId);
    const record = await this.store.visits.record(track);
    const interval = { from: track.firstTs, to: track.lastTs };
    this.presence.push(interval);
    await addPresence(this.store.db, this.store.storeId, this.cameraId, interval);
    this.visitors.push(record);
    this.bus?.publish('visitor', record);
  }
}

function withoutTemplates(frame: FrameFaces): FrameFaces {
  return { ...frame, faces: frame.faces.map(({ template: _template, ...face }) => face) };
}
