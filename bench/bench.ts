/**
 * `npm run bench -- [--quick] [--data DIR] [--json FILE]`
 *
 * Measures the speed of the product pipeline on generated shop clips at
 * 640x360 and 1280x720. It reports per-stage cost, end-to-end throughput with
 * the worker pool, cameras per machine, latency and memory. Beside them are
 * the lower bound (decoding plus the models' own run time) and OpenCV's DNN
 * module on the same frames. See docs/performance.md.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseConfig } from '../plugin/config/config';
import { REPO_ROOT, resolveModels } from '../models/loader';
import { defaultDatasetsDir } from './eval/run-eval';
import { makeClipFolder, renderBenchClip } from './perf/clips';
import { measureEndToEnd } from './perf/end-to-end';
import { runOpencvBaseline } from './perf/opencv';
import { measureDecode, measureStages, type ModelPaths } from './perf/stages';
import { CAMERA_FPS, compareWithOpencv, formatResolution, lowerBound, type ResolutionResult } from './perf/summary';

const RESOLUTIONS: readonly [number, number][] = [[640, 360], [1280, 720]];
const USAGE = 'usage: npm run bench -- [--quick] [--data DIR] [--json FILE]';

interface Args {
  quick: boolean;
  data: string;
  json: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: argv.includes('--quick'), data: defaultDatasetsDir(), json: '' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') continue;
    const value = argv[i + 1];
    if (argv[i] !== '--data' && argv[i] !== '--json') throw new Error(`unknown option "${argv[i]}"; ${USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`option ${argv[i]} needs a value; ${USAGE}`);
    args[argv[i] === '--data' ? 'data' : 'json'] = path.resolve(value);
    i++;
  }
  args.json ||= path.join(REPO_ROOT, 'bench/out', args.quick ? 'bench-quick.json' : 'bench.json');
  return args;
}

/** Returns the path of the fixed 320x320 YuNet export that OpenCV 4.6 can load: in env SHOPFACE_MODEL_MIRROR, else in models-alt beside the data sets. */
function fixedYunetPath(datasetsDir: string): string {
  const mirror = process.env.SHOPFACE_MODEL_MIRROR ?? path.resolve(datasetsDir, '..', 'models-alt');
  return path.join(mirror, 'yunet_n_320_320.onnx');
}

async function measureResolution(args: Args, folder: string, models: ModelPaths, width: number, height: number): Promise<ResolutionResult> {
  console.error(`bench: rendering ${width}x${height} clip`);
  const clip = await renderBenchClip(args.data, folder, width, height, args.quick);
  const config = parseConfig({ analysis: { width, height, fps: CAMERA_FPS } });
  console.error('bench: decode, stages (detector input 640 and 320)');
  const decode = await measureDecode(clip, config);
  const stages = await measureStages(clip, config, models, config.detection.inputWidth, decode.msPerFrame);
  const stagesAt320 = await measureStages(clip, config, models, 320, decode.msPerFrame);
  console.error('bench: end to end with the worker pool');
  const endToEnd = await measureEndToEnd(clip, config, models);
  console.error('bench: OpenCV baseline');
  const yunet320 = fixedYunetPath(args.data);
  let opencv: ResolutionResult['opencv'];
  if (!existsSync(yunet320)) opencv = { notRun: `${yunet320} not found; set SHOPFACE_MODEL_MIRROR to the folder holding yunet_n_320_320.onnx` };
  else opencv = compareWithOpencv(stagesAt320, await runOpencvBaseline(clip.file, yunet320, models.embedder, CAMERA_FPS));
  const lower = lowerBound(stages);
  return {
    clip: { width, height, durationS: clip.durationS, people: clip.people },
    stages,
    stagesAt320,
    lowerBoundMs: lower,
    overheadRatio: stages.total / lower,
    endToEnd,
    framesPerSPerCore: endToEnd.framesPerS / os.cpus().length,
    camerasAt5Fps: Math.floor(endToEnd.framesPerS / CAMERA_FPS),
    opencv,
  };
}

function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    onnxruntime: (ort.env as { versions?: { node?: string } }).versions?.node ?? 'unknown',
    loadAverageAtStart: os.loadavg(),
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(`${USAGE}\n\nTimes each pipeline stage, the end-to-end pipeline and the OpenCV baseline on generated shop clips\nat 640x360 and 1280x720; see docs/performance.md.`);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const resolved = await resolveModels();
  const models: ModelPaths = { detector: resolved.detector.path, embedder: resolved.embedder.path, ageGender: resolved.ageGender.path };
  const info = machine();
  const folder = makeClipFolder();
  const results: ResolutionResult[] = [];
  try {
    for (const [width, height] of RESOLUTIONS) results.push(await measureResolution(args, folder.dir, models, width, height));
  } finally {
    folder.remove();
  }
  const report = { version: 1, quick: args.quick, machine: { ...info, loadAverageAtEnd: os.loadavg() }, results };
  console.log(`machine: ${info.cpus} x ${info.cpuModel}, Node ${info.node}, onnxruntime-node ${info.onnxruntime}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const r of results) console.log(formatResolution(r));
  mkdirSync(path.dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${args.json}`);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
