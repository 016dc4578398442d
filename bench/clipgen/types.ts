/** Contracts shared by the clip planner, the renderer and their callers. */

export type VisitorKind = 'regular' | 'oneoff' | 'small';
export type Gender = 'female' | 'male';
export type VideoCodec = 'h264' | 'h265';
export type WalkDirection = 'ltr' | 'rtl';

/**
 * Approximate face box in a source image: centre and height as fractions of
 * the image width (centerX) and height (centerY, height). Height runs from the
 * forehead to the chin.
 */
export interface FaceBox {
  centerX: number;
  centerY: number;
  height: number;
}

/**
 * How to find the face in a source image without a face detector:
 * - 'chip': an aligned face chip (UTKFace style), with the face centred and filling most of it.
 * - 'photo': a photo of one person, framed from its pixel size when rendering (see FRAMING in patch.ts).
 * - A FaceBox measured by eye.
 */
export type FaceFraming = 'chip' | 'photo' | FaceBox;

/** One person to draw in a clip, with the motion fully planned. */
export interface ClipPerson {
  truthId: string;
  kind: VisitorKind;
  /** Absolute path of the face image that is read when rendering. */
  imagePath: string;
  /** Path recorded in the ground truth, relative to the dataset or package root. */
  source: string;
  framing: FaceFraming;
  identity: string | null;
  gender: Gender | null;
  age: number | null;
  /** Seconds from the clip start when the face first touches the frame edge. */
  enterS: number;
  /** Seconds the face is visible, from entering until it has left the frame. */
  dwellS: number;
  /** Face height in pixels at the middle of the visit (it grows by about 12 % from entry to exit). */
  faceHeightPx: number;
  /** Lane index from lanes.ts: 0 is the far lane for small faces, 3 the nearest. */
  lane: number;
  direction: WalkDirection;
  /** Linger point: the x position where the person stops, as a fraction of the frame width. */
  lingerX: number;
}

export interface TruthVisitor {
  truthId: string;
  kind: VisitorKind;
  /** Dataset-relative (or package-relative) image path. */
  source: string;
  /** identity-verification identity, or null. */
  identity: string | null;
  gender: Gender | null;
  age: number | null;
  enterS: number;
  leaveS: number;
  faceHeightPx: number;
}

export interface ClipTruth {
  /** File name of the clip, without its folder. */
  clip: string;
  width: number;
  height: number;
  fps: number;
  durationS: number;
  codec: VideoCodec;
  visitors: TruthVisitor[];
  /** Per whole second t: visitors whose face is fully or partly visible, i.e. enterS < t < leaveS. */
  occupancy: { t: number; count: number }[];
}
