/**
 * A demo clip that needs no datasets: faces cut from the sample group photos
 * shipped in the @vladmandic/face-api npm package walk across a shop floor.
 */
import * as path from 'node:path';
import { SeededRandom } from './random';
import { renderClip } from './render';
import { schedulePeople, type CastMember } from './schedule';
import type { ClipPerson, ClipTruth, FaceBox } from './types';

const DEMO_SEED = 20240601;
const PACKAGE = '@vladmandic/face-api';

/**
 * Face boxes in the package's demo/sampleN.jpg photos, measured by eye on a
 * grid (fractions of width and height, forehead to chin). Faces turned far
 * away or looking down were left out, and so was sample2.jpg for that reason.
 */
const DEMO_FACES: readonly { file: string; box: FaceBox }[] = [
  { file: 'sample1.jpg', box: { centerX: 0.27, centerY: 0.365, height: 0.17 } },
  { file: 'sample1.jpg', box: { centerX: 0.805, centerY: 0.265, height: 0.14 } },
  { file: 'sample3.jpg', box: { centerX: 0.35, centerY: 0.345, height: 0.19 } },
  { file: 'sample3.jpg', box: { centerX: 0.625, centerY: 0.25, height: 0.19 } },
  { file: 'sample3.jpg', box: { centerX: 0.835, centerY: 0.3, height: 0.19 } },
  { file: 'sample4.jpg', box: { centerX: 0.18, centerY: 0.195, height: 0.17 } },
  { file: 'sample4.jpg', box: { centerX: 0.7, centerY: 0.17, height: 0.18 } },
  { file: 'sample5.jpg', box: { centerX: 0.24, centerY: 0.74, height: 0.2 } },
  { file: 'sample5.jpg', box: { centerX: 0.465, centerY: 0.155, height: 0.17 } },
  { file: 'sample5.jpg', box: { centerX: 0.62, centerY: 0.23, height: 0.14 } },
  { file: 'sample5.jpg', box: { centerX: 0.78, centerY: 0.38, height: 0.2 } },
  { file: 'sample6.jpg', box: { centerX: 0.19, centerY: 0.4, height: 0.16 } },
  { file: 'sample6.jpg', box: { centerX: 0.395, centerY: 0.305, height: 0.15 } },
  { file: 'sample6.jpg', box: { centerX: 0.655, centerY: 0.295, height: 0.15 } },
  { file: 'sample6.jpg', box: { centerX: 0.82, centerY: 0.28, height: 0.16 } },
];

function demoFolder(): string {
  return path.join(path.dirname(require.resolve(`${PACKAGE}/package.json`)), 'demo');
}

/**
 * Plans the demo: 15 faces of 56-128 px, 4.5-6 s each on screen, in about 35 s.
 * Reads nothing but the package's sample photos.
 */
export function planDemoPeople(): ClipPerson[] {
  const folder = demoFolder();
  const cast: CastMember[] = DEMO_FACES.map((face, index) => ({
    truthId: `demo-${String(index + 1).padStart(2, '0')}`,
    kind: 'oneoff',
    imagePath: path.join(folder, face.file),
    source: `${PACKAGE}/demo/${face.file}`,
    framing: face.box,
    identity: null,
    gender: null,
    age: null,
  }));
  return schedulePeople(cast, new SeededRandom(DEMO_SEED), { dwellS: [4.5, 6], gapS: [0.3, 1] });
}

/** Renders the demo clip (640x360, 10 fps, H.264) to out and its truth to `${out}.truth.json`. */
export async function makeDemoClip(out: string): Promise<ClipTruth> {
  return renderClip(planDemoPeople(), { out, seed: DEMO_SEED });
}
