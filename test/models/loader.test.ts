import { createHash } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { loadCatalogue, type ModelCatalogue, type ModelEntry } from '../../models/catalogue';
import { REPO_ROOT, resolveModel, resolveModels } from '../../models/loader';

/** The model mirror beside the repository, as CI passes it (relative to the repository root). */
const MIRROR = '../shared/models-alt';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let tempRoot: string;

beforeEach(() => {
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'shopface-models-'));
});

afterEach(() => {
  rmSync(tempRoot, { recursive: true, force: true });
});

const newDir = (name: string): string => path.join(tempRoot, name);

/** Builds a catalogue whose detector file is `content`, served at `url`. */
function catalogueWithDetector(url: string, content: Uint8Array, file = 'test_detector.onnx'): ModelCatalogue {
  const base = loadCatalogue();
  const detector: ModelEntry = {
    ...base.models.find((m) => m.role === 'detector')!,
    file,
    sha256: sha256(content),
    bytes: content.length,
    source: { kind: 'url', url, repository: 'local/test', path: file },
  };
  return { ...base, models: base.models.map((m) => (m.role === 'detector' ? detector : m)) };
}

/** Starts an HTTP server on 127.0.0.1 that passes every request to `handler` and counts them. */
async function startServer(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void>; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/models/test_detector.onnx`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    hits: () => hits,
  };
}

describe('models.json', () => {
  test('catalogue lists each role once', () => {
    const catalogue = loadCatalogue();
    expect(catalogue.models.map((m) => m.role).sort()).toEqual(['ageGender', 'detector', 'embedder']);
  });

  test('detector hashes match the mirror SHA256SUMS', () => {
    const sums = readFileSync(path.resolve(REPO_ROOT, MIRROR, 'SHA256SUMS'), 'utf8');
    const byFile = new Map(sums.trim().split('\n').map((line) => [line.split(/\s+/)[1], line.split(/\s+/)[0]]));
    const catalogue = loadCatalogue();
    for (const entry of [...catalogue.models, ...catalogue.alternatives]) {
      if (entry.source.kind !== 'url') continue;
      expect(byFile.get(entry.file)).toBe(entry.sha256);
    }
  });

  test('licences allow commercial use', () => {
    const catalogue = loadCatalogue();
    for (const entry of [...catalogue.models, ...catalogue.alternatives]) {
      expect(['MIT', 'Apache-2.0']).toContain(entry.licence);
    }
  });
});

describe('resolveModel', () => {
  test('embedder resolves from its npm package', async () => {
    const model = await resolveModel('embedder', { cacheDir: newDir('cache') });
    expect(model.from).toBe('npm');
    expect(model.path).toContain(path.join('faceplugin-face-recognition-js', 'model', 'fr_feature.onnx'));
    expect(sha256(readFileSync(model.path))).toBe(model.sha256);
  });

  test('detector copies from the mirror, then uses the cache', async () => {
    const cacheDir = newDir('cache');
    const first = await resolveModel('detector', { cacheDir, mirrorDir: MIRROR });
    expect(first.from).toBe('mirror');
    expect(first.path).toBe(path.join(cacheDir, 'yunet_n_dynamic.onnx'));
    expect(sha256(readFileSync(first.path))).toBe(first.sha256);

    const second = await resolveModel('detector', { cacheDir, mirrorDir: MIRROR });
    expect(second.from).toBe('cache');
    expect(second.path).toBe(first.path);
  });

  test('ageGender is converted into the cache', async () => {
    const cacheDir = newDir('cache');
    const model = await resolveModel('ageGender', { cacheDir });
    expect(model.from).toBe('converted');
    expect(model.path).toBe(path.join(cacheDir, 'age_gender.onnx'));
    expect(sha256(readFileSync(model.path))).toBe(model.sha256);
    expect(readdirSync(cacheDir)).toEqual(['age_gender.onnx']);
  });

  test('converter output is checked against the catalogue', async () => {
    const base = loadCatalogue();
    const wrong = '0'.repeat(64);
    const catalogue = { ...base, models: base.models.map((m) => (m.role === 'ageGender' ? { ...m, sha256: wrong } : m)) };
    const cacheDir = newDir('cache');
    const error = await resolveModel('ageGender', { cacheDir, catalogue }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('model ageGender (age_gender.onnx)');
    expect((error as Error).message).toContain(wrong);
    expect((error as Error).message).toContain('no longer reproduces');
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  test('resolveModels returns every role', async () => {
    const models = await resolveModels({ cacheDir: newDir('cache'), mirrorDir: MIRROR });
    expect(Object.keys(models).sort()).toEqual(['ageGender', 'detector', 'embedder']);
    for (const [role, model] of Object.entries(models)) {
      expect(model.role).toBe(role);
      expect(existsSync(model.path)).toBe(true);
    }
  });

  test('corrupt cache file names model, file and both hashes', async () => {
    const cacheDir = newDir('cache');
    const content = Buffer.from('not a model');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, 'yunet_n_dynamic.onnx'), content);
    const expected = loadCatalogue().models.find((m) => m.role === 'detector')!.sha256;
    const error = await resolveModel('detector', { cacheDir, mirrorDir: MIRROR }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('model detector');
    expect(message).toContain('yunet_n_dynamic.onnx');
    expect(message).toContain(sha256(content));
    expect(message).toContain(expected);
  });

  test('missing model without downloads names the places looked at', async () => {
    const cacheDir = newDir('cache');
    const error = await resolveModel('detector', { cacheDir, mirrorDir: newDir('empty-mirror') }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('model detector (yunet_n_dynamic.onnx) not found');
    expect(message).toContain(cacheDir);
    expect(message).toContain('Downloads are disabled');
  });

  test('relative mirror path ignores the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      const model = await resolveModel('detector', { cacheDir: newDir('cache'), mirrorDir: MIRROR });
      expect(model.from).toBe('mirror');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('download path', () => {
  const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251));

  test('downloads into the cache after the sha256 check', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(content);
    });
    try {
      const cacheDir = newDir('cache');
      const catalogue = catalogueWithDetector(server.url, content);
      const model = await resolveModel('detector', { cacheDir, catalogue, allowDownload: true });
      expect(model.from).toBe('download');
      expect(readFileSync(model.path).equals(content)).toBe(true);
      expect(readdirSync(cacheDir)).toEqual(['test_detector.onnx']);

      const again = await resolveModel('detector', { cacheDir, catalogue, allowDownload: true });
      expect(again.from).toBe('cache');
      expect(server.hits()).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('no download when allowDownload is false', async () => {
    const server = await startServer((_req, res) => res.end(content));
    try {
      const catalogue = catalogueWithDetector(server.url, content);
      await expect(resolveModel('detector', { cacheDir: newDir('cache'), catalogue })).rejects.toThrow(/Downloads are disabled/);
      expect(server.hits()).toBe(0);
    } finally {
      await server.close();
    }
  });

  test('sha256 mismatch leaves the cache empty', async () => {
    const tampered = Buffer.from(content);
    tampered[100] ^= 0xff;
    const server = await startServer((_req, res) => res.end(tampered));
    try {
      const cacheDir = newDir('cache');
      const catalogue = catalogueWithDetector(server.url, content);
      const error = await resolveModel('detector', { cacheDir, catalogue, allowDownload: true }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain('model detector (test_detector.onnx)');
      expect(message).toContain(sha256(tampered));
      expect(message).toContain(sha256(content));
      expect(readdirSync(cacheDir)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('HTTP error status is reported', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(404);
      res.end('missing');
    });
    try {
      const cacheDir = newDir('cache');
      const catalogue = catalogueWithDetector(server.url, content);
      await expect(resolveModel('detector', { cacheDir, catalogue, allowDownload: true })).rejects.toThrow(/HTTP 404/);
      expect(readdirSync(cacheDir)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('stalled server times out', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write(content.subarray(0, 100));
    });
    try {
      const cacheDir = newDir('cache');
      const catalogue = catalogueWithDetector(server.url, content);
      const options = { cacheDir, catalogue, allowDownload: true, downloadTimeoutMs: 300 };
      await expect(resolveModel('detector', options)).rejects.toThrow(/download from .* failed/);
      expect(readdirSync(cacheDir)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 10_000);
});
