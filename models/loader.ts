/**
 * Resolves the model files listed in models/models.json to local paths, each
 * checked against its catalogue sha256. Lookup order per model:
 *   1. its npm package (installed in node_modules),
 *   2. the local cache (default <repo>/.cache/models, env SHOPFACE_MODEL_CACHE),
 *   3. a mirror folder (env SHOPFACE_MODEL_MIRROR), copied into the cache,
 *   4. for a converted model, the converter writing into the cache,
 *   5. a download from its URL into the cache, only when allowDownload is true.
 * Relative cache and mirror paths are resolved against the repository root.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { ModelRole } from '../plugin/inference/session';
import { entryForRole, loadCatalogue, MODEL_ROLES, type ModelCatalogue, type ModelEntry } from './catalogue';
import { writeAgeGenderModel } from './convert-age-gender';
import { copyIntoCache, downloadIntoCache, fileExists, tempPathFor, verifyFile, type ExpectedFile } from './files';

export const REPO_ROOT = path.resolve(__dirname, '..');

export type ResolvedFrom = 'npm' | 'cache' | 'mirror' | 'converted' | 'download';

export interface ResolvedModel {
  role: ModelRole;
  file: string;
  /** Absolute path of the verified file. */
  path: string;
  sha256: string;
  bytes: number;
  /** Lookup step that produced the file in this call. */
  from: ResolvedFrom;
}

export interface ResolveOptions {
  /** Cache folder; default env SHOPFACE_MODEL_CACHE, else <repo>/.cache/models. */
  cacheDir?: string;
  /** Folder holding model files by name; default env SHOPFACE_MODEL_MIRROR, else none. */
  mirrorDir?: string;
  /** Allow downloads from the catalogue URLs (default false). */
  allowDownload?: boolean;
  /** Download time limit in milliseconds (default 120 000). */
  downloadTimeoutMs?: number;
  /** Catalogue to resolve from (default models/models.json). */
  catalogue?: ModelCatalogue;
}

interface Settings {
  cacheDir: string;
  mirrorDir: string | null;
  allowDownload: boolean;
  downloadTimeoutMs: number;
}

const DEFAULT_DOWNLOAD_TIMEOUT_MS = 120_000;
/** The only converter there is; a converted catalogue entry must name it. */
const AGE_GENDER_CONVERTER = 'models/convert-age-gender.ts';

export function defaultCacheDir(): string {
  return path.resolve(REPO_ROOT, process.env.SHOPFACE_MODEL_CACHE || '.cache/models');
}

function settingsFrom(options: ResolveOptions): Settings {
  const mirror = options.mirrorDir ?? process.env.SHOPFACE_MODEL_MIRROR;
  return {
    cacheDir: options.cacheDir ? path.resolve(REPO_ROOT, options.cacheDir) : defaultCacheDir(),
    mirrorDir: mirror ? path.resolve(REPO_ROOT, mirror) : null,
    allowDownload: options.allowDownload ?? false,
    downloadTimeoutMs: options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
  };
}

/** Resolves every pipeline model (detector, embedder, ageGender). */
export async function resolveModels(options: ResolveOptions = {}): Promise<Record<ModelRole, ResolvedModel>> {
  const catalogue = options.catalogue ?? loadCatalogue();
  const resolved = {} as Record<ModelRole, ResolvedModel>;
  for (const role of MODEL_ROLES) resolved[role] = await resolveModel(role, { ...options, catalogue });
  return resolved;
}

/** Resolves one model by role; throws naming the model and every place looked at when it is not found. */
export async function resolveModel(role: ModelRole, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const entry = entryForRole(options.catalogue ?? loadCatalogue(), role);
  const settings = settingsFrom(options);
  const found = await locate(entry, settings);
  return { role, file: entry.file, path: found.path, sha256: entry.sha256, bytes: entry.bytes, from: found.from };
}

function expectedOf(entry: ModelEntry): ExpectedFile {
  return { label: `model ${entry.role}`, file: entry.file, sha256: entry.sha256, bytes: entry.bytes };
}

async function locate(entry: ModelEntry, settings: Settings): Promise<{ path: string; from: ResolvedFrom }> {
  const expected = expectedOf(entry);
  const npmPath = packagedPath(entry);
  if (npmPath && (await fileExists(npmPath))) {
    await verifyFile(expected, npmPath, `Reinstall the package version that models.json names (npm ci).`);
    return { path: npmPath, from: 'npm' };
  }
  const cachePath = path.join(settings.cacheDir, entry.file);
  if (await fileExists(cachePath)) {
    await verifyFile(expected, cachePath, 'Delete the cached file and run `npm run models` again.');
    return { path: cachePath, from: 'cache' };
  }
  const mirrorPath = settings.mirrorDir ? path.join(settings.mirrorDir, entry.file) : null;
  if (mirrorPath && (await fileExists(mirrorPath))) {
    await verifyFile(expected, mirrorPath, `Replace the file in the mirror ${settings.mirrorDir}.`);
    return { path: await copyIntoCache(expected, mirrorPath, settings.cacheDir), from: 'mirror' };
  }
  if (entry.source.kind === 'converted') {
    return { path: await convertIntoCache(entry, settings.cacheDir), from: 'converted' };
  }
  if (entry.source.kind === 'url' && settings.allowDownload) {
    const downloaded = await downloadIntoCache(expected, entry.source.url, settings.cacheDir, settings.downloadTimeoutMs);
    return { path: downloaded, from: 'download' };
  }
  throw notFoundError(entry, settings, npmPath, cachePath, mirrorPath);
}

/** Returns the model's path inside its installed npm package, or null when it has no npm source or the package is missing. */
function packagedPath(entry: ModelEntry): string | null {
  if (entry.source.kind !== 'npm') return null;
  try {
    return path.join(path.dirname(require.resolve(`${entry.source.package}/package.json`)), entry.source.path);
  } catch {
    return null;
  }
}

/** Checks the converter's input files against the catalogue, converts into a temp file, verifies it and renames it into the cache. */
async function convertIntoCache(entry: ModelEntry, cacheDir: string): Promise<string> {
  const source = entry.source;
  if (source.kind !== 'converted' || source.converter !== AGE_GENDER_CONVERTER) {
    throw new Error(`model ${entry.role}: no converter for this entry (only ${AGE_GENDER_CONVERTER} exists)`);
  }
  const packageDir = installedPackageDir(entry.role, source.package, source.version);
  for (const input of source.files) {
    const expected = { label: `model ${entry.role} converter input`, file: input.path, sha256: input.sha256, bytes: input.bytes };
    await verifyFile(expected, path.join(packageDir, input.path), `Install ${source.package}@${source.version} (npm ci).`);
  }
  const finalPath = path.join(cacheDir, entry.file);
  const tempPath = tempPathFor(finalPath);
  try {
    writeAgeGenderModel(tempPath, packageDir);
    const fix = `The converter ${source.converter} no longer reproduces the catalogued model; update models.json only after checking its accuracy.`;
    await verifyFile(expectedOf(entry), tempPath, fix);
    await fs.rename(tempPath, finalPath);
  } finally {
    await fs.rm(tempPath, { force: true });
  }
  return finalPath;
}

function installedPackageDir(role: ModelRole, packageName: string, version: string): string {
  try {
    return path.dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    throw new Error(`model ${role}: the converter needs the npm package ${packageName}@${version}, which is not installed; run npm ci`);
  }
}

function notFoundError(
  entry: ModelEntry,
  settings: Settings,
  npmPath: string | null,
  cachePath: string,
  mirrorPath: string | null,
): Error {
  const looked = [npmPath ? `npm package (${npmPath})` : null, `cache (${cachePath})`, mirrorPath ? `mirror (${mirrorPath})` : 'no mirror (SHOPFACE_MODEL_MIRROR unset)'];
  const download = entry.source.kind === 'url' && !settings.allowDownload ? ' Downloads are disabled.' : '';
  return new Error(
    `model ${entry.role} (${entry.file}) not found; looked in: ${looked.filter(Boolean).join(', ')}.${download} ` +
      'Run `npm run models` (downloads allowed) or set SHOPFACE_MODEL_MIRROR to a folder that holds the file.',
  );
}
