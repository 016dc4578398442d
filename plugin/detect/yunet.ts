import type { Box, Landmarks, Point, RgbImage } from '../core/types';
import type { ModelRunner, Tensor } from '../inference/session';
import { nonMaxSuppression } from './nms';

/** One face found by the detector, in pixels of the input frame. */
export interface Detection {
  /** The detector's box, not clamped: it may reach past the frame edges. */
  box: Box;
  /** Right eye, left eye, nose tip, right and left mouth corner (image left to right). */
  landmarks: Landmarks;
  /** Detector confidence in [0, 1]. */
  score: number;
}

export interface DetectOptions {
  /** Width of the network input in pixels, a multiple of 32 (default 640). The height follows the frame's aspect ratio, so portrait frames cost more. */
  inputWidth?: number;
  /** Minimum detector confidence in [0, 1] (default 0.6). */
  scoreThreshold?: number;
  /** IoU above which the weaker of two overlapping boxes is dropped (default 0.3). */
  nmsThreshold?: number;
}

/** The YuNet output strides. Each stride S has the outputs cls_S, obj_S, bbox_S and kps_S. */
const STRIDES = [8, 16, 32] as const;
const ALIGNMENT = 32;

/** The network input: the letterboxed tensor and the factor from frame to input pixels. */
interface Letterbox {
  tensor: Tensor;
  scale: number;
}

/**
 * Detects faces and their five landmarks with YuNet (libfacedetection.train,
 * dynamic-shape ONNX export whose input H and W must be multiples of 32).
 * The frame is scaled to `inputWidth`, keeping its aspect ratio, and padded
 * with black at the bottom up to a multiple of 32 rows.
 */
export async function detectFaces(runner: ModelRunner, image: RgbImage, options: DetectOptions = {}): Promise<Detection[]> {
  const inputWidth = options.inputWidth ?? 640;
  const scoreThreshold = options.scoreThreshold ?? 0.6;
  const nmsThreshold = options.nmsThreshold ?? 0.3;
  validateInput(image, inputWidth);
  const letterbox = letterboxBgr(image, inputWidth);
  const outputs = await runner.run('detector', { input: letterbox.tensor });
  const inputHeight = letterbox.tensor.dims[2];
  const candidates: Detection[] = [];
  for (const stride of STRIDES) {
    decodeStride(outputs, stride, inputWidth / stride, inputHeight / stride, scoreThreshold, candidates);
  }
  const kept = nonMaxSuppression(candidates, nmsThreshold);
  return kept.map((d) => scaleDetection(d, 1 / letterbox.scale));
}

function validateInput(image: RgbImage, inputWidth: number): void {
  if (!Number.isInteger(inputWidth) || inputWidth <= 0 || inputWidth % ALIGNMENT !== 0) {
    throw new Error(`detectFaces: inputWidth must be a positive multiple of ${ALIGNMENT}, got ${inputWidth}`);
  }
  if (image.width <= 0 || image.height <= 0 || image.data.length < image.width * image.height * 3) {
    throw new Error(
      `detectFaces: image must be packed RGB24 with width x height x 3 bytes, got ${image.width}x${image.height} and ${image.data.length} bytes`,
    );
  }
}

/**
 * Builds the 1x3xHxW BGR tensor (values 0..255, no normalisation). The frame
 * is first halved by 2x2 averaging while it is more than twice the target
 * size, so that bilinear sampling does not alias on large downscales.
 */
export function letterboxBgr(image: RgbImage, inputWidth: number): Letterbox {
  const scale = inputWidth / image.width;
  const resizedHeight = Math.max(1, Math.round(image.height * scale));
  const inputHeight = Math.ceil(resizedHeight / ALIGNMENT) * ALIGNMENT;
  let source = image;
  while (source.width > 2 * inputWidth && source.height > 2 * resizedHeight) source = halveImage(source);
  const data = new Float32Array(3 * inputWidth * inputHeight);
  fillBgrPlanes(source, data, inputWidth, resizedHeight, inputHeight);
  return { tensor: { data, dims: [1, 3, inputHeight, inputWidth] }, scale };
}

/** Averages each 2x2 block into one pixel (odd last rows and columns are dropped). */
function halveImage(image: RgbImage): RgbImage {
  const width = image.width >> 1;
  const height = image.height >> 1;
  const src = image.data;
  const out = new Uint8Array(width * height * 3);
  const rowBytes = image.width * 3;
  for (let y = 0; y < height; y++) {
    const top = 2 * y * rowBytes;
    const bottom = top + rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const a = top + x * 6;
      const c = bottom + x * 6;
      out[o] = (src[a] + src[a + 3] + src[c] + src[c + 3] + 2) >> 2;
      out[o + 1] = (src[a + 1] + src[a + 4] + src[c + 1] + src[c + 4] + 2) >> 2;
      out[o + 2] = (src[a + 2] + src[a + 5] + src[c + 2] + src[c + 5] + 2) >> 2;
    }
  }
  return { width, height, data: out };
}

/**
 * Resizes `image` bilinearly to width x resizedHeight and writes it as the B,
 * G and R planes of a width x inputHeight tensor. Rows below resizedHeight stay 0.
 */
function fillBgrPlanes(image: RgbImage, out: Float32Array, width: number, resizedHeight: number, inputHeight: number): void {
  if (image.width === width && image.height === resizedHeight) {
    copyBgrPlanes(image, out, width * inputHeight);
    return;
  }
  const plane = width * inputHeight;
  const { offsets0, offsets1, weights } = bilinearColumns(image.width, width);
  const src = image.data;
  const rowBytes = image.width * 3;
  const fy = image.height / resizedHeight;
  for (let y = 0; y < resizedHeight; y++) {
    const sy = clampCoordinate((y + 0.5) * fy - 0.5, image.height);
    const top = Math.floor(sy) * rowBytes;
    const bottom = Math.min(Math.floor(sy) + 1, image.height - 1) * rowBytes;
    const wy = sy - Math.floor(sy);
    const rowOffset = y * width;
    for (let x = 0; x < width; x++) {
      const a = top + offsets0[x], b = top + offsets1[x], c = bottom + offsets0[x], d = bottom + offsets1[x];
      const wx = weights[x];
      const o = rowOffset + x;
      const r0 = src[a] + (src[b] - src[a]) * wx, r1 = src[c] + (src[d] - src[c]) * wx;
      const g0 = src[a + 1] + (src[b + 1] - src[a + 1]) * wx, g1 = src[c + 1] + (src[d + 1] - src[c + 1]) * wx;
      const b0 = src[a + 2] + (src[b + 2] - src[a + 2]) * wx, b1 = src[c + 2] + (src[d + 2] - src[c + 2]) * wx;
      out[o] = b0 + (b1 - b0) * wy;
      out[plane + o] = g0 + (g1 - g0) * wy;
      out[2 * plane + o] = r0 + (r1 - r0) * wy;
    }
  }
}

/** Copies an image that already has the input size into the B, G and R planes. */
function copyBgrPlanes(image: RgbImage, out: Float32Array, plane: number): void {
  const src = image.data;
  const pixels = image.width * image.height;
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    out[i] = src[j + 2];
    out[plane + i] = src[j + 1];
    out[2 * plane + i] = src[j];
  }
}

/** Source byte offsets of the two neighbouring columns and the weight of the right one, per output column. */
function bilinearColumns(sourceWidth: number, width: number): { offsets0: Int32Array; offsets1: Int32Array; weights: Float32Array } {
  const offsets0 = new Int32Array(width);
  const offsets1 = new Int32Array(width);
  const weights = new Float32Array(width);
  const fx = sourceWidth / width;
  for (let x = 0; x < width; x++) {
    const sx = clampCoordinate((x + 0.5) * fx - 0.5, sourceWidth);
    offsets0[x] = Math.floor(sx) * 3;
    offsets1[x] = Math.min(Math.floor(sx) + 1, sourceWidth - 1) * 3;
    weights[x] = sx - Math.floor(sx);
  }
  return { offsets0, offsets1, weights };
}

function clampCoordinate(value: number, size: number): number {
  return Math.min(Math.max(value, 0), size - 1);
}

/**
 * Decodes the anchors of one stride above the threshold into `into`, in
 * network-input pixels. Each grid cell has one anchor: score =
 * sqrt(cls x obj), centre = (col + dx, row + dy) x stride, size =
 * exp(dw, dh) x stride, landmark k = (col + kx, row + ky) x stride.
 */
function decodeStride(
  outputs: Record<string, Tensor>,
  stride: number,
  cols: number,
  rows: number,
  scoreThreshold: number,
  into: Detection[],
): void {
  const cls = requireOutput(outputs, `cls_${stride}`, rows * cols);
  const obj = requireOutput(outputs, `obj_${stride}`, rows * cols);
  const bbox = requireOutput(outputs, `bbox_${stride}`, rows * cols * 4);
  const kps = requireOutput(outputs, `kps_${stride}`, rows * cols * 10);
  for (let i = 0; i < rows * cols; i++) {
    const score = Math.sqrt(clamp01(cls[i]) * clamp01(obj[i]));
    if (score < scoreThreshold) continue;
    const row = Math.floor(i / cols);
    const col = i - row * cols;
    const cx = (col + bbox[i * 4]) * stride;
    const cy = (row + bbox[i * 4 + 1]) * stride;
    const width = Math.exp(bbox[i * 4 + 2]) * stride;
    const height = Math.exp(bbox[i * 4 + 3]) * stride;
    const box = { x: cx - width / 2, y: cy - height / 2, width, height };
    into.push({ box, landmarks: decodeLandmarks(kps, i * 10, col, row, stride), score });
  }
}

function decodeLandmarks(kps: Float32Array, offset: number, col: number, row: number, stride: number): Landmarks {
  const points: Point[] = [];
  for (let k = 0; k < 5; k++) {
    points.push({ x: (kps[offset + 2 * k] + col) * stride, y: (kps[offset + 2 * k + 1] + row) * stride });
  }
  return points as Landmarks;
}

function requireOutput(outputs: Record<string, Tensor>, name: string, length: number): Float32Array {
  const tensor = outputs[name];
  if (!tensor) throw new Error(`detectFaces: detector output "${name}" is missing. Load a YuNet export as the 'detector' model.`);
  if (tensor.data.length < length) {
    throw new Error(`detectFaces: detector output "${name}" has ${tensor.data.length} values, expected ${length}`);
  }
  return tensor.data;
}

function clamp01(value: number): number {
  return Math.min(Math.max(value, 0), 1);
}

function scaleDetection(detection: Detection, factor: number): Detection {
  const { box, landmarks, score } = detection;
  return {
    box: { x: box.x * factor, y: box.y * factor, width: box.width * factor, height: box.height * factor },
    landmarks: landmarks.map((p) => ({ x: p.x * factor, y: p.y * factor })) as Landmarks,
    score,
  };
}
