/**
 * Command line for the clip generator.
 *
 *   npx tsx bench/clipgen/cli.ts --scenario shop --datasets ../shared/datasets --out DIR [--seed N] [--codec h265]
 *   npx tsx bench/clipgen/cli.ts --demo OUT.mp4
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { makeDemoClip } from './demo';
import { renderClip } from './render';
import { planShopScenario } from './scenario';
import type { ClipTruth, VideoCodec } from './types';

const USAGE = `Usage:
  npx tsx bench/clipgen/cli.ts --scenario shop --datasets DIR --out DIR [--seed N] [--codec h264|h265]
      [--width PX] [--height PX] [--fps N]
      Writes day1.mp4, day2.mp4, strangers.mp4 and a .truth.json beside each into --out.
      --datasets is the folder that contains identity-verification/ and utkface-sample/.
      --seed (default 1) fixes the people, their motion, the background and the noise.
  npx tsx bench/clipgen/cli.ts --demo OUT.mp4
      Writes a 640x360 demo clip of about 35 s from the sample photos in @vladmandic/face-api.`;

const OPTIONS = {
  scenario: { type: 'string' },
  datasets: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string', default: '1' },
  codec: { type: 'string', default: 'h264' },
  width: { type: 'string', default: '640' },
  height: { type: 'string', default: '360' },
  fps: { type: 'string', default: '10' },
  demo: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function toInteger(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new Error(`invalid --${name} ${value}: expected an integer`);
  return parsed;
}

function toCodec(value: string): VideoCodec {
  if (value !== 'h264' && value !== 'h265') throw new Error(`invalid --codec ${value}: expected h264 or h265`);
  return value;
}

function describe(out: string, truth: ClipTruth): string {
  const peak = Math.max(0, ...truth.occupancy.map((entry) => entry.count));
  return `wrote ${out} (${truth.width}x${truth.height}, ${truth.fps} fps, ${truth.durationS} s, ${truth.codec}, ` +
    `${truth.visitors.length} visitors, at most ${peak} at once) and ${out}.truth.json`;
}

async function runShop(values: Record<string, string | boolean | undefined>): Promise<void> {
  if (values.scenario !== 'shop') throw new Error(`invalid --scenario ${String(values.scenario)}: only 'shop' exists`);
  if (typeof values.datasets !== 'string') throw new Error('missing --datasets DIR');
  if (typeof values.out !== 'string') throw new Error('missing --out DIR');
  const seed = toInteger('seed', String(values.seed));
  const render = {
    seed,
    codec: toCodec(String(values.codec)),
    width: toInteger('width', String(values.width)),
    height: toInteger('height', String(values.height)),
    fps: toInteger('fps', String(values.fps)),
  };
  const plan = planShopScenario({ datasetsDir: path.resolve(values.datasets), seed });
  mkdirSync(values.out, { recursive: true });
  for (const name of ['day1', 'day2', 'strangers'] as const) {
    const out = path.join(values.out, `${name}.mp4`);
    console.log(describe(out, await renderClip(plan[name], { ...render, out })));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: OPTIONS, strict: true });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.demo) {
    console.log(describe(values.demo, await makeDemoClip(values.demo)));
    return;
  }
  if (values.scenario === undefined) throw new Error('missing --scenario shop or --demo OUT.mp4');
  await runShop(values);
}

main().catch((error: Error) => {
  console.error(`clipgen: ${error.message}\n\n${USAGE}`);
  process.exitCode = 1;
});
