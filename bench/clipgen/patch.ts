/**
 * Face sprites: the face region of a source image, resized in memory and given
 * a soft elliptical alpha mask so it blends into the background. Sprites
 * stay in memory, so only the encoded clip reaches the disk.
 */
import sharp from 'sharp';
import type { FaceBox, FaceFraming } from './types';

/**
 * Assumed face boxes, chosen by eye because no face detector runs here.
 * - chip: UTKFace aligned 200x200 chips, face (forehead to chin) about 85 % of the chip height, slightly below centre.
 * - tightCrop: small square photos (both sides <= 256 px) that are tight face crops; the face fills about 95 % of the height.
 * - portrait: larger head-and-shoulders photos without a measured box. The face is assumed centred
 *   horizontally, with its centre at 35 % of the height and a height of 47 % of the image height.
 *   These are the medians of the boxes in photo-boxes.ts.
 */
export const FRAMING: Readonly<Record<'chip' | 'tightCrop' | 'portrait', FaceBox>> = {
  chip: { centerX: 0.5, centerY: 0.52, height: 0.85 },
  tightCrop: { centerX: 0.5, centerY: 0.5, height: 0.95 },
  portrait: { centerX: 0.5, centerY: 0.35, height: 0.47 },
};
// NOTE: in head-and-shoulders photos the real face height ranges from about 15 % to 80 % of the image
// height, so for 'photo' framing of an unmeasured large photo the face may be cut or faceHeightPx off by 2x.

const TIGHT_CROP_MAX_SIDE = 256;
/** Mask half-axes as multiples of the face height: a little forehead, chin and cheek margin. */
const MASK_HALF_HEIGHT = 0.62;
const MASK_HALF_WIDTH = 0.48;
/** Normalised elliptical radius where the mask starts to fade out. */
const MASK_SOLID_RADIUS = 0.75;
/** Fade width at the sprite border, as a fraction of the sprite height (soft edge where the image ends). */
const BORDER_FADE = 0.08;

export interface Sprite {
  width: number;
  height: number;
  /** Face centre inside the sprite, in pixels. */
  faceX: number;
  faceY: number;
  rgb: Buffer;
  alpha: Float32Array;
}

interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
}

export function resolveFaceBox(framing: FaceFraming, width: number, height: number): FaceBox {
  if (framing === 'chip') return FRAMING.chip;
  if (framing === 'photo') {
    const tight = Math.max(width, height) <= TIGHT_CROP_MAX_SIDE;
    return tight ? FRAMING.tightCrop : FRAMING.portrait;
  }
  return framing;
}

/** Decodes an image to 3-channel sRGB, applying its EXIF orientation. */
async function decodeImage(imagePath: string): Promise<DecodedImage> {
  try {
    const { data, info } = await sharp(imagePath).rotate().removeAlpha().toColourspace('srgb').raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { data, width: info.width, height: info.height };
  } catch (error) {
    throw new Error(`failed to read face image ${imagePath}: ${(error as Error).message}`);
  }
}

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
  faceX: number;
  faceY: number;
  faceHeight: number;
}

/** Returns the source region the mask covers, clipped to the image, with the face centre inside it. */
function maskRegion(box: FaceBox, image: DecodedImage): Region {
  const faceHeight = box.height * image.height;
  const centerX = box.centerX * image.width;
  const centerY = box.centerY * image.height;
  const left = Math.max(0, Math.floor(centerX - MASK_HALF_WIDTH * faceHeight));
  const top = Math.max(0, Math.floor(centerY - MASK_HALF_HEIGHT * faceHeight));
  const right = Math.min(image.width, Math.ceil(centerX + MASK_HALF_WIDTH * faceHeight));
  const bottom = Math.min(image.height, Math.ceil(centerY + MASK_HALF_HEIGHT * faceHeight));
  if (right - left < 2 || bottom - top < 2) {
    throw new Error(`face box ${JSON.stringify(box)} lies outside the ${image.width}x${image.height} image`);
  }
  return { left, top, width: right - left, height: bottom - top, faceX: centerX - left, faceY: centerY - top, faceHeight };
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

function buildMask(width: number, height: number, faceX: number, faceY: number, faceHeight: number): Float32Array {
  const alpha = new Float32Array(width * height);
  const radiusX = MASK_HALF_WIDTH * faceHeight;
  const radiusY = MASK_HALF_HEIGHT * faceHeight;
  const fade = Math.max(1, BORDER_FADE * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x + 0.5 - faceX) / radiusX;
      const dy = (y + 0.5 - faceY) / radiusY;
      const ellipse = 1 - smoothstep(MASK_SOLID_RADIUS, 1, Math.sqrt(dx * dx + dy * dy));
      const border = Math.min(1, (Math.min(x, y, width - 1 - x, height - 1 - y) + 1) / fade);
      alpha[y * width + x] = ellipse * border;
    }
  }
  return alpha;
}

async function resizeRegion(image: DecodedImage, region: Region, factor: number): Promise<Sprite> {
  const width = Math.max(2, Math.round(region.width * factor));
  const height = Math.max(2, Math.round(region.height * factor));
  const rgb = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left: region.left, top: region.top, width: region.width, height: region.height })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const faceX = region.faceX * (width / region.width);
  const faceY = region.faceY * (height / region.height);
  const alpha = buildMask(width, height, faceX, faceY, region.faceHeight * (height / region.height));
  return { width, height, faceX, faceY, rgb, alpha };
}

/**
 * Builds one sprite per face height in facePx (pixels), all from the same
 * source region, so the renderer can pick the nearest size per frame.
 */
export async function buildSprites(imagePath: string, framing: FaceFraming, facePx: readonly number[]): Promise<Sprite[]> {
  const image = await decodeImage(imagePath);
  const region = maskRegion(resolveFaceBox(framing, image.width, image.height), image);
  const sprites: Sprite[] = [];
  for (const px of facePx) sprites.push(await resizeRegion(image, region, px / region.faceHeight));
  return sprites;
}
