/** Renders an EvalResult as a console table, a Markdown report and SVG plots. */
import { barChart, heatMap, lineChart } from '../plot/svg';
import type { EvalResult } from './run-eval';

/** File names of the plots, starting with `prefix` (the JSON file's name without .json). */
export function plotFiles(prefix: string): { roc: string; confusion: string; raceGender: string; raceAge: string } {
  return {
    roc: `${prefix}-roc.svg`,
    confusion: `${prefix}-age-confusion.svg`,
    raceGender: `${prefix}-race-gender.svg`,
    raceAge: `${prefix}-race-age.svg`,
  };
}

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : '-');
const num = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** Builds the SVG plots, keyed by file name (plotFiles(prefix)). */
export function evalPlots(result: EvalResult, prefix: string): Record<string, string> {
  const PLOT_FILES = plotFiles(prefix);
  const v = result.verification;
  const races = result.byRace;
  return {
    [PLOT_FILES.roc]: lineChart({
      title: `Verification ROC (${v.genuine.pairs} genuine, ${v.impostor.pairs} impostor pairs)`,
      xLabel: 'false accept rate (log scale)',
      yLabel: 'true accept rate',
      series: [{ name: 'YuNet + fr_feature', points: v.roc.map((p) => [p.far, p.tar] as [number, number]) }],
      xRange: [1e-4, 1],
      xLog: true,
      xTicks: [1e-4, 1e-3, 1e-2, 1e-1, 1],
      yRange: [0.5, 1],
      yTicks: [0.5, 0.6, 0.7, 0.8, 0.9, 1],
    }),
    [PLOT_FILES.confusion]: heatMap({
      title: `Age band confusion (utkface-sample, ${result.age.n} chips)`,
      xLabel: 'predicted band',
      yLabel: 'labelled band',
      rowLabels: result.age.confusion.bands,
      columnLabels: result.age.confusion.bands,
      counts: result.age.confusion.counts,
    }),
    [PLOT_FILES.raceGender]: barChart({
      title: 'Gender by race label (utkface-sample, labelled 18+)',
      yLabel: 'percent',
      categories: races.map((r) => r.race),
      series: [
        { name: 'accuracy', values: races.map((r) => 100 * r.gender.accuracyAdults) },
        { name: 'abstained', values: races.map((r) => 100 * r.gender.abstentionRateAdults) },
      ],
      yRange: [0, 100],
      yTicks: [0, 20, 40, 60, 80, 100],
      decimals: 1,
    }),
    [PLOT_FILES.raceAge]: barChart({
      title: 'Age error by race label (utkface-sample)',
      yLabel: 'years / percent',
      categories: races.map((r) => r.race),
      series: [
        { name: 'MAE 18-70 (years)', values: races.map((r) => r.age.mae18to70) },
        { name: 'band accuracy (%)', values: races.map((r) => 100 * r.age.productBandAccuracy) },
      ],
      yRange: [0, 100],
      yTicks: [0, 20, 40, 60, 80, 100],
      decimals: 1,
    }),
  };
}

function detectionLines(result: EvalResult): string[] {
  const d = result.detection;
  return [
    `| face height | pseudo-GT faces | recall | detections | precision |`,
    `|---|---|---|---|---|`,
    ...d.byHeight.map((b) => `| ${b.label} px | ${b.groundTruth} | ${pct(b.recall)} | ${b.detections} | ${pct(b.precision)} |`),
    `| all | ${d.groundTruth} | ${pct(d.recall)} | ${d.detections} | ${pct(d.precision)} |`,
    `| **>= 40 px** | | **${pct(d.recall40)}** | | |`,
  ];
}

function verificationLines(result: EvalResult): string[] {
  const v = result.verification;
  const c = v.crossImpostor;
  return [
    `| figure | value |`,
    `|---|---|`,
    `| faces / people | ${v.faces} / ${v.identities} |`,
    `| genuine pairs: mean ± sd | ${v.genuine.pairs}: ${num(v.genuine.mean)} ± ${num(v.genuine.sd)} |`,
    `| impostor pairs: mean ± sd, max | ${v.impostor.pairs}: ${num(v.impostor.mean)} ± ${num(v.impostor.sd)}, ${num(v.impostor.max)} |`,
    `| TAR at FAR 1 % (threshold) | ${pct(v.tarAtFar1)} (${num(v.thresholdAtFar1)}) |`,
    `| TAR at FAR 0.1 % (threshold) | ${pct(v.tarAtFar01)} (${num(v.thresholdAtFar01)}) |`,
    `| UTKFace chips vs identity photos, impostor: mean ± sd, max | ${c.pairs}: ${num(c.mean)} ± ${num(c.sd)}, ${num(c.max)} |`,
    ...c.tail.map((t) => `| same, share >= mean + ${t.k} sd (normal model) | ${t.observed.toExponential(2)} (${t.normal.toExponential(2)}) |`),
  ];
}

function attributeLines(result: EvalResult): string[] {
  const a = result.age;
  const g = result.gender;
  const id = g.identities;
  return [
    `| figure | value |`,
    `|---|---|`,
    `| UTKFace chips / no face found / kept from demographics by the gate | ${a.chips} / ${a.noFace} / ${a.gated} |`,
    `| age MAE all / 18-70 (years) | ${num(a.maeAll, 2)} / ${num(a.mae18to70, 2)} |`,
    `| same decade | ${pct(a.band10Accuracy)} |`,
    `| same product band, all / 18-70 / within one band | ${pct(a.productBandAccuracy)} / ${pct(a.productBandAccuracy18to70)} / ${pct(a.productBandWithinOne)} |`,
    `| gender accuracy all / 18+ (pMale >= 0.5) | ${pct(g.accuracy)} / ${pct(g.accuracyAdults)} |`,
    `| fuseAttributes on one sample, 18+: abstained / accuracy of reported | ${pct(g.abstentionRateAdults)} / ${pct(g.accuracyReportedAdults)} |`,
    `| identity-verification gender, photos with output (of ${id.photos}) | ${pct(id.accuracy)} (${id.withAttributes}) |`,
    `| same, model on every face, gate ignored | ${pct(id.accuracyUngated)} (${id.ungatedPhotos}) |`,
    `| same, per person fused: right / abstained / people | ${id.peopleRight} / ${id.peopleAbstained} / ${id.people} |`,
  ];
}

function raceLines(result: EvalResult): string[] {
  return [
    `| race label | chips | gender acc 18+ | abstained 18+ | age MAE 18-70 | band acc |`,
    `|---|---|---|---|---|---|`,
    ...result.byRace.map(
      (r) => `| ${r.race} | ${r.chips} | ${pct(r.gender.accuracyAdults)} | ${pct(r.gender.abstentionRateAdults)} | ${num(r.age.mae18to70, 2)} | ${pct(r.age.productBandAccuracy)} |`,
    ),
  ];
}

function openSetLines(result: EvalResult): string[] {
  const o = result.openSet;
  const ch = result.children;
  return [
    `| gallery | real / synthetic entries | mated / non-mated searches | FNIR at FPIR 1 % (thr) | FNIR at FPIR 0.1 % (thr) | product threshold | FPIR / FNIR there |`,
    `|---|---|---|---|---|---|---|`,
    ...o.galleries.map(
      (g) =>
        `| ${g.gallerySize} | ${g.enrolledPeople + g.realFillers} / ${g.syntheticFillers} | ${g.matedSearches} / ${g.nonMatedSearches} | ` +
        `${pct(g.atFpir1.fnir)} (${num(g.atFpir1.threshold)}) | ${pct(g.atFpir01.fnir)} (${num(g.atFpir01.threshold)}) | ` +
        `${num(g.product.threshold)} | ${pct(g.product.fpir)} / ${pct(g.product.fnir)} |`,
    ),
    '',
    `UTKFace chips left out as the same person as an identity-verification photo (score >= ${o.duplicateScore}): ${result.utkDroppedAsIdentityPeople}.`,
    `Adult UTKFace chips with a template: ${o.chips}, of which ${o.duplicatesDropped} dropped as the same person as an earlier chip (score >= ${o.duplicateScore}).`,
    `Impostor scores behind the synthetic entries: ${o.impostor.pairs} real pairs, mean ${num(o.impostor.mean)} ± ${num(o.impostor.sd)}, max ${num(o.impostor.max)}; ` +
      `share >= mean + 4 sd: ${o.impostor.tail[2].observed.toExponential(2)} (a normal distribution: ${o.impostor.tail[2].normal.toExponential(2)}).`,
    ...o.tailFit.map(
      (t) => `Gallery ${t.gallerySize}: FPIR 1 % needs threshold ${num(t.measuredThreshold)}; a normal impostor model reaches it with mean ${num(o.impostor.mean)} and sd ${num(t.equivalentSd)} (z = ${num(t.z, 2)}).`,
    ),
    `Children (labelled under 13): ${ch.chips} chips, ${ch.stats.pairs} pairs of different chips, mean ${num(ch.stats.mean)} ± ${num(ch.stats.sd)}; ` +
      `${pct(ch.aboveThreshold1k, 2)} of pairs reach the 1 000-visitor threshold ${num(ch.threshold1k)}.`,
  ];
}

function versionLines(result: EvalResult): string[] {
  const v = result.versions;
  const s = v.settings;
  return [
    `Node ${v.node}, onnxruntime-node ${v.onnxruntime}.`,
    '',
    `| model | file | sha256 |`,
    `|---|---|---|`,
    ...v.models.map((m) => `| ${m.role} | ${m.file} | \`${m.sha256}\` |`),
    '',
    `Settings: detector score >= ${s.detection.scoreThreshold}, input width ${s.detection.inputWidth}; quality ${JSON.stringify(s.quality)}; ` +
      `single-face photos padded by ${s.singleFacePadding} of their size on each side; fusion ${JSON.stringify(s.fusion)}; ` +
      `identity target FPIR ${s.identity.targetFpir}, minimum threshold ${s.identity.minThreshold}, ${s.identity.templatesPerVisitor} templates per visitor; ` +
      `impostor prior ${JSON.stringify(s.impostorPrior)}.`,
    '',
    `| visitors | templates | product threshold |`,
    `|---|---|---|`,
    ...s.thresholds.map((t) => `| ${t.visitors} | ${t.templates} | ${num(t.threshold)} |`),
  ];
}

/** Renders the Markdown report; `plotDir` is the plots' folder relative to the report and `prefix` their name prefix. */
export function evalMarkdown(result: EvalResult, plotDir: string, prefix: string): string {
  const PLOT_FILES = plotFiles(prefix);
  const img = (file: string, alt: string) => `![${alt}](${plotDir}/${file})`;
  return [
    `# Accuracy evaluation${result.quick ? ' (quick subset)' : ''}`,
    '',
    `Data: ${result.datasetsDir}. Run time ${result.durationS.toFixed(0)} s.`,
    '',
    `## Detection (multiface-photos, ${result.detection.photos.length} photos, pseudo ground truth, IoU >= 0.4)`,
    '',
    ...detectionLines(result),
    '',
    '## Verification (identity-verification)',
    '',
    ...verificationLines(result),
    '',
    img(PLOT_FILES.roc, 'ROC curve'),
    '',
    '## Age and gender',
    '',
    ...attributeLines(result),
    '',
    img(PLOT_FILES.confusion, 'age band confusion matrix'),
    '',
    '### By race label (fairness check; the product never outputs race)',
    '',
    ...raceLines(result),
    '',
    img(PLOT_FILES.raceGender, 'gender by race label'),
    img(PLOT_FILES.raceAge, 'age by race label'),
    '',
    '## Open-set search (FNIR at fixed FPIR)',
    '',
    'The galleries are filled up to their size with SYNTHETIC entries: each one is only a score against the probe, drawn from a kernel density estimate of the real impostor scores below.',
    '',
    ...openSetLines(result),
    '',
    '## Versions and settings',
    '',
    ...versionLines(result),
    '',
  ].join('\n');
}

/** Formats a short plain-text summary for the terminal. */
export function evalSummary(result: EvalResult): string {
  const d = result.detection;
  const v = result.verification;
  const lines = [
    `detection   recall ${pct(d.recall)} (>= 40 px ${pct(d.recall40)}), precision ${pct(d.precision)} on ${d.groundTruth} faces in ${d.photos.length} photos`,
    ...d.byHeight.map((b) => `            ${b.label.padEnd(6)} px  recall ${pct(b.recall).padStart(8)} of ${String(b.groundTruth).padStart(4)}   precision ${pct(b.precision).padStart(8)} of ${b.detections}`),
    `verify      TAR ${pct(v.tarAtFar1)} at FAR 1 %, ${pct(v.tarAtFar01)} at FAR 0.1 %; genuine ${num(v.genuine.mean)} ± ${num(v.genuine.sd)}`,
    `impostor    identity pairs ${num(v.impostor.mean)} ± ${num(v.impostor.sd)} (${v.impostor.pairs}); UTK vs identity ${num(v.crossImpostor.mean)} ± ${num(v.crossImpostor.sd)} (${v.crossImpostor.pairs}); open-set pool ${num(result.openSet.impostor.mean)} ± ${num(result.openSet.impostor.sd)} (${result.openSet.impostor.pairs})`,
    `age         MAE ${num(result.age.maeAll, 2)} y all, ${num(result.age.mae18to70, 2)} y 18-70; decade ${pct(result.age.band10Accuracy)}, product band ${pct(result.age.productBandAccuracy)}`,
    `gender      ${pct(result.gender.accuracy)} all, ${pct(result.gender.accuracyAdults)} 18+, abstained 18+ ${pct(result.gender.abstentionRateAdults)}; identities ${pct(result.gender.accuracyIdentities)}`,
    ...result.byRace.map((r) => `  ${r.race.padEnd(8)} gender 18+ ${pct(r.gender.accuracyAdults).padStart(8)}  MAE 18-70 ${num(r.age.mae18to70, 2).padStart(6)}  band ${pct(r.age.productBandAccuracy)}`),
    ...result.openSet.galleries.map(
      (g) => `open-set    G=${String(g.gallerySize).padEnd(5)} FNIR ${pct(g.atFpir1.fnir)} @FPIR 1 %, ${pct(g.atFpir01.fnir)} @FPIR 0.1 %; product thr ${num(g.product.threshold)}: FPIR ${pct(g.product.fpir)}, FNIR ${pct(g.product.fnir)}`,
    ),
    ...result.openSet.tailFit.map((t) => `tail fit    G=${t.gallerySize}: FPIR 1 % at ${num(t.measuredThreshold)} = mean ${num(result.openSet.impostor.mean)} + ${num(t.z, 2)} x sd ${num(t.equivalentSd)}`),
    `children    ${pct(result.children.aboveThreshold1k, 2)} of child pairs reach the 1 000-visitor threshold`,
  ];
  return lines.join('\n');
}
