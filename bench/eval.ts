/**
 * `npm run eval -- [--data DIR] [--json FILE] [--report FILE] [--quick]`
 *
 * Measures detection, verification, open-set search, age and gender through
 * the product's own code path on the labelled data sets (see docs/accuracy.md)
 * and writes JSON, a Markdown report and SVG plots beside the JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../models/loader';
import { evalMarkdown, evalPlots, evalSummary } from './eval/report';
import { defaultDatasetsDir, runEval } from './eval/run-eval';

interface Args {
  data: string;
  json: string;
  report: string;
  quick: boolean;
}

const USAGE = 'usage: npm run eval -- [--data DIR] [--json FILE] [--report FILE] [--quick]';

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const name = quick ? 'eval-quick' : 'eval';
  const args: Args = { data: defaultDatasetsDir(), json: path.join(REPO_ROOT, 'bench/out', `${name}.json`), report: '', quick };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') continue;
    const value = argv[i + 1];
    if (!['--data', '--json', '--report'].includes(flag)) throw new Error(`unknown option "${flag}"; ${USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`option ${flag} needs a value; ${USAGE}`);
    args[flag.slice(2) as 'data' | 'json' | 'report'] = path.resolve(value);
    i++;
  }
  if (!args.report) args.report = args.json.replace(/\.json$/, '') + '.md';
  return args;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(`${USAGE}\n\nMeasures detection, verification, open-set search, age and gender on a folder laid out like\nthe shared face data sets (default: $SHOPFACE_DATASETS, else ../shared/datasets); see docs/accuracy.md.`);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const result = await runEval({ datasetsDir: args.data, quick: args.quick, onProgress: (m) => console.error(`eval: ${m}`) });
  console.log(evalSummary(result));
  const jsonDir = path.dirname(args.json);
  mkdirSync(jsonDir, { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  const prefix = path.basename(args.json, '.json');
  const plots = evalPlots(result, prefix);
  for (const [file, svg] of Object.entries(plots)) writeFileSync(path.join(jsonDir, file), svg);
  mkdirSync(path.dirname(args.report), { recursive: true });
  writeFileSync(args.report, evalMarkdown(result, path.relative(path.dirname(args.report), jsonDir) || '.', prefix));
  console.log(`wrote ${args.json}, ${args.report} and ${Object.keys(plots).length} SVG plots (${prefix}-*.svg) in ${jsonDir}`);
}

main().catch((error: unknown) => {
  console.error(`eval failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
