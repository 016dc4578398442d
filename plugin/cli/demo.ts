import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeDemoClip } from '../../bench/clipgen';

/**
 * Runs the first-run demo. It builds a short shop-entrance clip from the
 * sample photos inside the @vladmandic/face-api npm package (no data set
 * needed). Then it runs `analyze` on it twice against one data folder, as
 * yesterday and an hour ago, so the second run shows returning visitors.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const demoDir = path.resolve(process.argv[2] ?? path.join(root, 'data', 'demo'));
  // A fresh store each time, so that "yesterday" starts empty and "today" shows the returning visitors.
  rmSync(path.join(demoDir, 'store'), { recursive: true, force: true });
  mkdirSync(demoDir, { recursive: true });
  const clip = path.join(demoDir, 'demo.mp4');
  console.log(`making the demo clip ${clip} from the sample photos in @vladmandic/face-api ...`);
  await makeDemoClip(clip);
  // Yesterday and an hour ago, so that the dashboard's last 24 hours show the second visit.
  const nowMs = Date.now();
  const days = [
    ['yesterday', new Date(nowMs - 25 * 3600 * 1000).toISOString()],
    ['today', new Date(nowMs - 3600 * 1000).toISOString()],
  ];
  for (const [day, start] of days) {
    console.log(`\n== ${day}: npm run analyze -- --input ${clip} --data ${path.join(demoDir, 'store')} --start ${start}`);
    const result = spawnSync(process.execPath, [
      '-r', 'tsx/cjs', path.join(__dirname, 'analyze.ts'),
      '--input', clip, '--data', path.join(demoDir, 'store'), '--start', start, '--json', path.join(demoDir, `${day}.json`),
    ], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`analyze failed for ${day} (exit code ${result.status})`);
  }
  console.log(`\nreports: ${path.join(demoDir, 'yesterday.json')} and ${path.join(demoDir, 'today.json')}`);
  console.log(`to see them on the dashboard: npm start -- --data ${path.relative(process.cwd(), path.join(demoDir, 'store'))}`);
}

main().catch((error: Error) => {
  console.error(`demo: ${error.message}`);
  process.exit(1);
});
