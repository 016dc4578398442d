/**
 * Readers for the two face datasets the shop scenario draws from:
 * identity-verification (several photos per identity) and utkface-sample
 * (aligned chips with age and gender labels).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Gender } from './types';

export interface IdentityPhotos {
  identity: string;
  gender: Gender | null;
  /** Image paths relative to the identity-verification folder. */
  files: string[];
}

export interface UtkFace {
  /** Image path relative to the utkface-sample folder. */
  file: string;
  age: number;
  gender: Gender;
}

export const IDENTITY_FOLDER = 'identity-verification';
export const UTK_FOLDER = 'utkface-sample';

/** Parses CSV text with a header row, including quoted fields with doubled quotes. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows = splitCsvRows(text).filter((row) => row.length > 1 || row[0] !== '');
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}

function splitCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') cell += text[++i];
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      rows.push([...row, cell.replace(/\r$/, '')]);
      row = [];
      cell = '';
    } else cell += char;
  }
  rows.push([...row, cell.replace(/\r$/, '')]);
  return rows;
}

function readCsv(file: string): Record<string, string>[] {
  if (!fs.existsSync(file)) {
    throw new Error(`dataset file not found: ${file}. Pass the datasets folder that contains ${IDENTITY_FOLDER}/ and ${UTK_FOLDER}/`);
  }
  return parseCsv(fs.readFileSync(file, 'utf8'));
}

function requireColumns(file: string, rows: Record<string, string>[], columns: string[]): void {
  const missing = columns.filter((column) => rows.length > 0 && !(column in rows[0]));
  if (missing.length > 0) throw new Error(`${file}: missing column(s) ${missing.join(', ')}`);
}

function toGender(value: string | undefined): Gender | null {
  return value === 'female' || value === 'male' ? value : null;
}

/** Reads identity-verification/labels.csv and identities.csv, grouped by identity. */
export function loadIdentityPhotos(datasetsDir: string): IdentityPhotos[] {
  const folder = path.join(datasetsDir, IDENTITY_FOLDER);
  const labelsFile = path.join(folder, 'labels.csv');
  const labels = readCsv(labelsFile);
  requireColumns(labelsFile, labels, ['file', 'identity']);
  const gendersFile = path.join(folder, 'identities.csv');
  const genders = new Map(readCsv(gendersFile).map((row) => [row.identity, toGender(row.gender)]));
  const byIdentity = new Map<string, IdentityPhotos>();
  for (const row of labels) {
    const entry = byIdentity.get(row.identity) ?? { identity: row.identity, gender: genders.get(row.identity) ?? null, files: [] };
    entry.files.push(row.file);
    byIdentity.set(row.identity, entry);
  }
  return [...byIdentity.values()].sort((a, b) => a.identity.localeCompare(b.identity));
}

/** Reads utkface-sample/labels.csv (gender 0 = male, 1 = female). */
export function loadUtkFaces(datasetsDir: string): UtkFace[] {
  const labelsFile = path.join(datasetsDir, UTK_FOLDER, 'labels.csv');
  const rows = readCsv(labelsFile);
  requireColumns(labelsFile, rows, ['file', 'age', 'gender']);
  return rows.map((row) => {
    const age = Number(row.age);
    if (!Number.isFinite(age) || (row.gender !== '0' && row.gender !== '1')) {
      throw new Error(`${labelsFile}: invalid age or gender in the row for ${row.file}`);
    }
    return { file: row.file, age, gender: row.gender === '1' ? 'female' : 'male' };
  });
}

/** Checks that both dataset folders exist and throws an error naming the missing one. */
export function requireDatasetsDir(datasetsDir: string): void {
  for (const folder of [IDENTITY_FOLDER, UTK_FOLDER]) {
    const full = path.join(datasetsDir, folder);
    if (!fs.existsSync(full)) {
      throw new Error(`dataset folder not found: ${full}. Pass --datasets (or datasetsDir) pointing to the folder ` +
        `that contains ${IDENTITY_FOLDER}/ and ${UTK_FOLDER}/`);
    }
  }
}
