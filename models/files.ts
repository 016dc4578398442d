/**
 * File helpers for the model loader: hashing, verified atomic copies into the
 * cache, and downloads into the cache.
 */
import { createHash, randomBytes } from 'crypto';
import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';

/** The catalogue facts a file is checked against; `label` names the model in errors. */
export interface ExpectedFile {
  label: string;
  file: string;
  sha256: string;
  bytes: number;
}

export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function fileExists(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Throws when the file's sha256 differs from the catalogue, naming the model, the file and both hashes. */
export async function verifyFile(expected: ExpectedFile, filePath: string, fix: string): Promise<void> {
  const actual = await sha256File(filePath);
  if (actual !== expected.sha256) {
    throw new Error(
      `${expected.label} (${expected.file}): sha256 mismatch for ${filePath}: ` +
        `file has ${actual}, models.json expects ${expected.sha256}. ${fix}`,
    );
  }
}

/** Returns a temp path next to `finalPath`, unique per process and call, to write before the atomic rename. */
export function tempPathFor(finalPath: string): string {
  return `${finalPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Copies a verified file into the cache through a temp file and a rename; returns the cache path. */
export async function copyIntoCache(expected: ExpectedFile, sourcePath: string, cacheDir: string): Promise<string> {
  await fs.mkdir(cacheDir, { recursive: true });
  const finalPath = path.join(cacheDir, expected.file);
  const tempPath = tempPathFor(finalPath);
  try {
    await fs.copyFile(sourcePath, tempPath);
    // A read-only mirror would otherwise hand its mode on to the cache copy.
    await fs.chmod(tempPath, 0o644);
    await verifyFile(expected, tempPath, `The copy from ${sourcePath} changed while it was copied.`);
    await fs.rename(tempPath, finalPath);
  } finally {
    await fs.rm(tempPath, { force: true });
  }
  return finalPath;
}

/**
 * Downloads `url` into the cache: streams the body to a temp file while
 * hashing it, checks the size and sha256, then renames it into place. Nothing
 * is left in the cache when any step fails.
 */
export async function downloadIntoCache(
  expected: ExpectedFile,
  url: string,
  cacheDir: string,
  timeoutMs: number,
): Promise<string> {
  await fs.mkdir(cacheDir, { recursive: true });
  const finalPath = path.join(cacheDir, expected.file);
  const tempPath = tempPathFor(finalPath);
  try {
    const { sha256, bytes } = await fetchToFile(expected, url, tempPath, timeoutMs);
    if (bytes !== expected.bytes || sha256 !== expected.sha256) {
      throw new Error(
        `${expected.label} (${expected.file}): download from ${url} does not match models.json: ` +
          `got ${bytes} bytes with sha256 ${sha256}, expected ${expected.bytes} bytes with sha256 ${expected.sha256}. ` +
          'The upstream file changed or the transfer was altered; the cache was left unchanged.',
      );
    }
    await fs.rename(tempPath, finalPath);
  } finally {
    await fs.rm(tempPath, { force: true });
  }
  return finalPath;
}

async function fetchToFile(
  expected: ExpectedFile,
  url: string,
  tempPath: string,
  timeoutMs: number,
): Promise<{ sha256: string; bytes: number }> {
  const failed = (reason: string) => new Error(`${expected.label} (${expected.file}): download from ${url} failed: ${reason}`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw failed((error as Error).message);
  }
  if (!response.ok || !response.body) throw failed(`HTTP ${response.status}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const handle = await fs.open(tempPath, 'w');
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      await handle.write(chunk);
    }
  } catch (error) {
    throw failed(`after ${bytes} bytes: ${(error as Error).message}`);
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}
