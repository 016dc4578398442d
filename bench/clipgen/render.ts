/**
 * Renders planned people over a shop-floor background into an H.264 or H.265
 * MP4, and writes the matching ground truth next to it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { drawShopBackground } from './background';
import { ClipEncoder } from './ffmpeg';
import { LANES, maxFaceHeightPx } from './lanes';
import { placeFace } from './motion';
import { buildSprites, type Sprite } from './patch';
import { SeededRandom } from './random';
import type { ClipPerson, ClipTruth, TruthVisitor, VideoCodec } from './types';

export interface RenderOptions {
  /** Output MP4 path. The truth is written to `${out}.truth.json`. */
  out: string;
  width?: number;
  height?: number;
  fps?: number;
  codec?: VideoCodec;
  seed: number;
  /** Clip length in seconds. The default is one second after the last visitor leaves, rounded up. */
  durationS?: number;
}

interface RenderSettings {
  out: string;
  width: number;
  height: number;
  fps: number;
  codec: VideoCodec;
  seed: number;
}

interface Actor {
  person: ClipPerson;
  sprites: Sprite[];
}

/** Sprite sizes prepared per person, as multiples of faceHeightPx. motion.ts scales faces between 0.94 and 1.06. */
const SPRITE_SCALES = [0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06];
const NOISE_AMPLITUDE = 4;
const NOISE_OFFSETS = 65536;

function resolveSettings(options: RenderOptions): RenderSettings {
  const settings = {
    out: options.out,
    width: options.width ?? 640,
    height: options.height ?? 360,
    fps: options.fps ?? 10,
    codec: options.codec ?? 'h264',
    seed: options.seed,
  };
  for (const side of ['width', 'height'] as const) {
    const value = settings[side];
    if (!Number.isInteger(value) || value < 64 || value % 2 !== 0) {
      throw new Error(`invalid ${side} ${value}: expected an even integer of at least 64 pixels`);
    }
  }
  if (!Number.isInteger(settings.fps) || settings.fps < 1 || settings.fps > 60) {
    throw new Error(`invalid fps ${settings.fps}: expected an integer from 1 to 60`);
  }
  if (settings.codec !== 'h264' && settings.codec !== 'h265') {
    throw new Error(`invalid codec ${String(settings.codec)}: expected 'h264' or 'h265'`);
  }
  if (!settings.out) throw new Error('missing output path (options.out)');
  return settings;
}

function validatePerson(person: ClipPerson, frameHeight: number): void {
  const where = `person ${person.truthId}`;
  if (!Number.isInteger(person.lane) || person.lane < 0 || person.lane >= LANES.length) {
    throw new Error(`${where}: invalid lane ${person.lane}, expected 0 to ${LANES.length - 1}`);
  }
  const maxFace = maxFaceHeightPx(person.lane, frameHeight);
  if (!(person.faceHeightPx >= 8 && person.faceHeightPx <= maxFace)) {
    throw new Error(`${where}: faceHeightPx ${person.faceHeightPx} does not fit lane ${person.lane} ` +
      `(8 to ${maxFace.toFixed(0)} px at height ${frameHeight}); use a smaller face or a taller frame`);
  }
  if (!(person.enterS >= 0)) throw new Error(`${where}: invalid enterS ${person.enterS}, expected >= 0`);
  if (!(person.dwellS >= 1)) throw new Error(`${where}: invalid dwellS ${person.dwellS}, expected >= 1 second`);
  if (!(person.lingerX >= 0.05 && person.lingerX <= 0.95)) {
    throw new Error(`${where}: invalid lingerX ${person.lingerX}, expected 0.05 to 0.95`);
  }
  if (person.direction !== 'ltr' && person.direction !== 'rtl') {
    throw new Error(`${where}: invalid direction ${String(person.direction)}, expected 'ltr' or 'rtl'`);
  }
}

function validatePeople(people: readonly ClipPerson[], frameHeight: number): void {
  const seen = new Set<string>();
  for (const person of people) {
    if (seen.has(person.truthId)) throw new Error(`duplicate truthId ${person.truthId}: each person needs its own`);
    seen.add(person.truthId);
    validatePerson(person, frameHeight);
  }
}

/** Rounds to microseconds so that enterS + dwellS prints without floating-point noise. */
function roundTime(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

function leaveTime(person: ClipPerson): number {
  return roundTime(person.enterS + person.dwellS);
}

function clipDuration(people: readonly ClipPerson[], requested: number | undefined): number {
  const lastLeave = Math.max(0, ...people.map(leaveTime));
  if (requested === undefined) return Math.ceil(lastLeave + 1);
  if (!(requested > 0)) throw new Error(`invalid durationS ${requested}: expected a positive number of seconds`);
  const late = people.find((person) => leaveTime(person) > requested);
  if (late) {
    throw new Error(`person ${late.truthId} leaves at ${leaveTime(late)} s, after the clip ends at ${requested} s. Raise durationS`);
  }
  return requested;
}

async function loadActors(people: readonly ClipPerson[]): Promise<Actor[]> {
  const actors: Actor[] = [];
  for (const person of people) {
    const sizes = SPRITE_SCALES.map((scale) => person.faceHeightPx * scale);
    actors.push({ person, sprites: await buildSprites(person.imagePath, person.framing, sizes) });
  }
  // Far lanes first, so nearer faces are drawn over them.
  return actors.sort((a, b) => a.person.lane - b.person.lane);
}

function nearestSprite(sprites: readonly Sprite[], scale: number): Sprite {
  let best = 0;
  for (let i = 1; i < SPRITE_SCALES.length; i++) {
    if (Math.abs(SPRITE_SCALES[i] - scale) < Math.abs(SPRITE_SCALES[best] - scale)) best = i;
  }
  return sprites[best];
}

/** Alpha-blends a sprite into an RGB frame with its face centre at (centerX, centerY). */
function blit(frame: Buffer, frameWidth: number, frameHeight: number, sprite: Sprite, centerX: number, centerY: number): void {
  const left = Math.round(centerX - sprite.faceX);
  const top = Math.round(centerY - sprite.faceY);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(sprite.width, frameWidth - left);
  for (let y = Math.max(0, -top); y < Math.min(sprite.height, frameHeight - top); y++) {
    for (let x = x0; x < x1; x++) {
      const a = sprite.alpha[y * sprite.width + x];
      if (a <= 0) continue;
      const source = (y * sprite.width + x) * 3;
      const target = ((top + y) * frameWidth + left + x) * 3;
      for (let c = 0; c < 3; c++) frame[target + c] = Math.round(a * sprite.rgb[source + c] + (1 - a) * frame[target + c]);
    }
  }
}

/** Per-frame sensor noise: a fixed random table read from a random offset each frame. */
class FrameNoise {
  private readonly table: Int8Array;

  constructor(private readonly length: number, private readonly random: SeededRandom) {
    this.table = new Int8Array(length + NOISE_OFFSETS);
    for (let i = 0; i < this.table.length; i++) {
      this.table[i] = Math.round((random.next() + random.next() - 1) * NOISE_AMPLITUDE);
    }
  }

  apply(frame: Buffer): void {
    const offset = this.random.int(0, NOISE_OFFSETS - 1);
    for (let i = 0; i < this.length; i++) {
      const value = frame[i] + this.table[offset + i];
      if (value < 0) frame[i] = 0;
      else if (value > 255) frame[i] = 255;
      else frame[i] = value;
    }
  }
}

function composeFrame(background: Buffer, actors: readonly Actor[], t: number, settings: RenderSettings, noise: FrameNoise): Buffer {
  const frame = Buffer.from(background);
  for (const actor of actors) {
    const placement = placeFace(actor.person, t, settings.width, settings.height);
    if (!placement) continue;
    blit(frame, settings.width, settings.height, nearestSprite(actor.sprites, placement.scale), placement.centerX, placement.centerY);
  }
  noise.apply(frame);
  return frame;
}

function toTruthVisitor(person: ClipPerson): TruthVisitor {
  return {
    truthId: person.truthId,
    kind: person.kind,
    source: person.source,
    identity: person.identity,
    gender: person.gender,
    age: person.age,
    enterS: roundTime(person.enterS),
    leaveS: leaveTime(person),
    faceHeightPx: person.faceHeightPx,
  };
}

/** Counts visitors whose face is visible at each whole second, i.e. enterS < t < leaveS. */
export function countOccupancy(visitors: readonly TruthVisitor[], durationS: number): { t: number; count: number }[] {
  const occupancy: { t: number; count: number }[] = [];
  for (let t = 0; t < durationS; t++) {
    occupancy.push({ t, count: visitors.filter((v) => v.enterS < t && t < v.leaveS).length });
  }
  return occupancy;
}

function buildTruth(people: readonly ClipPerson[], settings: RenderSettings, durationS: number): ClipTruth {
  const visitors = people.map(toTruthVisitor);
  return {
    clip: path.basename(settings.out),
    width: settings.width,
    height: settings.height,
    fps: settings.fps,
    durationS,
    codec: settings.codec,
    visitors,
    occupancy: countOccupancy(visitors, durationS),
  };
}

async function encodeFrames(actors: readonly Actor[], settings: RenderSettings, durationS: number): Promise<void> {
  const background = drawShopBackground(settings.width, settings.height, settings.seed).data;
  const noise = new FrameNoise(background.length, new SeededRandom(settings.seed ^ 0x5bd1e995));
  const encoder = new ClipEncoder(settings);
  const frameCount = Math.round(durationS * settings.fps);
  try {
    for (let i = 0; i < frameCount; i++) {
      await encoder.write(composeFrame(background, actors, i / settings.fps, settings, noise));
    }
  } catch (error) {
    encoder.abort();
    throw error;
  }
  await encoder.finish();
}

/**
 * Renders the people into options.out and writes `${out}.truth.json`.
 * Face images stay in memory, so the clip is the only file with faces.
 */
export async function renderClip(people: ClipPerson[], options: RenderOptions): Promise<ClipTruth> {
  const settings = resolveSettings(options);
  validatePeople(people, settings.height);
  const durationS = clipDuration(people, options.durationS);
  const actors = await loadActors(people);
  await encodeFrames(actors, settings, durationS);
  const truth = buildTruth(people, settings, durationS);
  await fs.writeFile(`${settings.out}.truth.json`, `${JSON.stringify(truth, null, 2)}\n`);
  return truth;
}
