/**
 * Horizontal lanes that keep faces apart. A lane is a band at a fixed height
 * of the frame, and the scheduler lets only one person walk in it at a time.
 * At the largest sizes a near lane's forehead can touch the chin of the lane
 * above. Lane 0 is for faces too small to identify. Face heights are in
 * pixels and do not scale with the frame size, because detection depends on
 * the face size in pixels.
 */

export interface Lane {
  /** Vertical centre of the face as a fraction of the frame height. */
  centerY: number;
  minFacePx: number;
  maxFacePx: number;
}

/** Frame height the face-size ranges were laid out for. */
export const REFERENCE_HEIGHT = 360;
export const SMALL_LANE = 0;
export const NORMAL_LANES: readonly number[] = [1, 2, 3];

export const LANES: readonly Lane[] = [
  { centerY: 0.12, minFacePx: 20, maxFacePx: 34 },
  { centerY: 0.31, minFacePx: 56, maxFacePx: 76 },
  { centerY: 0.55, minFacePx: 76, maxFacePx: 100 },
  { centerY: 0.81, minFacePx: 100, maxFacePx: 128 },
];

/**
 * Returns the largest face height that fits the lane in a frame of this
 * height: the planned maximum plus 10 %, shrunk in frames lower than 360 rows.
 */
export function maxFaceHeightPx(lane: number, frameHeight: number): number {
  const shrink = Math.min(1, frameHeight / REFERENCE_HEIGHT);
  return LANES[lane].maxFacePx * 1.1 * shrink;
}

export function laneCenterYPx(lane: number, frameHeight: number): number {
  return LANES[lane].centerY * frameHeight;
}
