import type { Box, Landmarks } from '../../plugin/core/types';
import { iou, nonMaxSuppression } from '../../plugin/detect/nms';
import { detectFaces, letterboxBgr } from '../../plugin/detect/yunet';
import type { OrtRunner } from '../../plugin/inference/session';
import { loadRgb, matchBoxes, readPseudoGt } from '../../bench/measure-detect-embed';
import { DATASETS_DIR, openRunner } from './fixtures';

const PHOTOS = ['ultraface_10.jpg', 'ultraface_11.jpg', 'bbt4.jpg'];

let runner: OrtRunner;

beforeAll(async () => {
  runner = await openRunner();
}, 30_000);

afterAll(async () => {
  await runner.close();
});

function inside(landmarks: Landmarks, box: Box): boolean {
  return landmarks.every((p) => p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height);
}

describe('detectFaces on group photos', () => {
  const photos = readPseudoGt(DATASETS_DIR).filter((image) => PHOTOS.some((name) => image.file.endsWith(`/${name}`)));

  test('three photos are in the pseudo ground truth', () => {
    expect(photos).toHaveLength(PHOTOS.length);
  });

  test('finds pseudo-GT faces of at least 40 px', async () => {
    let total = 0;
    let found = 0;
    for (const photo of photos) {
      const large = photo.boxes.filter((b) => b.height >= 40);
      const detections = await detectFaces(runner, await loadRgb(photo.file));
      const { gtMatched } = matchBoxes(large, detections.map((d) => d.box));
      total += large.length;
      found += gtMatched.filter(Boolean).length;
    }
    expect(total).toBeGreaterThanOrEqual(40);
    expect(found / total).toBeGreaterThanOrEqual(0.95);
  }, 40_000);

  test('landmarks of matched faces lie inside their boxes', async () => {
    const photo = photos[0];
    const detections = await detectFaces(runner, await loadRgb(photo.file));
    const { foundMatched } = matchBoxes(photo.boxes, detections.map((d) => d.box));
    const matched = detections.filter((_, i) => foundMatched[i]);
    expect(matched.length).toBeGreaterThan(10);
    for (const detection of matched) {
      expect(inside(detection.landmarks, detection.box)).toBe(true);
      expect(detection.score).toBeGreaterThanOrEqual(0.6);
      expect(detection.score).toBeLessThanOrEqual(1);
    }
  }, 30_000);

  test('eyes come before the mouth and left to right', async () => {
    const photo = photos[2];
    const detections = await detectFaces(runner, await loadRgb(photo.file));
    expect(detections.length).toBeGreaterThan(0);
    for (const { landmarks } of detections) {
      const [rightEye, leftEye, nose, mouthRight, mouthLeft] = landmarks;
      expect(rightEye.x).toBeLessThan(leftEye.x);
      expect(mouthRight.x).toBeLessThan(mouthLeft.x);
      expect(nose.y).toBeGreaterThan(Math.min(rightEye.y, leftEye.y));
      expect(Math.min(mouthRight.y, mouthLeft.y)).toBeGreaterThan(Math.min(rightEye.y, leftEye.y));
    }
  }, 30_000);
});

describe('letterboxBgr', () => {
  test('pads the height to a multiple of 32', () => {
    const image = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 3) };
    const { tensor, scale } = letterboxBgr(image, 640);
    expect(tensor.dims).toEqual([1, 3, 384, 640]);
    expect(scale).toBe(1);
  });

  test('writes B, G and R planes and black padding', () => {
    const image = { width: 64, height: 40, data: new Uint8Array(64 * 40 * 3) };
    for (let i = 0; i < 64 * 40; i++) image.data.set([200, 100, 50], i * 3);
    const { tensor } = letterboxBgr(image, 64);
    const plane = 64 * 64;
    expect(tensor.dims).toEqual([1, 3, 64, 64]);
    expect(tensor.data[0]).toBeCloseTo(50);
    expect(tensor.data[plane]).toBeCloseTo(100);
    expect(tensor.data[2 * plane]).toBeCloseTo(200);
    expect(tensor.data[63 * 64]).toBe(0);
  });

  test('downscales a large frame with its aspect ratio', () => {
    const image = { width: 2560, height: 1440, data: new Uint8Array(2560 * 1440 * 3).fill(90) };
    const { tensor, scale } = letterboxBgr(image, 640);
    expect(scale).toBeCloseTo(0.25);
    expect(tensor.dims).toEqual([1, 3, 384, 640]);
    expect(tensor.data[359 * 640 + 639]).toBeCloseTo(90);
  });
});

describe('detectFaces input checks', () => {
  test('rejects an inputWidth that is not a multiple of 32', async () => {
    const image = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) };
    await expect(detectFaces(runner, image, { inputWidth: 300 })).rejects.toThrow(/multiple of 32/);
  });

  test('rejects a buffer shorter than width x height x 3', async () => {
    const image = { width: 64, height: 64, data: new Uint8Array(64 * 64) };
    await expect(detectFaces(runner, image)).rejects.toThrow(/RGB24/);
  });

  test('finds nothing in a flat grey frame', async () => {
    const image = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 3).fill(128) };
    await expect(detectFaces(runner, image)).resolves.toEqual([]);
  });
});

describe('nonMaxSuppression', () => {
  test('drops the weaker of two overlapping boxes', () => {
    const strong = { box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.9 };
    const weak = { box: { x: 1, y: 1, width: 10, height: 10 }, score: 0.8 };
    const apart = { box: { x: 50, y: 50, width: 10, height: 10 }, score: 0.7 };
    expect(nonMaxSuppression([weak, apart, strong], 0.3)).toEqual([strong, apart]);
  });

  test('iou of a box with itself is 1 and of disjoint boxes 0', () => {
    const box = { x: 3, y: 4, width: 5, height: 6 };
    expect(iou(box, box)).toBe(1);
    expect(iou(box, { x: 100, y: 100, width: 5, height: 6 })).toBe(0);
  });
});
