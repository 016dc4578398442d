/**
 * Types and validation of models/models.json, the catalogue of every model
 * file the plugin runs: where it comes from, its sha256 and its I/O contract.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import type { ModelRole } from '../plugin/inference/session';

export const MODEL_ROLES: readonly ModelRole[] = ['detector', 'embedder', 'ageGender'];

/** A file published on the web (the download URL and the repository path it comes from). */
export interface UrlSource {
  kind: 'url';
  url: string;
  repository: string;
  path: string;
}

/** A file shipped inside an installed npm package. */
export interface NpmSource {
  kind: 'npm';
  package: string;
  version: string;
  /** Path inside the package folder. */
  path: string;
}

/** A model built locally by a converter from files of an installed npm package. */
export interface ConvertedSource {
  kind: 'converted';
  converter: string;
  package: string;
  version: string;
  files: { path: string; sha256: string; bytes: number }[];
}

export type ModelSource = UrlSource | NpmSource | ConvertedSource;

export interface InputContract {
  name: string;
  /** Dimensions; a string names a dimension that varies. */
  shape: (number | string)[];
  layout: 'NCHW';
  colour: 'RGB' | 'BGR';
  normalisation: string;
}

export interface CatalogueFile {
  file: string;
  sha256: string;
  bytes: number;
  licence: string;
  source: ModelSource;
  input: InputContract;
  outputs: { name: string; shape: (number | string)[] }[];
  notes?: string;
}

export interface ModelEntry extends CatalogueFile {
  role: ModelRole;
}

export interface ModelCatalogue {
  models: ModelEntry[];
  /** Files that no pipeline role uses (baselines, fixed-shape exports); listed for provenance only. */
  alternatives: CatalogueFile[];
}

export const CATALOGUE_PATH = path.join(__dirname, 'models.json');

/** Reads and validates models/models.json (or another catalogue file). */
export function loadCatalogue(file = CATALOGUE_PATH): ModelCatalogue {
  const catalogue = JSON.parse(readFileSync(file, 'utf8')) as ModelCatalogue;
  validateCatalogue(catalogue, file);
  return catalogue;
}

/** Throws with the offending entry and field when the catalogue is malformed. */
export function validateCatalogue(catalogue: ModelCatalogue, origin = 'model catalogue'): void {
  if (!Array.isArray(catalogue.models)) throw new Error(`${origin}: "models" must be an array`);
  for (const entry of [...catalogue.models, ...(catalogue.alternatives ?? [])]) validateFile(entry, origin);
  for (const role of MODEL_ROLES) {
    const count = catalogue.models.filter((m) => m.role === role).length;
    if (count !== 1) throw new Error(`${origin}: expected exactly one model with role "${role}", found ${count}`);
  }
}

function validateFile(entry: CatalogueFile, origin: string): void {
  const where = `${origin}: entry "${entry.file}"`;
  if (typeof entry.file !== 'string' || entry.file !== path.basename(entry.file) || entry.file === '') {
    throw new Error(`${where}: "file" must be a plain file name`);
  }
  if (!/^[0-9a-f]{64}$/.test(entry.sha256)) throw new Error(`${where}: "sha256" must be 64 lowercase hex digits`);
  if (!Number.isInteger(entry.bytes) || entry.bytes <= 0) throw new Error(`${where}: "bytes" must be a positive integer`);
  if (!entry.licence) throw new Error(`${where}: "licence" is missing`);
  if (!['url', 'npm', 'converted'].includes(entry.source?.kind)) {
    throw new Error(`${where}: "source.kind" must be url, npm or converted`);
  }
  if (!entry.input?.name) throw new Error(`${where}: "input.name" is missing`);
}

/** Returns the catalogue entry of a role. */
export function entryForRole(catalogue: ModelCatalogue, role: ModelRole): ModelEntry {
  const entry = catalogue.models.find((m) => m.role === role);
  if (!entry) throw new Error(`model catalogue has no model with role "${role}"`);
  return entry;
}
