import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeClip, placeFace, renderClip, type ClipPerson, type DecodedClip } from '../../bench/clipgen';

const DATASETS = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets');
const DEMO_PHOTO = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample6.jpg');
const WIDTH = 320;
const HEIGHT = 180;
const FPS = 10;
const DURATION_S = 5;

function datasetImage(relative: string): string {
  const full = path.join(DATASETS, relative);
  if (!fs.existsSync(full)) throw new Error(`test image not found: ${full}. These tests need the shared datasets folder`);
  return full;
}

function firstUtkChip(): string {
  const folder = path.join(DATASETS, 'utkface-sample', 'images');
  if (!fs.existsSync(folder)) throw new Error(`dataset folder not found: ${folder}. These tests need the shared datasets folder`);
  return path.join(folder, fs.readdirSync(folder).sort()[0]);
}

/** Three people, one per framing kind, all inside a 5 s, 320x180 clip. */
function tinyCast(): ClipPerson[] {
  const common = { identity: null, gender: null, age: null } as const;
  return [
    { ...common, truthId: 'chip', kind: 'oneoff', imagePath: firstUtkChip(), source: 'utk', framing: 'chip',
      enterS: 0.2, dwellS: 4.3, faceHeightPx: 40, lane: 1, direction: 'ltr', lingerX: 0.3 },
    { ...common, truthId: 'tight', kind: 'regular', imagePath: datasetImage('identity-verification/images/bbt_raj1.png'),
      source: 'bbt', framing: 'photo', enterS: 1, dwellS: 3.5, faceHeightPx: 50, lane: 2, direction: 'rtl', lingerX: 0.7 },
    { ...common, truthId: 'box', kind: 'oneoff', imagePath: DEMO_PHOTO, source: 'demo',
      framing: { centerX: 0.395, centerY: 0.305, height: 0.15 }, enterS: 1.5, dwellS: 3, faceHeightPx: 64, lane: 3,
      direction: 'ltr', lingerX: 0.4 },
  ];
}

function meanAbsDiff(a: DecodedClip, b: DecodedClip, frame: number, box: { x0: number; y0: number; x1: number; y1: number }): number {
  const offset = frame * a.width * a.height * 3;
  let sum = 0;
  let count = 0;
  for (let y = Math.max(0, box.y0); y < Math.min(a.height, box.y1); y++) {
    for (let x = Math.max(0, box.x0); x < Math.min(a.width, box.x1); x++) {
      for (let c = 0; c < 3; c++) {
        const i = offset + (y * a.width + x) * 3 + c;
        sum += Math.abs(a.frames[i] - b.frames[i]);
        count++;
      }
    }
  }
  return sum / count;
}

describe('renderClip', () => {
  let dir: string;
  const cast = tinyCast();
  const options = { width: WIDTH, height: HEIGHT, fps: FPS, seed: 11, durationS: DURATION_S };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipgen-test-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('h264 clip decodes with the planned size and frames', async () => {
    const out = path.join(dir, 'tiny.mp4');
    const truth = await renderClip(cast, { ...options, out });
    const clip = await decodeClip(out);
    expect(clip.codec).toBe('h264');
    expect(clip.codecTag).toBe('avc1');
    expect(clip.width).toBe(WIDTH);
    expect(clip.height).toBe(HEIGHT);
    expect(clip.frameCount).toBe(DURATION_S * FPS);
    expect(truth.codec).toBe('h264');
    expect(truth.durationS).toBe(DURATION_S);
    expect(JSON.parse(fs.readFileSync(`${out}.truth.json`, 'utf8'))).toEqual(truth);
  }, 30000);

  test('truth visitors and occupancy follow the plan', async () => {
    const out = path.join(dir, 'truth.mp4');
    const truth = await renderClip(cast, { ...options, out });
    expect(truth.visitors.map((v) => [v.truthId, v.enterS, v.leaveS])).toEqual(
      cast.map((p) => [p.truthId, p.enterS, Math.round((p.enterS + p.dwellS) * 1e6) / 1e6]),
    );
    expect(truth.occupancy.map((entry) => entry.t)).toEqual([0, 1, 2, 3, 4]);
    for (const { t, count } of truth.occupancy) {
      const expected = cast.filter((p) => p.enterS < t && t < p.enterS + p.dwellS).length;
      expect({ t, count }).toEqual({ t, count: expected });
    }
    expect(truth.occupancy[2].count).toBe(3);
  }, 30000);

  describe('pixels', () => {
    let people: DecodedClip;
    let background: DecodedClip;

    beforeAll(async () => {
      const withPeople = path.join(dir, 'people.mp4');
      const empty = path.join(dir, 'empty.mp4');
      await renderClip(cast, { ...options, out: withPeople });
      await renderClip([], { ...options, out: empty });
      people = await decodeClip(withPeople);
      background = await decodeClip(empty);
    }, 40000);

    test.each(cast.map((person) => [person.truthId, person] as const))('%s face differs from background', (_, person) => {
      const frame = Math.round((person.enterS + person.dwellS / 2) * FPS);
      const place = placeFace(person, frame / FPS, WIDTH, HEIGHT)!;
      const half = Math.round(person.faceHeightPx * 0.3);
      const x = Math.round(place.centerX);
      const y = Math.round(place.centerY);
      const box = { x0: x - half, y0: y - half, x1: x + half, y1: y + half };
      expect(meanAbsDiff(people, background, frame, box)).toBeGreaterThan(20);
    });

    test('strip without faces matches background', () => {
      // Faces in this cast are all in lanes 1-3, below the top 16 rows.
      expect(people.frameCount).toBe(background.frameCount);
      expect(meanAbsDiff(people, background, 25, { x0: 0, y0: 0, x1: WIDTH, y1: 16 })).toBeLessThan(4);
    });
  });

  test('h265 clip decodes as hevc tagged hvc1', async () => {
    const out = path.join(dir, 'tiny-h265.mp4');
    const truth = await renderClip(cast, { ...options, out, codec: 'h265' });
    const clip = await decodeClip(out);
    expect(clip.codec).toBe('hevc');
    expect(clip.codecTag).toBe('hvc1');
    expect(clip.width).toBe(WIDTH);
    expect(clip.height).toBe(HEIGHT);
    expect(clip.frameCount).toBe(DURATION_S * FPS);
    expect(truth.codec).toBe('h265');
  }, 40000);

  test('rejects a face too large for its lane', async () => {
    const [first] = cast;
    await expect(renderClip([{ ...first, faceHeightPx: 90 }], { ...options, out: path.join(dir, 'x.mp4') }))
      .rejects.toThrow(/faceHeightPx 90 does not fit lane 1/);
  });

  test('rejects odd frame width', async () => {
    await expect(renderClip(cast, { ...options, width: 321, out: path.join(dir, 'x.mp4') }))
      .rejects.toThrow(/invalid width 321/);
  });

  test('rejects a visitor leaving after durationS', async () => {
    await expect(renderClip(cast, { ...options, durationS: 4, out: path.join(dir, 'x.mp4') }))
      .rejects.toThrow(/person chip leaves at 4.5 s/);
  });

  test('unwritable output reports ffmpeg stderr', async () => {
    const out = path.join(dir, 'missing-folder', 'x.mp4');
    await expect(renderClip(cast, { ...options, out })).rejects.toThrow(/encoding .*x\.mp4 failed.*No such file or directory/);
    expect(fs.existsSync(`${out}.truth.json`)).toBe(false);
  }, 30000);

  test('default duration ends a second after the last leave', async () => {
    const out = path.join(dir, 'default-duration.mp4');
    const truth = await renderClip([cast[0]], { width: WIDTH, height: HEIGHT, seed: 3, out });
    expect(truth.durationS).toBe(6);
    expect(truth.fps).toBe(10);
    expect(fs.existsSync(out)).toBe(true);
  }, 30000);
});
