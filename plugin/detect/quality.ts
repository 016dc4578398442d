import type { Box, FaceQuality, Landmarks, Point, QualityIssue, RgbImage } from '../core/types';
import type { Detection } from './yunet';

/** Thresholds of the quality gate. Every field is optional and has the default named on it. */
export interface QualityOptions {
  /** Minimum face height in pixels for identity and demographics (default 40). Smaller faces are still counted. */
  minFaceSize?: number;
  /** Minimum sharpness (see FaceQuality.sharpness) for identity and demographics (default DEFAULT_MIN_SHARPNESS). */
  minSharpness?: number;
  /** Maximum estimated yaw in degrees for demographics (default 45). */
  maxYawDeg?: number;
  /**
   * Maximum estimated yaw in degrees for identity (default 35, stricter than
   * demographics because templates of turned faces match worse). A face past
   * it gets the issue 'turned'.
   */
  maxIdentityYawDeg?: number;
}

/** Side in pixels of the grey crop that sharpness is measured on, so that it does not depend on the face size. */
export const SHARPNESS_CROP_SIZE = 64;
/** Grey-level standard deviation the sharpness crop is stretched to before the Laplacian. */
const CONTRAST_STD = 50;
/**
 * On the multiface and identity photos (faces >= 40 px) 99 % of real faces
 * score above 90 and the lowest 37; blurring by a Gaussian of sigma 6 % of
 * the face height brings 99 % of them below 41, and 3 % of the height brings
 * the median to 29.
 */
export const DEFAULT_MIN_SHARPNESS = 60;

const DEFAULTS: Required<QualityOptions> = {
  minFaceSize: 40,
  minSharpness: DEFAULT_MIN_SHARPNESS,
  maxYawDeg: 45,
  maxIdentityYawDeg: 35,
};

/** The quality gate's verdict on one detection. */
export interface FaceAssessment {
  /** The detection box clamped into the frame: x, y >= 0, width and height >= 1. */
  box: Box;
  quality: FaceQuality;
}

/**
 * Decides whether a detected face may be used for identity (templates) and
 * for demographics, and scores it for picking a track's best frames.
 * Faces that fail still count as people. `greyscale` is the frame's colour
 * mode (isGreyscaleFrame): without colour there are no demographics.
 */
export function assessFace(image: RgbImage, detection: Detection, options: QualityOptions, greyscale: boolean): FaceAssessment {
  if (image.width <= 0 || image.height <= 0 || image.data.length < image.width * image.height * 3) {
    throw new Error(
      `assessFace: image must be packed RGB24 with width x height x 3 bytes, got ${image.width}x${image.height} and ${image.data.length} bytes`,
    );
  }
  const settings = withDefaults(options);
  const box = clampBox(detection.box, image.width, image.height);
  const partial = reachesOutside(detection.box, image.width, image.height);
  // The raw box height is the face size even when the face is cut by the frame edge.
  const size = detection.box.height;
  const sharpness = measureSharpness(image, box);
  const yaw = estimateYawDeg(detection.landmarks);
  const landmarksOk = landmarksPlausible(detection.landmarks, detection.box);

  const bigEnough = size >= settings.minFaceSize;
  const sharp = sharpness >= settings.minSharpness;
  const issues: QualityIssue[] = [];
  if (!bigEnough) issues.push('too-small');
  if (!sharp) issues.push('blurred');
  if (yaw > settings.maxIdentityYawDeg) issues.push('turned');
  if (partial) issues.push('partial');
  if (greyscale) issues.push('greyscale');
  if (!landmarksOk) issues.push('bad-landmarks');

  const usable = bigEnough && sharp && landmarksOk;
  const identityOk = usable && !partial && yaw <= settings.maxIdentityYawDeg;
  const demographicsOk = usable && !greyscale && yaw <= settings.maxYawDeg;
  const score = qualityScore(size, sharpness, yaw, settings, partial, landmarksOk);
  return { box, quality: { size, sharpness, yaw, partial, identityOk, demographicsOk, score, issues } };
}

/** Fills each option that is missing or undefined with its default. */
function withDefaults(options: QualityOptions): Required<QualityOptions> {
  return {
    minFaceSize: options.minFaceSize ?? DEFAULTS.minFaceSize,
    minSharpness: options.minSharpness ?? DEFAULTS.minSharpness,
    maxYawDeg: options.maxYawDeg ?? DEFAULTS.maxYawDeg,
    maxIdentityYawDeg: options.maxIdentityYawDeg ?? DEFAULTS.maxIdentityYawDeg,
  };
}

/** Clamps a box into a width x height frame, keeping at least one pixel of width and height. */
export function clampBox(box: Box, width: number, height: number): Box {
  const x = Math.min(Math.max(box.x, 0), width - 1);
  const y = Math.min(Math.max(box.y, 0), height - 1);
  const right = Math.min(Math.max(box.x + box.width, x + 1), width);
  const bottom = Math.min(Math.max(box.y + box.height, y + 1), height);
  return { x, y, width: right - x, height: bottom - y };
}

function reachesOutside(box: Box, width: number, height: number): boolean {
  return box.x < 0 || box.y < 0 || box.x + box.width > width || box.y + box.height > height;
}

/**
 * Combines size (saturating at the 112 px the embedder uses), sharpness
 * (saturating at twice the threshold) and frontalness (cos yaw) into [0, 1].
 * Partial faces count half and implausible landmarks a tenth.
 */
function qualityScore(
  size: number,
  sharpness: number,
  yawDeg: number,
  settings: Required<QualityOptions>,
  partial: boolean,
  landmarksOk: boolean,
): number {
  const sizeTerm = Math.min(1, size / 112);
  const sharpTerm = Math.min(1, sharpness / (2 * settings.minSharpness));
  const frontalTerm = Math.cos((Math.min(yawDeg, 90) * Math.PI) / 180);
  const penalty = (partial ? 0.5 : 1) * (landmarksOk ? 1 : 0.1);
  return Math.max(0, Math.min(1, sizeTerm * sharpTerm * frontalTerm * penalty));
}

/**
 * Measures sharpness as the variance of the 4-neighbour Laplacian of the box.
 * The box is converted to grey, area-resampled to 64x64 and stretched to a
 * grey-level standard deviation of 50, so the value depends neither on the
 * face size nor on the lighting. A flat crop scores 0.
 */
export function measureSharpness(image: RgbImage, box: Box): number {
  const size = SHARPNESS_CROP_SIZE;
  const grey = resampleGrey(image, box, size);
  stretchContrast(grey);
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const laplacian = grey[i - 1] + grey[i + 1] + grey[i - size] + grey[i + size] - 4 * grey[i];
      sum += laplacian;
      sumSquares += laplacian * laplacian;
      count++;
    }
  }
  const mean = sum / count;
  return sumSquares / count - mean * mean;
}

/**
 * Resamples the box to a size x size grey image (BT.601 luma): each output
 * pixel averages the source pixels under it when downscaling and is sampled
 * bilinearly when upscaling.
 */
function resampleGrey(image: RgbImage, box: Box, size: number): Float32Array {
  const out = new Float32Array(size * size);
  const stepX = box.width / size;
  const stepY = box.height / size;
  for (let oy = 0; oy < size; oy++) {
    const y0 = box.y + oy * stepY;
    for (let ox = 0; ox < size; ox++) {
      const x0 = box.x + ox * stepX;
      out[oy * size + ox] =
        stepX >= 1 && stepY >= 1
          ? averageGrey(image, x0, y0, x0 + stepX, y0 + stepY)
          : bilinearGrey(image, x0 + stepX / 2 - 0.5, y0 + stepY / 2 - 0.5);
    }
  }
  return out;
}

function averageGrey(image: RgbImage, x0: number, y0: number, x1: number, y1: number): number {
  const left = Math.floor(x0);
  const top = Math.floor(y0);
  const right = Math.max(left + 1, Math.round(x1));
  const bottom = Math.max(top + 1, Math.round(y1));
  let sum = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) sum += greyAt(image, x, y);
  }
  return sum / ((right - left) * (bottom - top));
}

function bilinearGrey(image: RgbImage, x: number, y: number): number {
  const left = Math.floor(x);
  const top = Math.floor(y);
  const fx = x - left;
  const fy = y - top;
  const upper = greyAt(image, left, top) * (1 - fx) + greyAt(image, left + 1, top) * fx;
  const lower = greyAt(image, left, top + 1) * (1 - fx) + greyAt(image, left + 1, top + 1) * fx;
  return upper * (1 - fy) + lower * fy;
}

/** Returns the grey value at (x, y), with coordinates outside the frame clamped to the edge. */
function greyAt(image: RgbImage, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), image.width - 1);
  const cy = Math.min(Math.max(y, 0), image.height - 1);
  const i = (cy * image.width + cx) * 3;
  return 0.299 * image.data[i] + 0.587 * image.data[i + 1] + 0.114 * image.data[i + 2];
}

function stretchContrast(grey: Float32Array): void {
  let sum = 0;
  let sumSquares = 0;
  for (const value of grey) {
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / grey.length;
  const std = Math.sqrt(Math.max(0, sumSquares / grey.length - mean * mean));
  // Below 2 grey levels of spread the crop is flat, so stretching it would only amplify noise.
  const gain = std >= 2 ? CONTRAST_STD / std : 0;
  for (let i = 0; i < grey.length; i++) grey[i] = (grey[i] - mean) * gain;
}

/** The landmarks in the face's own frame: x along the eye line, y perpendicular to it (down the face), origin between the eyes. */
interface FaceFrame {
  eyeDistance: number;
  rollDeg: number;
  toFace(p: Point): Point;
}

function faceFrame(landmarks: Landmarks): FaceFrame {
  const [rightEye, leftEye] = landmarks;
  const dx = leftEye.x - rightEye.x;
  const dy = leftEye.y - rightEye.y;
  const eyeDistance = Math.hypot(dx, dy);
  const ux = eyeDistance > 0 ? dx / eyeDistance : 1;
  const uy = eyeDistance > 0 ? dy / eyeDistance : 0;
  const cx = (rightEye.x + leftEye.x) / 2;
  const cy = (rightEye.y + leftEye.y) / 2;
  return {
    eyeDistance,
    rollDeg: (Math.atan2(uy, ux) * 180) / Math.PI,
    toFace: (p) => ({ x: (p.x - cx) * ux + (p.y - cy) * uy, y: -(p.x - cx) * uy + (p.y - cy) * ux }),
  };
}

/**
 * Estimates the absolute yaw in degrees from the nose tip's sideways offset
 * from the eye midpoint, in units of half the eye distance. With the nose tip
 * protruding about half an eye distance in front of the eyes (an average-head
 * assumption), a head turned by yaw shifts it by tan(yaw) of those units.
 * NOTE: the protrusion ratio is an estimate. Against the yaw of the
 * faceplugin fr_pose model on 222 faces of group photos, the median absolute
 * difference was 4.6 degrees (90th percentile 20), but that model is itself
 * noisy and there is no labelled pose data here.
 */
export function estimateYawDeg(landmarks: Landmarks): number {
  const frame = faceFrame(landmarks);
  if (frame.eyeDistance === 0) return 90;
  const offset = Math.abs(frame.toFace(landmarks[2]).x) / (frame.eyeDistance / 2);
  return (Math.atan(offset / NOSE_PROTRUSION) * 180) / Math.PI;
}

/** Nose-tip protrusion in front of the eye line, in units of half the eye distance. */
const NOSE_PROTRUSION = 1;

/**
 * Checks that five landmarks can be a face inside `box`. The roll must be
 * within 60 degrees, and along the face axis the eyes must lie above the nose
 * and the nose above both mouth corners. The mouth corners must run left to
 * right like the eyes, and the eye distance must be 12 % to 75 % of the box
 * width. Every point must lie inside the box widened by 10 % on each side.
 */
export function landmarksPlausible(landmarks: Landmarks, box: Box): boolean {
  const frame = faceFrame(landmarks);
  if (Math.abs(frame.rollDeg) > 60) return false;
  const ratio = frame.eyeDistance / box.width;
  if (!(ratio >= 0.12 && ratio <= 0.75)) return false;
  const nose = frame.toFace(landmarks[2]);
  const mouthRight = frame.toFace(landmarks[3]);
  const mouthLeft = frame.toFace(landmarks[4]);
  if (!(nose.y > 0 && mouthRight.y > nose.y && mouthLeft.y > nose.y)) return false;
  if (!(mouthLeft.x > mouthRight.x)) return false;
  return landmarks.every((p) => insideWidened(p, box, 0.1));
}

function insideWidened(p: Point, box: Box, margin: number): boolean {
  const mx = box.width * margin;
  const my = box.height * margin;
  return p.x >= box.x - mx && p.x <= box.x + box.width + mx && p.y >= box.y - my && p.y <= box.y + box.height + my;
}

/**
 * Returns true when the frame carries no colour (IR night mode or a greyscale
 * stream). It samples about 2 000 pixels on a grid. The frame is greyscale
 * when fewer than 1 % of them differ from the frame's mean tint by more than
 * 12 levels of |R - G| + |B - G|, so a uniform colour cast still counts as grey.
 */
export function isGreyscaleFrame(image: RgbImage): boolean {
  const step = Math.max(1, Math.floor(Math.sqrt((image.width * image.height) / 2000)));
  const redChroma: number[] = [];
  const blueChroma: number[] = [];
  for (let y = Math.floor(step / 2); y < image.height; y += step) {
    for (let x = Math.floor(step / 2); x < image.width; x += step) {
      const i = (y * image.width + x) * 3;
      redChroma.push(image.data[i] - image.data[i + 1]);
      blueChroma.push(image.data[i + 2] - image.data[i + 1]);
    }
  }
  const meanRed = average(redChroma);
  const meanBlue = average(blueChroma);
  let coloured = 0;
  for (let k = 0; k < redChroma.length; k++) {
    if (Math.abs(redChroma[k] - meanRed) + Math.abs(blueChroma[k] - meanBlue) > 12) coloured++;
  }
  return coloured < 0.01 * redChroma.length;
}

function average(values: number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length > 0 ? sum / values.length : 0;
}
