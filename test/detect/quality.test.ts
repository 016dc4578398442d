import type { Landmarks, RgbImage } from '../../plugin/core/types';
import {
  assessFace,
  clampBox,
  DEFAULT_MIN_SHARPNESS,
  estimateYawDeg,
  isGreyscaleFrame,
  landmarksPlausible,
} from '../../plugin/detect/quality';
import { detectFaces, type Detection } from '../../plugin/detect/yunet';
import type { OrtRunner } from '../../plugin/inference/session';
import { loadRgb } from '../../bench/measure-detect-embed';
import { cropImage, multifacePhoto, openRunner, placeOnCanvas, transform } from './fixtures';

let runner: OrtRunner;
/** bbt1.jpg: four frontal faces of about 120-140 px in a 1366x768 colour frame. */
let frame: RgbImage;
let faces: Detection[];
let face: Detection;

beforeAll(async () => {
  runner = await openRunner();
  frame = await loadRgb(multifacePhoto('bbt1.jpg'));
  faces = await detectFaces(runner, frame);
  face = faces[0];
}, 30_000);

afterAll(async () => {
  await runner.close();
});

function moveLandmarks(landmarks: Landmarks, edit: (index: number) => { dx: number; dy: number }): Landmarks {
  return landmarks.map((p, i) => ({ x: p.x + edit(i).dx, y: p.y + edit(i).dy })) as Landmarks;
}

/** Returns the BT.601 luma of `image` in all three channels, plus a constant red and blue tint. */
function toGreyscale(image: RgbImage, redTint: number, blueTint: number): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 3) {
    const luma = Math.round(0.299 * image.data[i] + 0.587 * image.data[i + 1] + 0.114 * image.data[i + 2]);
    data[i] = Math.min(255, luma + redTint);
    data[i + 1] = luma;
    data[i + 2] = Math.min(255, luma + blueTint);
  }
  return { width: image.width, height: image.height, data };
}

describe('assessFace on real faces', () => {
  test('frontal sharp faces pass every check', () => {
    expect(faces.length).toBe(4);
    for (const detection of faces) {
      const { quality } = assessFace(frame, detection, {}, false);
      expect(quality.issues).toEqual([]);
      expect(quality.identityOk).toBe(true);
      expect(quality.demographicsOk).toBe(true);
      expect(quality.yaw).toBeLessThan(20);
      expect(quality.sharpness).toBeGreaterThan(DEFAULT_MIN_SHARPNESS);
      expect(quality.score).toBeGreaterThan(0.5);
      expect(quality.score).toBeLessThanOrEqual(1);
    }
  });

  test('face shrunk to about 27 px is too small', async () => {
    const factor = 27 / face.box.height;
    const small = await transform(frame, (s) =>
      s.resize(Math.round(frame.width * factor), Math.round(frame.height * factor), { fit: 'fill' }),
    );
    const canvas = placeOnCanvas(small, 640, 360, 100, 100);
    const detections = await detectFaces(runner, canvas);
    const tiny = detections.filter((d) => d.box.height >= 20 && d.box.height <= 34);
    expect(tiny.length).toBeGreaterThanOrEqual(1);
    for (const detection of tiny) {
      const { quality } = assessFace(canvas, detection, {}, false);
      expect(quality.issues).toContain('too-small');
      expect(quality.identityOk).toBe(false);
      expect(quality.demographicsOk).toBe(false);
      expect(quality.score).toBeLessThan(assessFace(frame, face, {}, false).quality.score);
    }
  }, 30_000);

  test('face cut by the frame edge is clamped and partial', () => {
    // Cut the frame through the face: its left 30 % lies outside the new frame.
    const left = Math.round(face.box.x + 0.3 * face.box.width);
    const cut = cropImage(frame, left, 0, frame.width - left, frame.height);
    const shifted: Detection = {
      ...face,
      box: { ...face.box, x: face.box.x - left },
      landmarks: moveLandmarks(face.landmarks, () => ({ dx: -left, dy: 0 })),
    };
    const { box, quality } = assessFace(cut, shifted, {}, false);
    expect(box.x).toBe(0);
    expect(box.width).toBeGreaterThan(0);
    expect(box.width).toBeLessThan(face.box.width);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.height).toBeGreaterThan(0);
    expect(quality.partial).toBe(true);
    expect(quality.issues).toContain('partial');
    expect(quality.identityOk).toBe(false);
  });

  test('heavy blur is rejected', async () => {
    const blurred = await transform(frame, (s) => s.blur(0.06 * face.box.height));
    for (const detection of faces) {
      const { quality } = assessFace(blurred, detection, {}, false);
      expect(quality.issues).toContain('blurred');
      expect(quality.identityOk).toBe(false);
      expect(quality.demographicsOk).toBe(false);
      expect(quality.score).toBeLessThan(assessFace(frame, detection, {}, false).quality.score);
    }
  }, 30_000);

  test('greyscale copy has no demographics', () => {
    const grey = toGreyscale(frame, 0, 0);
    expect(isGreyscaleFrame(frame)).toBe(false);
    expect(isGreyscaleFrame(grey)).toBe(true);
    const { quality } = assessFace(grey, face, {}, isGreyscaleFrame(grey));
    expect(quality.issues).toContain('greyscale');
    expect(quality.demographicsOk).toBe(false);
    expect(quality.identityOk).toBe(true);
  });

  test('colour-cast greyscale still counts as greyscale', () => {
    expect(isGreyscaleFrame(toGreyscale(frame, 12, 20))).toBe(true);
  });

  test('turned face has no demographics', () => {
    const eyeDistance = face.landmarks[1].x - face.landmarks[0].x;
    // Nose tip moved onto the line through the left eye, as for a head turned about 45-60 degrees.
    const turned: Detection = {
      ...face,
      landmarks: moveLandmarks(face.landmarks, (i) => ({ dx: i === 2 ? 0.55 * eyeDistance : 0, dy: 0 })),
    };
    const { quality } = assessFace(frame, turned, {}, false);
    expect(quality.yaw).toBeGreaterThan(45);
    expect(quality.issues).toContain('turned');
    expect(quality.demographicsOk).toBe(false);
    expect(quality.identityOk).toBe(false);
  });

  test('mirrored face keeps a small yaw', async () => {
    const mirrored = await transform(frame, (s) => s.flop());
    const detections = await detectFaces(runner, mirrored);
    expect(detections.length).toBe(4);
    for (const detection of detections) expect(estimateYawDeg(detection.landmarks)).toBeLessThan(20);
  }, 30_000);

  test('landmarks in impossible order are bad-landmarks', () => {
    const [rightEye, leftEye, nose, mouthRight, mouthLeft] = face.landmarks;
    const mouthAboveEyes: Detection = { ...face, landmarks: [mouthRight, mouthLeft, nose, rightEye, leftEye] };
    const eyesSwapped: Detection = { ...face, landmarks: [leftEye, rightEye, nose, mouthLeft, mouthRight] };
    for (const detection of [mouthAboveEyes, eyesSwapped]) {
      const { quality } = assessFace(frame, detection, {}, false);
      expect(quality.issues).toContain('bad-landmarks');
      expect(quality.identityOk).toBe(false);
      expect(quality.demographicsOk).toBe(false);
    }
  });

  test('landmarks outside the box are bad-landmarks', () => {
    const away: Detection = { ...face, landmarks: moveLandmarks(face.landmarks, () => ({ dx: face.box.width, dy: 0 })) };
    expect(landmarksPlausible(away.landmarks, away.box)).toBe(false);
    expect(assessFace(frame, away, {}, false).quality.issues).toContain('bad-landmarks');
  });

  test('collapsed eye distance is bad-landmarks', () => {
    const [rightEye] = face.landmarks;
    const collapsed: Landmarks = [rightEye, { x: rightEye.x + 2, y: rightEye.y }, ...face.landmarks.slice(2)] as Landmarks;
    expect(landmarksPlausible(collapsed, face.box)).toBe(false);
  });

  test('flat blob is blurred with zero sharpness', () => {
    const blob = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3).fill(140) };
    const detection: Detection = { box: { x: 50, y: 50, width: 100, height: 100 }, landmarks: face.landmarks, score: 0.7 };
    const { quality } = assessFace(blob, detection, {}, false);
    expect(quality.sharpness).toBe(0);
    expect(quality.issues).toContain('blurred');
    expect(quality.issues).toContain('bad-landmarks');
  });

  test('options override the defaults', () => {
    const { quality } = assessFace(frame, face, { minFaceSize: face.box.height + 1 }, false);
    expect(quality.issues).toEqual(['too-small']);
    expect(quality.identityOk).toBe(false);
  });
});

describe('clampBox', () => {
  test('box entirely outside stays inside and non-empty', () => {
    for (const box of [
      { x: -50, y: -40, width: 20, height: 20 },
      { x: 700, y: 400, width: 30, height: 30 },
      { x: 10, y: 10, width: 0, height: 0 },
    ]) {
      const clamped = clampBox(box, 640, 360);
      expect(clamped.x).toBeGreaterThanOrEqual(0);
      expect(clamped.y).toBeGreaterThanOrEqual(0);
      expect(clamped.width).toBeGreaterThanOrEqual(1);
      expect(clamped.height).toBeGreaterThanOrEqual(1);
      expect(clamped.x + clamped.width).toBeLessThanOrEqual(640);
      expect(clamped.y + clamped.height).toBeLessThanOrEqual(360);
    }
  });
});
