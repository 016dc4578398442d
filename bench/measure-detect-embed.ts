/**
 * Measures face detection (recall and precision against the SCRFD-2.5G
 * pseudo ground truth of multiface-photos), face verification (TAR at fixed
 * FAR on identity-verification, also with faces rescaled to 64, 40 and 28 px),
 * the quality gate's pass rates on real and blurred faces, and the per-stage
 * latency of detect, quality, align and embed.
 *
 *   npx tsx bench/measure-detect-embed.ts --datasets ../shared/datasets [--detector FILE] [--embedder FILE] [--out FILE]
 *
 * Without --detector or --embedder the models come from models/loader.ts,
 * with <datasets>/../models-alt as the mirror unless SHOPFACE_MODEL_MIRROR is set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { Box, RgbImage } from '../plugin/core/types';
import { alignFace112 } from '../plugin/detect/crop';
import { iou } from '../plugin/detect/nms';
import { assessFace, isGreyscaleFrame } from '../plugin/detect/quality';
import { detectFaces, type Detection } from '../plugin/detect/yunet';
import { embedAligned, embedFace, type EmbedNormalisation } from '../plugin/embed/embedder';
import { cosine } from '../plugin/embed/similarity';
import { OrtRunner, type ModelRunner } from '../plugin/inference/session';
import { resolveModel } from '../models/loader';

/** IoU at which a detection counts as finding a pseudo ground-truth face. */
const MATCH_IOU = 0.4;
const HEIGHT_BUCKETS: { label: string; min: number; max: number }[] = [
  { label: '<20', min: 0, max: 20 },
  { label: '20-40', min: 20, max: 40 },
  { label: '40-80', min: 40, max: 80 },
  { label: '>=80', min: 80, max: Infinity },
];

/** Decodes an image file into packed RGB24 (greyscale and alpha images are converted). */
export async function loadRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`loadRgb: expected 3 channels from ${file}, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

// ---------------------------------------------------------------- detection

/** One photo of multiface-photos with its pseudo ground-truth boxes. */
export interface PseudoGtImage {
  file: string;
  boxes: Box[];
}

/** Reads multiface-photos/pseudo_gt_scrfd2.5g.json and returns absolute image paths with their boxes. */
export function readPseudoGt(datasetsDir: string): PseudoGtImage[] {
  const root = path.join(datasetsDir, 'multiface-photos');
  const json = JSON.parse(readFileSync(path.join(root, 'pseudo_gt_scrfd2.5g.json'), 'utf8')) as {
    images: { file: string; pseudo_gt_faces: { box_xyxy: [number, number, number, number] }[] }[];
  };
  return json.images.map((image) => ({
    file: path.join(root, image.file),
    boxes: image.pseudo_gt_faces.map(({ box_xyxy: [x1, y1, x2, y2] }) => ({ x: x1, y: y1, width: x2 - x1, height: y2 - y1 })),
  }));
}

/** Counts for one face-height bucket. Detections are bucketed by their own height. */
export interface BucketResult {
  label: string;
  gtFaces: number;
  found: number;
  recall: number;
  detections: number;
  truePositives: number;
  precision: number;
}

export interface DetectionResult {
  images: number;
  gtFaces: number;
  detections: number;
  recall: number;
  precision: number;
  /** Recall over pseudo ground-truth faces at least 40 px tall. */
  recallAtLeast40px: number;
  buckets: BucketResult[];
}

/**
 * Matches detections to ground-truth boxes one to one, best IoU first, and
 * returns the matched flags of both lists.
 */
export function matchBoxes(gt: Box[], found: Box[], minIou = MATCH_IOU): { gtMatched: boolean[]; foundMatched: boolean[] } {
  const pairs: { g: number; f: number; overlap: number }[] = [];
  gt.forEach((g, gi) =>
    found.forEach((f, fi) => {
      const overlap = iou(g, f);
      if (overlap >= minIou) pairs.push({ g: gi, f: fi, overlap });
    }),
  );
  pairs.sort((a, b) => b.overlap - a.overlap);
  const gtMatched = gt.map(() => false);
  const foundMatched = found.map(() => false);
  for (const { g, f } of pairs) {
    if (gtMatched[g] || foundMatched[f]) continue;
    gtMatched[g] = true;
    foundMatched[f] = true;
  }
  return { gtMatched, foundMatched };
}

function bucketIndex(height: number): number {
  return HEIGHT_BUCKETS.findIndex((b) => height >= b.min && height < b.max);
}

/** Runs the detector on every multiface photo and scores it against the pseudo ground truth. */
export async function measureDetection(runner: ModelRunner, datasetsDir: string, inputWidth = 640): Promise<DetectionResult> {
  const buckets: BucketResult[] = HEIGHT_BUCKETS.map((b) => ({
    label: b.label, gtFaces: 0, found: 0, recall: 0, detections: 0, truePositives: 0, precision: 0,
  }));
  const images = readPseudoGt(datasetsDir);
  for (const image of images) {
    const detections = await detectFaces(runner, await loadRgb(image.file), { inputWidth });
    const found = detections.map((d) => d.box);
    const { gtMatched, foundMatched } = matchBoxes(image.boxes, found);
    image.boxes.forEach((box, i) => {
      const bucket = buckets[bucketIndex(box.height)];
      bucket.gtFaces++;
      if (gtMatched[i]) bucket.found++;
    });
    found.forEach((box, i) => {
      const bucket = buckets[bucketIndex(box.height)];
      bucket.detections++;
      if (foundMatched[i]) bucket.truePositives++;
    });
  }
  return summariseDetection(images.length, buckets);
}

function summariseDetection(imageCount: number, buckets: BucketResult[]): DetectionResult {
  for (const b of buckets) {
    b.recall = ratio(b.found, b.gtFaces);
    b.precision = ratio(b.truePositives, b.detections);
  }
  const sum = (pick: (b: BucketResult) => number, list = buckets) => list.reduce((s, b) => s + pick(b), 0);
  const large = buckets.slice(2);
  return {
    images: imageCount,
    gtFaces: sum((b) => b.gtFaces),
    detections: sum((b) => b.detections),
    recall: ratio(sum((b) => b.found), sum((b) => b.gtFaces)),
    precision: ratio(sum((b) => b.truePositives), sum((b) => b.detections)),
    recallAtLeast40px: ratio(sum((b) => b.found, large), sum((b) => b.gtFaces, large)),
    buckets,
  };
}

function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : 0;
}

// ------------------------------------------------------------- verification

/** One labelled photo of identity-verification. */
export interface LabelledImage {
  file: string;
  identity: string;
}

/** Reads identity-verification/labels.csv (columns file, identity, ...) and returns absolute image paths with their identity. */
export function readIdentityLabels(datasetsDir: string): LabelledImage[] {
  const root = path.join(datasetsDir, 'identity-verification');
  const lines = readFileSync(path.join(root, 'labels.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const fileColumn = header.indexOf('file');
  const identityColumn = header.indexOf('identity');
  if (fileColumn < 0 || identityColumn < 0) throw new Error(`readIdentityLabels: labels.csv needs "file" and "identity" columns, got ${lines[0]}`);
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return { file: path.join(root, cells[fileColumn]), identity: cells[identityColumn] };
  });
}

/**
 * Returns the largest face in the image. Tight face crops (the face fills the
 * picture) are often missed, so when nothing is found the image is padded
 * with black by half its size on every side and searched again.
 */
export async function detectLargestFace(runner: ModelRunner, image: RgbImage): Promise<{ image: RgbImage; detection: Detection } | null> {
  for (const candidate of [image, padImage(image, 0.5)]) {
    const detections = await detectFaces(runner, candidate);
    if (detections.length === 0) continue;
    const largest = detections.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
    return { image: candidate, detection: largest };
  }
  return null;
}

/** Adds a black border of `fraction` x the image size on every side. */
export function padImage(image: RgbImage, fraction: number): RgbImage {
  const padX = Math.round(image.width * fraction);
  const padY = Math.round(image.height * fraction);
  const width = image.width + 2 * padX;
  const height = image.height + 2 * padY;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < image.height; y++) {
    const from = y * image.width * 3;
    data.set(image.data.subarray(from, from + image.width * 3), ((y + padY) * width + padX) * 3);
  }
  return { width, height, data };
}

/** Score statistics of one normalisation variant. */
export interface VerificationResult {
  normalisation: EmbedNormalisation;
  genuinePairs: number;
  impostorPairs: number;
  genuineMean: number;
  genuineSd: number;
  impostorMean: number;
  impostorSd: number;
  genuineMin: number;
  impostorMax: number;
  /** Separation (genuine mean - impostor mean) / sqrt((genuine sd^2 + impostor sd^2) / 2); higher is better. */
  dPrime: number;
  /** Threshold t with FAR = share of impostor scores > t at most 1 %, and the genuine share above t. */
  tarAtFar1: number;
  thresholdAtFar1: number;
  tarAtFar01: number;
  thresholdAtFar01: number;
  /** Mean + 4 sd of the impostor scores: a normal-tail estimate of a threshold with FAR about 3e-5. */
  impostorMeanPlus4Sd: number;
}

export interface VerificationReport {
  images: number;
  facesFound: number;
  /** Images whose face was found only after padding. */
  foundAfterPadding: number;
  variants: VerificationResult[];
}

/**
 * Detects the largest face of every identity-verification photo, embeds it
 * with each normalisation variant and scores all genuine and impostor pairs.
 */
export async function measureVerification(
  runner: ModelRunner,
  datasetsDir: string,
  normalisations: EmbedNormalisation[] = [{ mean: 127, scale: 128 }, { mean: 127.5, scale: 128 }],
): Promise<VerificationReport> {
  const labels = readIdentityLabels(datasetsDir);
  const faces: { identity: string; templates: Float32Array[] }[] = [];
  let foundAfterPadding = 0;
  for (const label of labels) {
    const image = await loadRgb(label.file);
    const face = await detectLargestFace(runner, image);
    if (!face) continue;
    if (face.image !== image) foundAfterPadding++;
    const templates: Float32Array[] = [];
    for (const normalisation of normalisations) templates.push(await embedFace(runner, face.image, face.detection.landmarks, normalisation));
    faces.push({ identity: label.identity, templates });
  }
  const variants = normalisations.map((normalisation, v) =>
    scorePairs(normalisation, faces.map((f) => ({ identity: f.identity, template: f.templates[v] }))),
  );
  return { images: labels.length, facesFound: faces.length, foundAfterPadding, variants };
}

/** Returns the cosine scores of all same-identity (genuine) and different-identity (impostor) pairs. */
function pairScores(faces: { identity: string; template: Float32Array }[]): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const score = cosine(faces[i].template, faces[j].template);
      if (faces[i].identity === faces[j].identity) genuine.push(score);
      else impostor.push(score);
    }
  }
  return { genuine, impostor };
}

function scorePairs(normalisation: EmbedNormalisation, faces: { identity: string; template: Float32Array }[]): VerificationResult {
  const { genuine, impostor } = pairScores(faces);
  const at1 = tarAtFar(genuine, impostor, 0.01);
  const at01 = tarAtFar(genuine, impostor, 0.001);
  const impostorStats = meanSd(impostor);
  const genuineStats = meanSd(genuine);
  return {
    normalisation,
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    genuineMean: genuineStats.mean,
    genuineSd: genuineStats.sd,
    impostorMean: impostorStats.mean,
    impostorSd: impostorStats.sd,
    genuineMin: Math.min(...genuine),
    impostorMax: Math.max(...impostor),
    dPrime: (genuineStats.mean - impostorStats.mean) / Math.sqrt((genuineStats.sd ** 2 + impostorStats.sd ** 2) / 2),
    tarAtFar1: at1.tar,
    thresholdAtFar1: at1.threshold,
    tarAtFar01: at01.tar,
    thresholdAtFar01: at01.threshold,
    impostorMeanPlus4Sd: impostorStats.mean + 4 * impostorStats.sd,
  };
}

/**
 * Picks the lowest threshold among the impostor scores whose FAR (share of
 * impostors strictly above it) is at most `far`, and returns the TAR there.
 */
export function tarAtFar(genuine: number[], impostor: number[], far: number): { tar: number; threshold: number } {
  const sorted = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(far * sorted.length);
  const threshold = sorted[Math.min(allowed, sorted.length - 1)];
  const accepted = genuine.filter((s) => s > threshold).length;
  return { tar: ratio(accepted, genuine.length), threshold };
}

function meanSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

// ---------------------------------------------------------- small faces

/** Verification with every face rescaled to one height inside a 640x360 frame. */
export interface SmallFaceResult {
  faceHeight: number;
  facesFound: number;
  genuineMean: number;
  impostorMean: number;
  impostorSd: number;
  tarAtFar1: number;
  /** The fixed threshold (from full-resolution faces) and the TAR and FAR it gives at this face height. */
  threshold: number;
  tarAtThreshold: number;
  farAtThreshold: number;
}

/**
 * Rescales each identity-verification photo so that its largest face is
 * `faceHeight` px tall, puts the face into a black 640x360 frame (cropping
 * around it when the rescaled photo is larger), then detects and embeds it
 * again. `threshold` is the match threshold to report TAR and FAR at.
 */
export async function measureSmallFaces(runner: ModelRunner, datasetsDir: string, faceHeight: number, threshold: number): Promise<SmallFaceResult> {
  const faces: { identity: string; template: Float32Array }[] = [];
  for (const label of readIdentityLabels(datasetsDir)) {
    const original = await detectLargestFace(runner, await loadRgb(label.file));
    if (!original) continue;
    const frame = await shrinkIntoFrame(original.image, original.detection.box, faceHeight / original.detection.box.height);
    const face = await detectLargestFace(runner, frame);
    if (!face) continue;
    faces.push({ identity: label.identity, template: await embedFace(runner, face.image, face.detection.landmarks) });
  }
  const { genuine, impostor } = pairScores(faces);
  const impostorStats = meanSd(impostor);
  return {
    faceHeight,
    facesFound: faces.length,
    genuineMean: meanSd(genuine).mean,
    impostorMean: impostorStats.mean,
    impostorSd: impostorStats.sd,
    tarAtFar1: tarAtFar(genuine, impostor, 0.01).tar,
    threshold,
    tarAtThreshold: ratio(genuine.filter((score) => score > threshold).length, genuine.length),
    farAtThreshold: ratio(impostor.filter((score) => score > threshold).length, impostor.length),
  };
}

async function shrinkIntoFrame(image: RgbImage, face: Box, factor: number): Promise<RgbImage> {
  const width = Math.max(1, Math.round(image.width * factor));
  const height = Math.max(1, Math.round(image.height * factor));
  const input = sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } });
  const { data } = await input.resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const cropWidth = Math.min(width, 640);
  const cropHeight = Math.min(height, 360);
  const centreX = (face.x + face.width / 2) * factor;
  const centreY = (face.y + face.height / 2) * factor;
  const left = Math.round(Math.min(Math.max(centreX - cropWidth / 2, 0), width - cropWidth));
  const top = Math.round(Math.min(Math.max(centreY - cropHeight / 2, 0), height - cropHeight));
  const frame = new Uint8Array(640 * 360 * 3);
  const offsetX = (640 - cropWidth) >> 1;
  const offsetY = (360 - cropHeight) >> 1;
  for (let row = 0; row < cropHeight; row++) {
    const from = ((top + row) * width + left) * 3;
    frame.set(data.subarray(from, from + cropWidth * 3), ((offsetY + row) * 640 + offsetX) * 3);
  }
  return { width: 640, height: 360, data: frame };
}

// --------------------------------------------------------- quality gate

export interface QualityGateResult {
  /** Faces of multiface-photos matched to the pseudo ground truth, at least 40 px tall. */
  facesAtLeast40px: number;
  identityOk: number;
  demographicsOk: number;
  /** How often each issue was raised on those faces. */
  issues: Record<string, number>;
  /** The same faces after a Gaussian blur of sigma 6 % of the photo's median face height: how many still pass for identity. */
  blurredIdentityOk: number;
  /** Largest face of each identity-verification photo. */
  identityPhotos: number;
  identityPhotosIdentityOk: number;
  identityPhotoIssues: Record<string, number>;
}

/** Runs the quality gate with default options on real faces and on blurred copies. */
export async function measureQualityGate(runner: ModelRunner, datasetsDir: string): Promise<QualityGateResult> {
  const result: QualityGateResult = {
    facesAtLeast40px: 0, identityOk: 0, demographicsOk: 0, issues: {}, blurredIdentityOk: 0,
    identityPhotos: 0, identityPhotosIdentityOk: 0, identityPhotoIssues: {},
  };
  for (const photo of readPseudoGt(datasetsDir)) {
    const image = await loadRgb(photo.file);
    const detections = await detectFaces(runner, image);
    const { foundMatched } = matchBoxes(photo.boxes, detections.map((d) => d.box));
    const faces = detections.filter((d, i) => foundMatched[i] && d.box.height >= 40);
    if (faces.length === 0) continue;
    const greyscale = isGreyscaleFrame(image);
    const medianHeight = faces.map((d) => d.box.height).sort((a, b) => a - b)[faces.length >> 1];
    const blurred = await blurImage(image, 0.06 * medianHeight);
    for (const face of faces) {
      const { quality } = assessFace(image, face, {}, greyscale);
      result.facesAtLeast40px++;
      if (quality.identityOk) result.identityOk++;
      if (quality.demographicsOk) result.demographicsOk++;
      countIssues(quality.issues, result.issues);
      if (assessFace(blurred, face, {}, greyscale).quality.identityOk) result.blurredIdentityOk++;
    }
  }
  for (const label of readIdentityLabels(datasetsDir)) {
    const face = await detectLargestFace(runner, await loadRgb(label.file));
    if (!face) continue;
    const { quality } = assessFace(face.image, face.detection, {}, isGreyscaleFrame(face.image));
    result.identityPhotos++;
    if (quality.identityOk) result.identityPhotosIdentityOk++;
    countIssues(quality.issues, result.identityPhotoIssues);
  }
  return result;
}

function countIssues(issues: string[], counts: Record<string, number>): void {
  for (const issue of issues) counts[issue] = (counts[issue] ?? 0) + 1;
}

async function blurImage(image: RgbImage, sigma: number): Promise<RgbImage> {
  const input = sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } });
  const { data } = await input.blur(Math.max(0.3, sigma)).raw().toBuffer({ resolveWithObject: true });
  return { width: image.width, height: image.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

// ------------------------------------------------------------------ latency

export interface StageTimings {
  frame: string;
  facesPerFrame: number;
  /** Median milliseconds: detect per 640x360 frame, the rest per face. */
  detectMsPerFrame: number;
  qualityMsPerFace: number;
  alignMsPerFace: number;
  embedMsPerFace: number;
  greyscaleCheckMsPerFrame: number;
}

/** Times each stage on bbt1.jpg of multiface-photos resized to 640x360 (median over `repeats` runs). */
export async function measureStageTimings(runner: ModelRunner, datasetsDir: string, repeats = 30): Promise<StageTimings> {
  const file = path.join(datasetsDir, 'multiface-photos', 'images', 'bbt1.jpg');
  const { data } = await sharp(file).resize(640, 360, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const frame: RgbImage = { width: 640, height: 360, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const detections = await detectFaces(runner, frame);
  if (detections.length === 0) throw new Error(`measureStageTimings: no face found in ${file}`);
  const face = detections[0];
  const aligned = alignFace112(frame, face.landmarks);
  return {
    frame: `${path.basename(file)} resized to 640x360`,
    facesPerFrame: detections.length,
    detectMsPerFrame: await medianMs(repeats, () => detectFaces(runner, frame)),
    qualityMsPerFace: await medianMs(repeats, async () => assessFace(frame, face, {}, false)),
    alignMsPerFace: await medianMs(repeats, async () => alignFace112(frame, face.landmarks)),
    embedMsPerFace: await medianMs(repeats, () => embedAligned(runner, aligned)),
    greyscaleCheckMsPerFrame: await medianMs(repeats, async () => isGreyscaleFrame(frame)),
  };
}

async function medianMs(repeats: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

// ---------------------------------------------------------------------- CLI

interface CliOptions {
  datasets: string;
  detector?: string;
  embedder?: string;
  out?: string;
}

function parseArgs(argv: string[]): CliOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`invalid argument "${argv[i]}": use --datasets DIR [--detector FILE] [--embedder FILE] [--out FILE]`);
    }
    values.set(argv[i].slice(2), argv[i + 1]);
  }
  const datasets = values.get('datasets');
  if (!datasets) throw new Error('missing --datasets DIR (the folder holding multiface-photos/ and identity-verification/)');
  return { datasets, detector: values.get('detector'), embedder: values.get('embedder'), out: values.get('out') };
}

async function modelPaths(options: CliOptions): Promise<{ detector: string; embedder: string }> {
  const mirrorDir = process.env.SHOPFACE_MODEL_MIRROR ?? path.resolve(options.datasets, '..', 'models-alt');
  const detector = options.detector ?? (await resolveModel('detector', { mirrorDir })).path;
  const embedder = options.embedder ?? (await resolveModel('embedder', { mirrorDir })).path;
  return { detector, embedder };
}

interface Report {
  detection: DetectionResult;
  verification: VerificationReport;
  smallFaces: SmallFaceResult[];
  qualityGate: QualityGateResult;
  timings: StageTimings;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

function printSummary({ detection, verification, smallFaces, qualityGate, timings }: Report): void {
  console.log(`detection: ${detection.gtFaces} pseudo-GT faces in ${detection.images} photos, recall ${pct(detection.recall)}, precision ${pct(detection.precision)}, recall >= 40 px ${pct(detection.recallAtLeast40px)}`);
  for (const b of detection.buckets) {
    console.log(`  ${b.label.padEnd(6)} px: recall ${b.found}/${b.gtFaces} (${pct(b.recall)}), precision ${b.truePositives}/${b.detections} (${pct(b.precision)})`);
  }
  console.log(`verification: ${verification.facesFound}/${verification.images} faces (${verification.foundAfterPadding} after padding)`);
  for (const v of verification.variants) {
    console.log(
      `  (p-${v.normalisation.mean})/${v.normalisation.scale}: genuine ${v.genuineMean.toFixed(3)}±${v.genuineSd.toFixed(3)} (${v.genuinePairs}), ` +
        `impostor ${v.impostorMean.toFixed(3)}±${v.impostorSd.toFixed(3)} (${v.impostorPairs}), ` +
        `TAR@FAR1% ${pct(v.tarAtFar1)} (thr ${v.thresholdAtFar1.toFixed(3)}), TAR@FAR0.1% ${pct(v.tarAtFar01)} (thr ${v.thresholdAtFar01.toFixed(3)}), ` +
        `genuine min ${v.genuineMin.toFixed(3)}, impostor max ${v.impostorMax.toFixed(3)}, d' ${v.dPrime.toFixed(3)}, impostor mean+4sd ${v.impostorMeanPlus4Sd.toFixed(3)}`,
    );
  }
  for (const r of smallFaces) {
    console.log(
      `  faces rescaled to ${r.faceHeight} px in 640x360: ${r.facesFound} found, genuine ${r.genuineMean.toFixed(3)}, impostor ${r.impostorMean.toFixed(3)}±${r.impostorSd.toFixed(3)}, ` +
        `TAR@FAR1% ${pct(r.tarAtFar1)}, at threshold ${r.threshold.toFixed(3)}: TAR ${pct(r.tarAtThreshold)}, FAR ${(100 * r.farAtThreshold).toFixed(2)} %`,
    );
  }
  console.log(`quality gate: ${JSON.stringify(qualityGate)}`);
  console.log(`latency (median ms): ${JSON.stringify(timings)}`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const models = await modelPaths(options);
  const runner = await OrtRunner.open(models);
  try {
    const detection = await measureDetection(runner, options.datasets);
    const verification = await measureVerification(runner, options.datasets);
    // Small faces are scored at the threshold of the default normalisation's full-resolution impostor mean + 4 sd.
    const threshold = verification.variants[0].impostorMeanPlus4Sd;
    const smallFaces: SmallFaceResult[] = [];
    for (const height of [64, 40, 28]) smallFaces.push(await measureSmallFaces(runner, options.datasets, height, threshold));
    const qualityGate = await measureQualityGate(runner, options.datasets);
    const timings = await measureStageTimings(runner, options.datasets);
    const report: Report = { detection, verification, smallFaces, qualityGate, timings };
    printSummary(report);
    const output = { ...models, ...report };
    if (options.out) writeFileSync(options.out, JSON.stringify(output, null, 2));
    else console.log(JSON.stringify(output, null, 2));
  } finally {
    await runner.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
