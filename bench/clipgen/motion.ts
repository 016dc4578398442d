/**
 * Face position over a visit, which has three phases. The person walks in
 * from one side and slows down (first 30 % of the visit). They linger near
 * lingerX with a small sway (middle 40 %). Then they speed up and leave by
 * the opposite side (last 30 %). The face edge touches the frame edge exactly
 * at enterS and at enterS + dwellS, so the face is at least partly inside the
 * frame for every t strictly between them.
 */
import { laneCenterYPx } from './lanes';
import type { ClipPerson } from './types';

export const WALK_IN_FRACTION = 0.3;
export const WALK_OUT_FRACTION = 0.3;
/** Face width as a fraction of face height, used for the visible extent. */
export const FACE_WIDTH_RATIO = 0.8;

const SCALE_AT_ENTRY = 0.94;
const SCALE_GROWTH = 0.12;
const STEP_HZ = 1.8;
const WALK_BOB = 0.035;
const LINGER_BOB = 0.01;
const LINGER_SWAY = 0.015;

export interface FacePlacement {
  /** Face centre in frame pixels. */
  centerX: number;
  centerY: number;
  /** Multiplier on faceHeightPx at this time. */
  scale: number;
}

type MotionInput = Pick<ClipPerson, 'enterS' | 'dwellS' | 'faceHeightPx' | 'lane' | 'direction' | 'lingerX'>;

export function scaleAt(progress: number): number {
  return SCALE_AT_ENTRY + SCALE_GROWTH * progress;
}

/** Returns the face placement at time t, or null when t is outside (enterS, enterS + dwellS). */
export function placeFace(person: MotionInput, t: number, frameWidth: number, frameHeight: number): FacePlacement | null {
  const elapsed = t - person.enterS;
  if (elapsed <= 0 || elapsed >= person.dwellS) return null;
  const progress = elapsed / person.dwellS;
  const scale = scaleAt(progress);
  const centerX = horizontalPosition(person, progress, frameWidth);
  const walking = progress < WALK_IN_FRACTION || progress > 1 - WALK_OUT_FRACTION;
  const bob = (walking ? WALK_BOB : LINGER_BOB) * person.faceHeightPx * Math.sin(2 * Math.PI * STEP_HZ * elapsed);
  return { centerX, centerY: laneCenterYPx(person.lane, frameHeight) + bob, scale };
}

function halfWidthAt(person: MotionInput, progress: number): number {
  return 0.5 * FACE_WIDTH_RATIO * person.faceHeightPx * scaleAt(progress);
}

function horizontalPosition(person: MotionInput, progress: number, frameWidth: number): number {
  const ltr = person.direction === 'ltr';
  const entryX = ltr ? -halfWidthAt(person, 0) : frameWidth + halfWidthAt(person, 0);
  const exitX = ltr ? frameWidth + halfWidthAt(person, 1) : -halfWidthAt(person, 1);
  const lingerX = person.lingerX * frameWidth;
  const lingerEnd = 1 - WALK_OUT_FRACTION;
  if (progress < WALK_IN_FRACTION) {
    const p = progress / WALK_IN_FRACTION;
    return entryX + (lingerX - entryX) * (1 - (1 - p) * (1 - p));
  }
  if (progress <= lingerEnd) {
    const p = (progress - WALK_IN_FRACTION) / (lingerEnd - WALK_IN_FRACTION);
    return lingerX + LINGER_SWAY * frameWidth * Math.sin(2 * Math.PI * p);
  }
  const p = (progress - lingerEnd) / WALK_OUT_FRACTION;
  return lingerX + (exitX - lingerX) * p * p;
}
