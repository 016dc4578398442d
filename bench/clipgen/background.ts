/**
 * A generated "shop floor" background: wall and floor gradients, shelves with
 * coloured product boxes, a glass door and fixed noise. Draws no faces.
 */
import { SeededRandom } from './random';

type Rgb = readonly [number, number, number];

export class RgbImage {
  readonly data: Buffer;

  constructor(readonly width: number, readonly height: number) {
    this.data = Buffer.alloc(width * height * 3);
  }

  fillRect(left: number, top: number, width: number, height: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(left));
    const y0 = Math.max(0, Math.round(top));
    const x1 = Math.min(this.width, Math.round(left + width));
    const y1 = Math.min(this.height, Math.round(top + height));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) this.data.set(color, (y * this.width + x) * 3);
    }
  }
}

const FLOOR_START = 0.58;

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const channel = (i: 0 | 1 | 2): number => Math.round(a[i] + (b[i] - a[i]) * t);
  return [channel(0), channel(1), channel(2)];
}

function drawWallAndFloor(image: RgbImage): void {
  const floorTop = Math.round(image.height * FLOOR_START);
  for (let y = 0; y < image.height; y++) {
    const color = y < floorTop
      ? mix([206, 200, 188], [176, 170, 158], y / floorTop)
      : mix([128, 116, 104], [92, 84, 76], (y - floorTop) / (image.height - floorTop));
    image.fillRect(0, y, image.width, 1, color);
  }
  const tile = Math.max(8, Math.round(image.width / 16));
  for (let x = 0; x < image.width; x += tile) image.fillRect(x, floorTop, 1, image.height - floorTop, [80, 72, 66]);
  for (let y = floorTop; y < image.height; y += Math.round(tile / 2)) image.fillRect(0, y, image.width, 1, [84, 76, 70]);
}

function drawShelf(image: RgbImage, random: SeededRandom, left: number, width: number): void {
  const top = image.height * random.range(0.08, 0.16);
  const bottom = image.height * FLOOR_START;
  image.fillRect(left, top, width, bottom - top, [96, 70, 48]);
  const boards = random.int(3, 4);
  const step = (bottom - top) / boards;
  for (let b = 0; b < boards; b++) {
    const boardY = top + (b + 1) * step - 4;
    image.fillRect(left, boardY, width, 4, [70, 50, 34]);
    drawProducts(image, random, left + 3, boardY, width - 6, step * 0.7);
  }
}

function drawProducts(image: RgbImage, random: SeededRandom, left: number, baseY: number, width: number, maxHeight: number): void {
  let x = left;
  while (x < left + width - 4) {
    const boxWidth = Math.min(random.range(6, 18) * (image.width / 640), left + width - x);
    const boxHeight = random.range(0.4, 1) * maxHeight;
    const color: Rgb = [random.int(40, 230), random.int(40, 230), random.int(40, 230)];
    image.fillRect(x, baseY - boxHeight, boxWidth - 1, boxHeight, color);
    x += boxWidth + 1;
  }
}

function drawDoor(image: RgbImage, random: SeededRandom): void {
  const width = image.width * 0.12;
  const left = random.next() < 0.5 ? image.width * 0.02 : image.width * 0.86;
  const top = image.height * 0.05;
  const height = image.height * FLOOR_START - top;
  image.fillRect(left - 4, top - 4, width + 8, height + 4, [60, 62, 66]);
  image.fillRect(left, top, width, height, [170, 196, 210]);
  image.fillRect(left + width / 2 - 1, top, 2, height, [60, 62, 66]);
}

function addStaticNoise(image: RgbImage, random: SeededRandom, amplitude: number): void {
  const data = image.data;
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.min(255, Math.max(0, data[i] + Math.round((random.next() - 0.5) * 2 * amplitude)));
  }
}

/** Draws a deterministic shop-floor background of the given size. */
export function drawShopBackground(width: number, height: number, seed: number): RgbImage {
  const random = new SeededRandom(seed);
  const image = new RgbImage(width, height);
  drawWallAndFloor(image);
  const shelfCount = random.int(3, 4);
  const slot = width / shelfCount;
  for (let s = 0; s < shelfCount; s++) drawShelf(image, random, s * slot + slot * 0.1, slot * random.range(0.6, 0.8));
  drawDoor(image, random);
  addStaticNoise(image, random, 5);
  return image;
}
