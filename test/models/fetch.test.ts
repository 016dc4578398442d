import { execFile } from 'child_process';
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { REPO_ROOT } from '../../models/loader';

const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

let cacheDir: string;

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'shopface-fetch-'));
});

afterEach(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

function fetchModels(env: Record<string, string>, args: string[] = ['--offline']) {
  return run(TSX, ['models/fetch.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, SHOPFACE_MODEL_CACHE: cacheDir, ...env },
    timeout: 60_000,
  });
}

describe('npm run models', () => {
  test('clean cache with the mirror resolves every model', async () => {
    const { stdout } = await fetchModels({ SHOPFACE_MODEL_MIRROR: '../shared/models-alt' });
    expect(stdout).toMatch(/detector\s+yunet_n_dynamic\.onnx\s+mirror\s+ok/);
    expect(stdout).toMatch(/embedder\s+fr_feature\.onnx\s+npm\s+ok/);
    expect(stdout).toMatch(/ageGender\s+age_gender\.onnx\s+converted\s+ok/);
    expect(readdirSync(cacheDir).sort()).toEqual(['age_gender.onnx', 'yunet_n_dynamic.onnx']);
  }, 60_000);

  test('offline without a mirror exits 1 and names the missing model', async () => {
    const error = await fetchModels({ SHOPFACE_MODEL_MIRROR: '' }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    const failure = error as { code: number; stdout: string; stderr: string };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('model detector (yunet_n_dynamic.onnx) not found');
    expect(failure.stdout).toMatch(/detector\s+yunet_n_dynamic\.onnx\s+missing\s+FAILED/);
    expect(failure.stdout).toMatch(/ageGender\s+age_gender\.onnx\s+converted\s+ok/);
  }, 60_000);

  test('unknown option exits 2', async () => {
    const error = await fetchModels({}, ['--bogus']).catch((e: { code: number; stderr: string }) => e);
    expect((error as { code: number }).code).toBe(2);
    expect((error as { stderr: string }).stderr).toContain('unknown option --bogus');
  }, 60_000);
});
