import type { AttributeSample, Box, Face, FrameFaces } from '../core/types';
import type { WeightedSample } from '../attributes/fusion';
import { cosine } from '../embed/similarity';
import { iou } from '../detect/nms';

export interface TrackerOptions {
  /** Seconds a track may go unseen before it ends. */
  maxLostS: number;
  /** Detections needed before a track counts as a person. */
  minHits: number;
  /** Best frames kept per track for templates and for demographics. */
  bestFrames: number;
  /** Minimum overlap between the predicted box and a detection. */
  minIou?: number;
  /** Template similarity that links a detection to a track even without overlap (fast motion, missed frames). */
  linkSimilarity?: number;
}

/** A person's pass in front of one camera, reported when the track ends. */
export interface FinishedTrack {
  cameraId: string;
  trackId: number;
  firstTs: number;
  lastTs: number;
  hits: number;
  /** Templates of the best identity-quality frames, best first. */
  templates: Float32Array[];
  /** Age/gender samples of the best demographics-quality frames, best first. */
  attributes: WeightedSample[];
  /** Largest face height seen, in pixels. */
  maxFaceSize: number;
}

interface Scored<T> {
  score: number;
  value: T;
}

interface Track {
  id: number;
  box: Box;
  vx: number;
  vy: number;
  firstTs: number;
  lastTs: number;
  hits: number;
  lastTemplate?: Float32Array;
  templates: Scored<Float32Array>[];
  attributes: Scored<AttributeSample>[];
  maxFaceSize: number;
}

function keepBest<T>(list: Scored<T>[], item: Scored<T>, max: number): void {
  list.push(item);
  list.sort((a, b) => b.score - a.score);
  if (list.length > max) list.length = max;
}

/**
 * Per-camera multi-face tracker. Detections are linked to tracks by the
 * overlap with each track's constant-velocity prediction plus template
 * similarity, greedily from the best pair down. So every face on screen gets
 * its own track, and a second person who walks in behind the first starts a
 * new one instead of being absorbed.
 */
export class Tracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private readonly minIou: number;
  private readonly linkSimilarity: number;

  constructor(readonly cameraId: string, private readonly options: TrackerOptions) {
    this.minIou = options.minIou ?? 0.15;
    this.linkSimilarity = options.linkSimilarity ?? 0.5;
  }

  /** Feeds one analysed frame; returns the tracks that ended before it. */
  update(frame: FrameFaces): FinishedTrack[] {
    const finished = this.expire(frame.ts);
    const pairs = this.candidatePairs(frame);
    const usedTracks = new Set<Track>();
    const usedFaces = new Set<number>();
    for (const pair of pairs) {
      if (usedTracks.has(pair.track) || usedFaces.has(pair.face)) continue;
      usedTracks.add(pair.track);
      usedFaces.add(pair.face);
      frame.faces[pair.face].trackId = pair.track.id;
      this.observe(pair.track, frame.faces[pair.face], frame.ts);
    }
    frame.faces.forEach((face, index) => {
      if (!usedFaces.has(index)) this.start(face, frame.ts);
    });
    return finished;
  }

  /** Ends every track (end of a clip, camera stopped). */
  flush(): FinishedTrack[] {
    const finished = this.tracks.filter((t) => t.hits >= this.options.minHits).map((t) => this.summarise(t));
    this.tracks = [];
    return finished;
  }

  /**
   * Returns the regions, predicted to `ts`, where a track already keeps its
   * full set of best frames. Each comes with the quality a new face must beat
   * to be worth a template or an age/gender run.
   */
  skipHints(ts: number): { box: Box; templateFloor: number | null; attributeFloor: number | null }[] {
    const full = this.options.bestFrames;
    return this.tracks
      .filter((t) => t.templates.length >= full || t.attributes.length >= full)
      .map((t) => ({
        box: this.predict(t, ts),
        templateFloor: t.templates.length >= full ? t.templates[full - 1].score : null,
        attributeFloor: t.attributes.length >= full ? t.attributes[full - 1].score : null,
      }));
  }

  /** Confirmed people seen within `windowS` seconds before `ts`. */
  present(ts: number, windowS = 1): number {
    return this.tracks.filter((t) => t.hits >= this.options.minHits && ts - t.lastTs <= windowS).length;
  }

  private expire(ts: number): FinishedTrack[] {
    const finished: FinishedTrack[] = [];
    this.tracks = this.tracks.filter((track) => {
      if (ts - track.lastTs <= this.options.maxLostS) return true;
      if (track.hits >= this.options.minHits) finished.push(this.summarise(track));
      return false;
    });
    return finished;
  }

  private candidatePairs(frame: FrameFaces): { track: Track; face: number; score: number }[] {
    const pairs: { track: Track; face: number; score: number }[] = [];
    for (const track of this.tracks) {
      const predicted = this.predict(track, frame.ts);
      frame.faces.forEach((face, index) => {
        const overlap = iou(predicted, face.box);
        const similarity = track.lastTemplate && face.template ? cosine(track.lastTemplate, face.template) : undefined;
        const near = centreDistance(predicted, face.box) < 2 * Math.max(predicted.height, face.box.height);
        const linked = overlap >= this.minIou || (similarity !== undefined && similarity >= this.linkSimilarity && near);
        // Two different people who cross paths: the template veto keeps them apart.
        const vetoed = similarity !== undefined && similarity < 0.1 && overlap < 0.5;
        if (linked && !vetoed) pairs.push({ track, face: index, score: overlap + (similarity ?? 0) });
      });
    }
    return pairs.sort((a, b) => b.score - a.score);
  }

  private predict(track: Track, ts: number): Box {
    const dt = Math.min(ts - track.lastTs, this.options.maxLostS);
    return { ...track.box, x: track.box.x + track.vx * dt, y: track.box.y + track.vy * dt };
  }

  private start(face: Face, ts: number): void {
    const track: Track = {
      id: this.nextId++, box: face.box, vx: 0, vy: 0, firstTs: ts, lastTs: ts, hits: 0,
      templates: [], attributes: [], maxFaceSize: 0,
    };
    this.tracks.push(track);
    face.trackId = track.id;
    this.record(track, face);
  }

  private observe(track: Track, face: Face, ts: number): void {
    const dt = ts - track.lastTs;
    if (dt > 0) {
      // Smoothed velocity in pixels a second.
      track.vx = 0.5 * track.vx + 0.5 * ((face.box.x - track.box.x) / dt);
      track.vy = 0.5 * track.vy + 0.5 * ((face.box.y - track.box.y) / dt);
    }
    track.box = face.box;
    track.lastTs = ts;
    this.record(track, face);
  }

  private record(track: Track, face: Face): void {
    track.hits++;
    track.maxFaceSize = Math.max(track.maxFaceSize, face.quality.size);
    if (face.template) {
      track.lastTemplate = face.template;
      keepBest(track.templates, { score: face.quality.score, value: face.template }, this.options.bestFrames);
    }
    if (face.attributes) {
      keepBest(track.attributes, { score: face.quality.score, value: face.attributes }, this.options.bestFrames);
    }
  }

  private summarise(track: Track): FinishedTrack {
    return {
      cameraId: this.cameraId,
      trackId: track.id,
      firstTs: track.firstTs,
      lastTs: track.lastTs,
      hits: track.hits,
      templates: track.templates.map((t) => t.value),
      attributes: track.attributes.map((a) => ({ sample: a.value, weight: a.score })),
      maxFaceSize: track.maxFaceSize,
    };
  }
}

function centreDistance(a: Box, b: Box): number {
  return Math.hypot(a.x + a.width / 2 - (b.x + b.width / 2), a.y + a.height / 2 - (b.y + b.height / 2));
}
