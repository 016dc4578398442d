import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeDemoClip, planDemoPeople, probeClip } from '../../bench/clipgen';

describe('demo clip', () => {
  const people = planDemoPeople();
  const packageDemo = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

  test('reads only the package sample photos', () => {
    const outside = people.filter((person) => path.dirname(person.imagePath) !== packageDemo || !fs.existsSync(person.imagePath));
    expect(outside.map((person) => person.imagePath)).toEqual([]);
  });

  test('faces are at least 50 px tall', () => {
    expect(Math.min(...people.map((person) => person.faceHeightPx))).toBeGreaterThanOrEqual(50);
  });

  test('renders 640x360 h264 clip', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipgen-demo-'));
    try {
      const out = path.join(dir, 'demo.mp4');
      const truth = await makeDemoClip(out);
      const info = await probeClip(out);
      expect(info.codec).toBe('h264');
      expect(info.width).toBe(640);
      expect(info.height).toBe(360);
      expect(info.frameCount).toBe(truth.durationS * truth.fps);
      expect(truth.durationS).toBeGreaterThanOrEqual(25);
      expect(truth.durationS).toBeLessThanOrEqual(40);
      expect(truth.visitors).toHaveLength(people.length);
      expect(Math.max(...truth.occupancy.map((entry) => entry.count))).toBeGreaterThanOrEqual(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90000);
});
