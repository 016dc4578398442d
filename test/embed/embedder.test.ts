import type { Landmarks, Point, RgbImage } from '../../plugin/core/types';
import { alignFace112, ARCFACE_112, type Affine } from '../../plugin/detect/crop';
import { EMBED_DIM, embedAligned, embedFace } from '../../plugin/embed/embedder';
import { cosine, l2Normalize } from '../../plugin/embed/similarity';
import type { OrtRunner } from '../../plugin/inference/session';
import { detectLargestFace, loadRgb } from '../../bench/measure-detect-embed';
import { identityPhoto, openRunner } from '../detect/fixtures';

/** Two photos each of three people (identity-verification labels). */
const PEOPLE: Record<string, string[]> = {
  deepface_p01: ['deepface_img1.jpg', 'deepface_img2.jpg'],
  deepface_p03: ['deepface_img8.jpg', 'deepface_img9.jpg'],
  bbt_penny: ['bbt_penny1.png', 'bbt_penny2.png'],
};

let runner: OrtRunner;

beforeAll(async () => {
  runner = await openRunner();
}, 30_000);

afterAll(async () => {
  await runner.close();
});

async function templateOf(file: string): Promise<Float32Array> {
  const face = await detectLargestFace(runner, await loadRgb(identityPhoto(file)));
  if (!face) throw new Error(`no face found in ${file}`);
  return embedFace(runner, face.image, face.detection.landmarks);
}

describe('embedFace on real photos', () => {
  const templates = new Map<string, Float32Array>();

  beforeAll(async () => {
    for (const files of Object.values(PEOPLE)) {
      for (const file of files) templates.set(file, await templateOf(file));
    }
  }, 40_000);

  test('templates are 512-d with unit norm', () => {
    expect(templates.size).toBe(6);
    for (const template of templates.values()) {
      expect(template).toHaveLength(EMBED_DIM);
      expect(Math.sqrt(cosine(template, template))).toBeCloseTo(1, 5);
    }
  });

  test('same person scores above different people', () => {
    const genuine: number[] = [];
    const impostor: number[] = [];
    const entries = Object.entries(PEOPLE).flatMap(([person, files]) => files.map((file) => ({ person, file })));
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const score = cosine(templates.get(entries[i].file)!, templates.get(entries[j].file)!);
        (entries[i].person === entries[j].person ? genuine : impostor).push(score);
      }
    }
    expect(genuine).toHaveLength(3);
    expect(impostor).toHaveLength(12);
    expect(Math.min(...genuine)).toBeGreaterThan(Math.max(...impostor));
    expect(Math.min(...genuine)).toBeGreaterThan(0.4);
    expect(Math.max(...impostor)).toBeLessThan(0.4);
  });
});

describe('embedAligned', () => {
  test('rejects a crop that is not 112x112', async () => {
    const crop = { width: 100, height: 112, data: new Uint8Array(100 * 112 * 3) };
    await expect(embedAligned(runner, crop)).rejects.toThrow(/112x112/);
  });
});

/** Applies an affine matrix to a point. */
function apply(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

/** Draws a 5x5 white square centred on each point into a black image. */
function drawMarks(width: number, height: number, points: Point[]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (const p of points) {
    for (let y = Math.round(p.y) - 2; y <= Math.round(p.y) + 2; y++) {
      for (let x = Math.round(p.x) - 2; x <= Math.round(p.x) + 2; x++) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { width, height, data };
}

/** Returns the brightness-weighted centroid of the red channel within `radius` of `near`. */
function centroid(image: RgbImage, near: Point, radius: number): Point {
  let sum = 0, sx = 0, sy = 0;
  for (let y = Math.round(near.y) - radius; y <= Math.round(near.y) + radius; y++) {
    for (let x = Math.round(near.x) - radius; x <= Math.round(near.x) + radius; x++) {
      const value = image.data[(y * image.width + x) * 3];
      sum += value;
      sx += value * x;
      sy += value * y;
    }
  }
  return { x: sx / sum, y: sy / sum };
}

describe('alignFace112', () => {
  test('puts the landmarks on the template positions', () => {
    // A face 2.2 times the template size, rolled by 25 degrees and moved into a 400x400 frame.
    const angle = (25 * Math.PI) / 180;
    const scale = 2.2;
    const placement: Affine = [scale * Math.cos(angle), -scale * Math.sin(angle), 180, scale * Math.sin(angle), scale * Math.cos(angle), 60];
    // Pixel centres: a mark drawn at integer p is sampled back at p, so round the placed points first.
    const landmarks = ARCFACE_112.map((p) => apply(placement, p)).map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) })) as Landmarks;
    const aligned = alignFace112(drawMarks(400, 400, landmarks), landmarks);
    expect(aligned.width).toBe(112);
    expect(aligned.height).toBe(112);
    for (const target of ARCFACE_112) {
      const found = centroid(aligned, target, 3);
      expect(Math.abs(found.x - target.x)).toBeLessThan(0.8);
      expect(Math.abs(found.y - target.y)).toBeLessThan(0.8);
    }
  });
});

describe('similarity helpers', () => {
  test('cosine of a unit vector with itself is 1', () => {
    const v = l2Normalize(Float32Array.from([3, 4, 0]));
    expect(v[0]).toBeCloseTo(0.6);
    expect(cosine(v, v)).toBeCloseTo(1);
    expect(cosine(v, Float32Array.from([-0.6, -0.8, 0]))).toBeCloseTo(-1);
  });

  test('cosine rejects vectors of different length', () => {
    expect(() => cosine(new Float32Array(3), new Float32Array(4))).toThrow(/lengths differ/);
  });

  test('l2Normalize leaves a zero vector unchanged', () => {
    expect(Array.from(l2Normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});
