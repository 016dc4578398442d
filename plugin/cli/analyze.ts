import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile, parseConfig, type Config } from '../config/config';
import { analyzeClip } from '../pipeline/analyze-clip';
import type { AnalyzeReport } from '../pipeline/report';
import { parseArgs } from './args';

const USAGE = `usage: npm run analyze -- --input CLIP --data DIR [--store ID] [--json OUT.json]
                          [--config FILE] [--start ISO-TIME] [--camera ID]

Runs face analytics over a recorded clip against the store database in DIR.
  --input   video file (H.264 or H.265)
  --data    data folder: SQLite database and store key (created if missing)
  --store   store id (default: from --config, else "store-1")
  --json    write the report as JSON to this file
  --config  JSON configuration file (schema: manifest.json configSchema)
  --start   wall-clock time of the clip's first frame (default: now)
  --camera  camera id recorded with the visits (default "clip")`;

function loadConfig(file: string | undefined, storeId: string | undefined): Config {
  const config = file ? loadConfigFile(file) : parseConfig({});
  if (storeId) return parseConfig({ ...config, store: { ...config.store, id: storeId } });
  return config;
}

function parseStart(text: string | undefined): number {
  if (!text) return Date.now() / 1000;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`--start: "${text}" is not a valid date-time; use ISO 8601, e.g. 2026-12-01T09:00:00Z`);
  return ms / 1000;
}

function summary(report: AnalyzeReport): string {
  const t = report.totals;
  return [
    `clip ${report.input}: ${report.durationS} s analysed in ${report.performance.wallS} s (${report.performance.speedVsRealTime}x real time)`,
    `frames ${t.framesAnalysed} (dropped ${t.framesDropped}), faces ${t.faces}`,
    `visitors ${t.visitors} (identified ${t.identified}, returning ${t.returning}), female ${t.female}, male ${t.male}`,
    `peak occupancy ${Math.max(0, ...report.occupancy.map((p) => p.count ?? 0))}, match threshold ${report.settings.matchThreshold} at gallery size ${report.settings.gallerySize}`,
  ].join('\n');
}

async function main(): Promise<void> {
  // A terminal command shows its progress line and summary; the service's info logs would only clutter them.
  process.env.SHOPFACE_LOG_LEVEL ??= 'warn';
  let args;
  try {
    args = parseArgs(process.argv.slice(2), ['input', 'data', 'store', 'json', 'config', 'start', 'camera'], ['help']);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (args.flags.has('help')) {
    console.log(USAGE);
    return;
  }
  const input = args.options.get('input');
  const dataDir = args.options.get('data');
  if (!input) throw new UsageError('--input is required (a video file)');
  if (!dataDir) throw new UsageError('--data is required (a folder for the store database)');
  if (!existsSync(input)) throw new Error(`--input: file not found: ${input}`);
  const config = loadConfig(args.options.get('config'), args.options.get('store'));
  const tty = process.stderr.isTTY;
  const report = await analyzeClip({
    input: path.resolve(input),
    dataDir: path.resolve(dataDir),
    config,
    startTime: parseStart(args.options.get('start')),
    cameraId: args.options.get('camera'),
    onProgress: tty
      ? (p) => process.stderr.write(`\ranalysing: ${p.clipS.toFixed(1)} s of video, ${p.frames} frames, ${p.faces} faces, ${p.visitors} visitors   `)
      : undefined,
  });
  if (tty) process.stderr.write('\n');
  const out = args.options.get('json');
  if (out) {
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  }
  console.log(summary(report));
  if (out) console.log(`report written to ${out}`);
}

class UsageError extends Error {}

main().catch((error: Error) => {
  console.error(`analyze: ${error.message}`);
  if (error instanceof UsageError) console.error(`\n${USAGE}`);
  process.exit(1);
});
