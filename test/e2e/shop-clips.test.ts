import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planShopScenario, renderClip, type ClipTruth } from '../../bench/clipgen';
import { parseConfig } from '../../plugin/config/config';
import { analyzeClip } from '../../plugin/pipeline/analyze-clip';
import type { AnalyzeReport } from '../../plugin/pipeline/report';
import { matchVisitors, occupancyAgreement, type TruthPair } from '../helpers/truth';

const DATASETS = process.env.SHOPFACE_DATASETS ?? path.resolve(__dirname, '../../../shared/datasets');
const DAY_S = 86400;
const MONDAY = Date.parse('2026-11-30T09:00:00Z') / 1000;

interface Run {
  truth: ClipTruth;
  report: AnalyzeReport;
  pairs: TruthPair[];
}

/**
 * The main job end to end on real faces: shop-entrance clips rendered from
 * identity-verification (regulars, another photo on day 2) and utkface-sample
 * (one-off visitors and strangers), analysed in order against one store.
 */
describe('analyze on generated shop clips', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'shopface-shop-'));
  const dataDir = path.join(work, 'store');
  const runs: Record<'day1' | 'day2' | 'strangers', Run> = {} as never;

  beforeAll(async () => {
    if (!existsSync(DATASETS)) throw new Error(`face data sets not found at ${DATASETS}; set SHOPFACE_DATASETS`);
    const scenario = planShopScenario({ datasetsDir: DATASETS, seed: 11 });
    const config = parseConfig({ store: { id: 'e2e-shop' } });
    const plan = [['day1', 0], ['day2', 1], ['strangers', 2]] as const;
    for (const [name, day] of plan) {
      const clip = path.join(work, `${name}.mp4`);
      const truth = await renderClip(scenario[name], { out: clip, seed: 100 + day });
      const report = await analyzeClip({ input: clip, dataDir, config, startTime: MONDAY + day * DAY_S });
      writeFileSync(path.join(work, `${name}.report.json`), JSON.stringify(report, null, 2));
      runs[name] = { truth, report, pairs: matchVisitors(truth, report) };
    }
  }, 900_000);

  // SHOPFACE_KEEP_E2E=1 keeps the clips, truths and reports for inspection.
  afterAll(() => {
    if (!process.env.SHOPFACE_KEEP_E2E) rmSync(work, { recursive: true, force: true });
  });

  test.each(['day1', 'day2', 'strangers'] as const)('%s: unique visitors within 10 %% of the truth', (name) => {
    const { truth, report } = runs[name];
    const expected = truth.visitors.length;
    expect(Math.abs(report.totals.visitors - expected)).toBeLessThanOrEqual(Math.ceil(0.1 * expected));
  });

  test('day 2: at least 80 % of the regulars are found returning', () => {
    const regulars = runs.day2.pairs.filter((p) => p.truth.kind === 'regular');
    const found = regulars.filter((p) => p.reported?.returning).length;
    expect(regulars.length).toBeGreaterThanOrEqual(5);
    expect(found / regulars.length).toBeGreaterThanOrEqual(0.8);
  });

  test('day 1: nobody is returning in an empty store', () => {
    expect(runs.day1.report.totals.returning).toBe(0);
  });

  test('one-off visitors and strangers are at most 2 % wrongly returning', () => {
    const oneOffs = [...runs.day2.pairs, ...runs.strangers.pairs].filter((p) => p.truth.kind !== 'regular' && p.reported);
    const wrong = oneOffs.filter((p) => p.reported!.returning).length;
    expect(oneOffs.length).toBeGreaterThanOrEqual(20);
    expect(wrong / oneOffs.length).toBeLessThanOrEqual(0.02);
  });

  test('gender is right for at least 90 % of visitors that got one', () => {
    const decided = Object.values(runs).flatMap((r) => r.pairs).filter((p) => p.truth.gender && p.reported?.gender);
    const right = decided.filter((p) => p.reported!.gender === p.truth.gender).length;
    expect(decided.length).toBeGreaterThanOrEqual(20);
    expect(right / decided.length).toBeGreaterThanOrEqual(0.9);
  });

  // The clip's face height runs from forehead to chin, and the detector's box is
  // about a fifth taller. So only faces of at most 30 px stay below the 40 px gate.
  test('small faces are counted but get no identity or demographics', () => {
    const small = Object.values(runs).flatMap((r) => r.pairs)
      .filter((p) => p.truth.kind === 'small' && p.truth.faceHeightPx <= 30 && p.reported);
    expect(small.length).toBeGreaterThanOrEqual(2);
    for (const pair of small) {
      expect(pair.reported!.identified).toBe(false);
      expect(pair.reported!.gender).toBeNull();
    }
  });

  test.each(['day1', 'day2', 'strangers'] as const)('%s: occupancy within 1 person for 90 %% of seconds', (name) => {
    expect(occupancyAgreement(runs[name].truth, runs[name].report)).toBeGreaterThanOrEqual(0.9);
  });

  test('the store holds no picture: only the database and the key', () => {
    const files = readdirSync(dataDir).sort();
    expect(files.filter((f) => !/^shopface\.sqlite(-wal|-shm)?$/.test(f))).toEqual(['store.key']);
    // Long enough that random ciphertext cannot contain them by chance: JPEG (JFIF, Exif), PNG, MP4.
    const signatures = ['JFIF\0', 'Exif\0\0', '\x89PNG\r\n\x1a\n', 'ftypisom'].map((s) => Buffer.from(s, 'latin1'));
    for (const file of files) {
      const bytes = readFileSync(path.join(dataDir, file));
      for (const signature of signatures) expect(bytes.includes(signature)).toBe(false);
    }
  });

  test('no frame is dropped when analysing a file', () => {
    for (const run of Object.values(runs)) expect(run.report.totals.framesDropped).toBe(0);
  });
});
