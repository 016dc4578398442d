import type { Box, Point, RgbImage } from '../core/types';

/** A 2x3 affine matrix [a, b, tx, c, d, ty] mapping (x, y) to (a x + b y + tx, c x + d y + ty). */
export type Affine = [number, number, number, number, number, number];

/** Reference landmarks of the 112x112 ArcFace crop (eyes, nose tip, mouth corners). */
export const ARCFACE_112: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/**
 * Fits the least-squares similarity transform (rotation, uniform scale,
 * translation) that maps `src` onto `dst` (Umeyama's method, without reflection).
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i].x; sy += src[i].y; dx += dst[i].x; dy += dst[i].y;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  // For 2D similarity the optimum is closed form: a = sum(u.v)/|u|^2, b = sum(u x v)/|u|^2.
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const ux = src[i].x - sx, uy = src[i].y - sy;
    const vx = dst[i].x - dx, vy = dst[i].y - dy;
    dot += ux * vx + uy * vy;
    cross += ux * vy - uy * vx;
    norm += ux * ux + uy * uy;
  }
  if (norm === 0) throw new Error('similarityTransform: source points are all identical');
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

/** Inverts an affine matrix; throws when it is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw new Error('invertAffine: matrix is singular');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/**
 * Warps `image` by `forward` (source to output coordinates) into a new
 * outWidth x outHeight image with bilinear sampling; pixels that fall
 * outside the source are black.
 */
export function warpAffine(image: RgbImage, forward: Affine, outWidth: number, outHeight: number): RgbImage {
  const [a, b, tx, c, d, ty] = invertAffine(forward);
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const srcX = a * x + b * y + tx;
      const srcY = c * x + d * y + ty;
      sampleBilinear(image, srcX, srcY, out, (y * outWidth + x) * 3);
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Writes the bilinear sample of `image` at (x, y) into out[offset..offset+2]; zero outside. */
function sampleBilinear(image: RgbImage, x: number, y: number, out: Uint8Array, offset: number): void {
  const { width, height, data } = image;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const fx = x - x0, fy = y - y0;
  for (let ch = 0; ch < 3; ch++) {
    const p00 = pixel(data, width, height, x0, y0, ch);
    const p10 = pixel(data, width, height, x0 + 1, y0, ch);
    const p01 = pixel(data, width, height, x0, y0 + 1, ch);
    const p11 = pixel(data, width, height, x0 + 1, y0 + 1, ch);
    const top = p00 + (p10 - p00) * fx;
    const bottom = p01 + (p11 - p01) * fx;
    out[offset + ch] = Math.round(top + (bottom - top) * fy);
  }
}

function pixel(data: Uint8Array, width: number, height: number, x: number, y: number, ch: number): number {
  if (x < 0 || y < 0 || x >= width || y >= height) return 0;
  return data[(y * width + x) * 3 + ch];
}

/**
 * Crops a square of side `scale` x max(box width, box height), centred on the
 * box, resized to size x size (bilinear). Parts beyond the frame are black, so
 * the crop is never empty even for a box partly outside the frame.
 */
export function cropSquare(image: RgbImage, box: Box, scale: number, size: number): RgbImage {
  const side = Math.max(box.width, box.height) * scale;
  if (!(side > 0)) throw new Error(`cropSquare: box has no area (${box.width}x${box.height})`);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const k = size / side;
  // Map source (x, y) to output: (x - (cx - side/2)) * k.
  const forward: Affine = [k, 0, -(cx - side / 2) * k, 0, k, -(cy - side / 2) * k];
  return warpAffine(image, forward, size, size);
}

/** Aligns a face to the 112x112 ArcFace template from its five landmarks. */
export function alignFace112(image: RgbImage, landmarks: readonly Point[]): RgbImage {
  return warpAffine(image, similarityTransform(landmarks, ARCFACE_112), 112, 112);
}
