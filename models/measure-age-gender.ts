/**
 * Measures the age/gender stage on the labelled face data beside the
 * repository (env SHOPFACE_DATASETS, default shared/datasets) through the
 * product path: YuNet detection, square crop around the detected box,
 * AgeGenderNet as ONNX. Prints markdown tables for docs/models.md.
 *
 * Usage: npx tsx models/measure-age-gender.ts [--limit N] [--crop-scales 1.0,1.2,1.4,1.6]
 *   --limit        UTKFace chips to use, spread over the list (default all)
 *   --crop-scales  crop side as multiples of the detected box (default 1.0,1.2,1.4,1.6)
 * Models are resolved as by `npm run models` without downloads.
 */
import type { Box, RgbImage } from '../plugin/core/types';
import { estimateAgeGender } from '../plugin/attributes/age-gender';
import { fuseAttributes } from '../plugin/attributes/fusion';
import { detectFaces } from '../plugin/detect/yunet';
import { OrtRunner } from '../plugin/inference/session';
import {
  decodeRgb,
  readIdentityFaces,
  readUtkFaces,
  scorePredictions,
  spreadSubset,
  type LabelledFace,
  type Prediction,
} from './age-gender-eval';
import { resolveModels } from './loader';

interface Args {
  limit: number;
  cropScales: number[];
}

/** A face image and the box the model is run on; `detected` is false when the detector found nothing. */
interface Prepared {
  face: LabelledFace;
  image: RgbImage;
  box: Box;
  detected: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { limit: Infinity, cropScales: [1.0, 1.2, 1.4, 1.6] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--limit') args.limit = Number(argv[++i]);
    else if (argv[i] === '--crop-scales') args.cropScales = argv[++i].split(',').map(Number);
    else throw new Error(`unknown option ${argv[i]}; usage: measure-age-gender.ts [--limit N] [--crop-scales 1.0,1.2]`);
  }
  if (!(args.limit > 0)) throw new Error('--limit must be a positive number');
  if (args.cropScales.some((s) => !(s > 0))) throw new Error('--crop-scales must be positive numbers');
  return args;
}

const wholeImage = (image: RgbImage): Box => ({ x: 0, y: 0, width: image.width, height: image.height });
const area = (box: Box): number => box.width * box.height;

/** Decodes each image and detects its largest face; falls back to the whole image when none is found. */
async function prepare(runner: OrtRunner, faces: LabelledFace[], inputWidth: number): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (const face of faces) {
    const image = await decodeRgb(face.file);
    const detections = await detectFaces(runner, image, { inputWidth });
    const largest = detections.sort((a, b) => area(b.box) - area(a.box))[0];
    prepared.push({ face, image, box: largest ? largest.box : wholeImage(image), detected: Boolean(largest) });
  }
  return prepared;
}

async function predict(runner: OrtRunner, items: Prepared[], cropScale: number | 'whole'): Promise<Prediction[]> {
  const predictions: Prediction[] = [];
  for (const item of items) {
    const box = cropScale === 'whole' ? wholeImage(item.image) : item.box;
    const sample = await estimateAgeGender(runner, item.image, box, { cropScale: cropScale === 'whole' ? 1 : cropScale });
    predictions.push({ face: item.face, ...sample });
  }
  return predictions;
}

const pct = (x: number): string => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)} %`);
const years = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(2));

async function measureUtk(runner: OrtRunner, args: Args): Promise<void> {
  const faces = spreadSubset(readUtkFaces(), args.limit);
  const started = Date.now();
  const items = await prepare(runner, faces, 320);
  const missed = items.filter((i) => !i.detected).length;
  console.log(`\nUTKFace sample: ${faces.length} chips, detector missed ${missed} (whole chip used for those)\n`);
  console.log('| crop | gender acc all | gender acc 18+ | age MAE all | age MAE 18-70 | band acc | 18+: gender reported / acc when reported |');
  console.log('|---|---|---|---|---|---|---|');
  for (const scale of ['whole', ...args.cropScales] as const) {
    const predictions = await predict(runner, items, scale);
    const s = scorePredictions(predictions);
    const reported = scoreAbstention(predictions.filter((p) => (p.face.age as number) >= 18));
    const label = scale === 'whole' ? 'whole chip' : `${scale.toFixed(1)} x YuNet box`;
    console.log(
      `| ${label} | ${pct(s.genderAccuracy)} | ${pct(s.genderAccuracyAdults)} | ${years(s.ageMae)} | ${years(s.ageMaeAdults)} | ` +
        `${pct(s.bandAccuracy)} | ${pct(reported.coverage)} / ${pct(reported.accuracy)} |`,
    );
  }
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Share of single-frame samples whose fused gender is reported (default margin, adult check on the predicted age) and its accuracy. */
function scoreAbstention(predictions: Prediction[]): { coverage: number; accuracy: number } {
  let reported = 0;
  let correct = 0;
  for (const p of predictions) {
    const fused = fuseAttributes([{ sample: { age: p.age, pMale: p.pMale }, weight: 1 }]);
    if (fused.gender === null) continue;
    reported++;
    if ((fused.gender === 'male') === p.face.male) correct++;
  }
  return { coverage: reported / predictions.length, accuracy: correct / reported };
}

/** Gender accuracy per person after fusing the person's images with equal weights (abstentions counted apart). */
function scoreIdentities(predictions: Prediction[]): { people: number; correct: number; abstained: number } {
  const byIdentity = new Map<string, Prediction[]>();
  for (const p of predictions) byIdentity.set(p.face.identity as string, [...(byIdentity.get(p.face.identity as string) ?? []), p]);
  let correct = 0;
  let abstained = 0;
  for (const group of byIdentity.values()) {
    const fused = fuseAttributes(group.map((p) => ({ sample: { age: p.age, pMale: p.pMale }, weight: 1 })));
    if (fused.gender === null) abstained++;
    else if ((fused.gender === 'male') === group[0].face.male) correct++;
  }
  return { people: byIdentity.size, correct, abstained };
}

async function measureIdentities(runner: OrtRunner, args: Args): Promise<void> {
  const items = await prepare(runner, readIdentityFaces(), 640);
  const missed = items.filter((i) => !i.detected).length;
  console.log(`\nidentity-verification: ${items.length} photos, detector missed ${missed} (whole image used for those)\n`);
  console.log('| crop | gender acc per photo | per photo: gender reported / acc when reported | people right / abstained / total (fused) |');
  console.log('|---|---|---|---|');
  for (const scale of ['whole', ...args.cropScales] as const) {
    const predictions = await predict(runner, items, scale);
    const s = scorePredictions(predictions);
    const people = scoreIdentities(predictions);
    const reported = scoreAbstention(predictions);
    const label = scale === 'whole' ? 'whole photo, padded square' : `${scale.toFixed(1)} x YuNet box`;
    const perPhoto = `${pct(reported.coverage)} / ${pct(reported.accuracy)}`;
    console.log(`| ${label} | ${pct(s.genderAccuracy)} | ${perPhoto} | ${people.correct} / ${people.abstained} / ${people.people} |`);
  }
}

/** Times estimateAgeGender (crop, normalisation, model run) on one photo; prints the median and 90th percentile. */
async function measureLatency(runner: OrtRunner): Promise<void> {
  const [item] = await prepare(runner, readIdentityFaces().slice(0, 1), 640);
  const durations: number[] = [];
  for (let i = 0; i < 220; i++) {
    const start = process.hrtime.bigint();
    await estimateAgeGender(runner, item.image, item.box);
    if (i >= 20) durations.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  durations.sort((a, b) => a - b);
  const at = (q: number) => durations[Math.floor(q * (durations.length - 1))].toFixed(2);
  console.log(`
estimateAgeGender latency, 1 intra-op thread: median ${at(0.5)} ms, p90 ${at(0.9)} ms (${durations.length} runs)`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const models = await resolveModels({ allowDownload: false });
  const runner = await OrtRunner.open({ detector: models.detector.path, ageGender: models.ageGender.path });
  try {
    await measureUtk(runner, args);
    await measureIdentities(runner, args);
    await measureLatency(runner);
  } finally {
    await runner.close();
  }
}

main().catch((error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
