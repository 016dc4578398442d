/**
 * The accuracy evaluation behind `npm run eval` and the regression test:
 * every figure comes from the product's own code path (config defaults,
 * analyzeFrame, fuseAttributes, calibratedThreshold).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseConfig, type Config } from '../../plugin/config/config';
import { DEFAULT_FUSION_OPTIONS } from '../../plugin/attributes/fusion';
import { IMPOSTOR_PRIOR } from '../../plugin/identity/impostor-prior';
import { calibratedThreshold, normalQuantile, perComparisonRate } from '../../plugin/identity/threshold';
import { OrtRunner } from '../../plugin/inference/session';
import { frameAnalysisOptions } from '../../plugin/pipeline/options';
import { REPO_ROOT, resolveModels } from '../../models/loader';
import { cosine } from '../../plugin/embed/similarity';
import { share } from './stats';
import { evaluateDetection, type DetectionEval } from './detection';
import { analysePhoto, readIdentityPhotos, readUtkChips, spread, SINGLE_FACE_PADDING, type UtkChip } from './faces';
import { scoreIdentityGender, scoreUtk, type AttributeEval, type IdentityGenderEval, type ScoredChip } from './attributes';
import { crossScores, evaluateVerification, impostorStats, pairScores, type ImpostorStats, type Template, type VerificationEval } from './verification';
import { evaluateOpenSet, type GalleryEval } from './open-set';

export interface EvalOptions {
  datasetsDir: string;
  /** Small subset: 300 UTKFace chips, 6 multiface photos, every identity photo. */
  quick: boolean;
  onProgress?: (message: string) => void;
}

/**
 * Two adult UTKFace chips scoring at least this are taken for the same
 * person. On identity-verification no impostor pair reaches 0.46 and genuine
 * pairs average 0.73, while adult UTKFace pairs above 0.6 were visibly the
 * same person at other ages.
 */
export const SAME_PERSON_SCORE = 0.6;
/**
 * Among children only exact duplicates are dropped, because children of
 * different families score 0.55-0.7 against each other, the effect measured.
 */
export const EXACT_DUPLICATE_SCORE = 0.95;
/** Chips labelled below this age count as children. */
export const CHILD_AGE = 13;

export interface ChildImpostors {
  chips: number;
  stats: ImpostorStats;
  /** Share of child pairs at or above the product's threshold for 1 000 visitors with one template each. */
  aboveThreshold1k: number;
  threshold1k: number;
}

export const QUICK_LIMITS = { utkChips: 300, multifacePhotos: 6 } as const;

export interface EvalResult {
  version: 1;
  quick: boolean;
  datasetsDir: string;
  durationS: number;
  detection: DetectionEval;
  verification: VerificationEval;
  age: AttributeEval['age'] & { chips: number; noFace: number; gated: number; confusion: AttributeEval['confusion'] };
  gender: AttributeEval['gender'] & { accuracyIdentities: number; identities: IdentityGenderEval };
  byRace: AttributeEval['byRace'];
  /** UTKFace chips left out of the impostor scores because they match an identity-verification person (a celebrity in both sets). */
  utkDroppedAsIdentityPeople: number;
  /** Open-set search with UTKFace fillers and strangers labelled 18 or older. */
  openSet: OpenSetEval;
  /** Impostor scores between different children (labelled under CHILD_AGE): their templates are much alike. */
  children: ChildImpostors;
  versions: Versions;
}

export interface OpenSetEval {
  /** Chips with a template in the population, before duplicates were dropped. */
  chips: number;
  /** Template score at or above which two chips are taken for the same person (one is dropped). */
  duplicateScore: number;
  duplicatesDropped: number;
  /** The real impostor scores the synthetic gallery entries are drawn like. */
  impostor: ImpostorStats;
  galleries: GalleryEval[];
  /** Per gallery size: the impostor sd that would make the product's threshold hit the target FPIR measured here. */
  tailFit: TailFit[];
}

export interface TailFit {
  gallerySize: number;
  /** The threshold at which FPIR measured 1 % (targetFpir is assumed to be 0.01). */
  measuredThreshold: number;
  perComparisonRate: number;
  z: number;
  equivalentSd: number;
}

export interface Versions {
  node: string;
  onnxruntime: string;
  models: { role: string; file: string; sha256: string }[];
  settings: {
    detection: { scoreThreshold: number; inputWidth: number };
    quality: Record<string, unknown>;
    singleFacePadding: number;
    fusion: typeof DEFAULT_FUSION_OPTIONS;
    identity: { targetFpir: number; minThreshold: number; templatesPerVisitor: number };
    impostorPrior: typeof IMPOSTOR_PRIOR;
    /** The product's threshold for 100, 1 000 and 10 000 visitors with templatesPerVisitor templates each. */
    thresholds: { visitors: number; templates: number; threshold: number }[];
  };
}

/** Returns the default data folder: env SHOPFACE_DATASETS, else ../shared/datasets beside the repository. */
export function defaultDatasetsDir(): string {
  return path.resolve(REPO_ROOT, process.env.SHOPFACE_DATASETS || '../shared/datasets');
}

/** Throws naming the missing folder when `datasetsDir` lacks one of the three data sets. */
export function checkDatasets(datasetsDir: string): void {
  for (const folder of ['utkface-sample', 'identity-verification', 'multiface-photos']) {
    if (!existsSync(path.join(datasetsDir, folder))) {
      throw new Error(
        `data set folder ${path.join(datasetsDir, folder)} not found; pass --data DIR (or set SHOPFACE_DATASETS) ` +
          'to a folder holding utkface-sample/, identity-verification/ and multiface-photos/',
      );
    }
  }
}

export async function runEval(options: EvalOptions): Promise<EvalResult> {
  checkDatasets(options.datasetsDir);
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const config = parseConfig({});
  const frameOptions = frameAnalysisOptions(config);
  const models = await resolveModels();
  const runner = await OrtRunner.open({ detector: models.detector.path, embedder: models.embedder.path, ageGender: models.ageGender.path });
  try {
    progress('detection on multiface-photos');
    const detection = await evaluateDetection(runner, options.datasetsDir, frameOptions.detection, options.quick ? QUICK_LIMITS.multifacePhotos : Infinity);

    progress('identity-verification photos');
    const identityPhotos = readIdentityPhotos(options.datasetsDir);
    const identityResults = [];
    for (const photo of identityPhotos) identityResults.push({ photo, result: await analysePhoto(runner, photo.file, frameOptions, true) });

    const chips = spread(readUtkChips(options.datasetsDir), options.quick ? QUICK_LIMITS.utkChips : Infinity);
    const scored: ScoredChip[] = [];
    for (const [i, chip] of chips.entries()) {
      if (i % 250 === 0) progress(`utkface-sample ${i}/${chips.length}`);
      scored.push({ chip, photo: await analysePhoto(runner, chip.file, frameOptions) });
    }

    progress('scoring');
    const identityTemplates: Template[] = identityResults
      .filter((r) => r.result.face?.template)
      .map((r) => ({ identity: r.photo.identity, template: r.result.face!.template! }));
    const strangers = withoutIdentityPeople(scored, identityTemplates);
    const utkTemplates = strangers.filter((s) => s.photo.face?.template).map((s) => s.photo.face!.template!);
    const cross = crossScores(utkTemplates, identityTemplates.map((t) => t.template));
    const verification = evaluateVerification(identityTemplates, cross);
    const utk = scoreUtk(scored);
    const identities = scoreIdentityGender(identityResults);
    const identityImpostor = pairScores(identityTemplates).impostor;
    const openSetFor = (population: ScoredChip[], duplicateScore: number) =>
      openSetOn(population, duplicateScore, identityTemplates, identityImpostor, config);
    const adultChips = strangers.filter((s) => s.chip.age >= 18);
    return {
      version: 1,
      quick: options.quick,
      datasetsDir: options.datasetsDir,
      durationS: (Date.now() - started) / 1000,
      detection,
      verification,
      age: { ...utk.age, chips: utk.chips, noFace: utk.noFace, gated: utk.gated, confusion: utk.confusion },
      gender: { ...utk.gender, accuracyIdentities: identities.accuracy, identities },
      byRace: utk.byRace,
      utkDroppedAsIdentityPeople: scored.length - strangers.length,
      openSet: openSetFor(adultChips, SAME_PERSON_SCORE),
      children: childImpostors(scored.filter((s) => s.chip.age < CHILD_AGE), config),
      versions: versions(models, config, frameOptions),
    };
  } finally {
    await runner.close();
  }
}

/**
 * Runs the open-set search with `population` as fillers and strangers, in
 * two folds (each half of the split enrolled once). Synthetic scores follow
 * the identity-verification impostor pairs, the chips against the identity
 * photos and the chips of one half against the other.
 */
function openSetOn(
  population: ScoredChip[],
  duplicateScore: number,
  identities: Template[],
  identityImpostor: number[],
  config: Config,
): OpenSetEval {
  const all = population.filter((s) => s.photo.face?.template);
  const withTemplates = dropDuplicates(all, duplicateScore);
  const templates = withTemplates.map((s) => s.photo.face!.template!);
  const [sideA, sideB] = splitByLabels(withTemplates.map((s) => s.chip)).map((side) => side.map((i) => templates[i]));
  const impostorScores = [
    ...identityImpostor,
    ...crossScores(templates, identities.map((t) => t.template)),
    ...crossScores(sideA, sideB),
  ];
  const galleries = evaluateOpenSet({
    identities,
    folds: [{ fillers: sideA, strangers: sideB }, { fillers: sideB, strangers: sideA }],
    impostorScores,
    prior: IMPOSTOR_PRIOR,
    targetFpir: config.identity.targetFpir,
    minThreshold: config.identity.minThreshold,
  });
  const impostor = impostorStats(impostorScores);
  return {
    chips: all.length,
    duplicateScore,
    duplicatesDropped: all.length - withTemplates.length,
    impostor,
    galleries,
    tailFit: galleries.map((g) => tailEquivalentSd(g, impostor.mean, config.identity.targetFpir)),
  };
}

/**
 * The sd a normal impostor model needs so that calibratedThreshold returns
 * the threshold measured at the target FPIR for this gallery size. It is
 * larger than the sample sd when the real tail is heavier than a normal one.
 */
function tailEquivalentSd(gallery: GalleryEval, impostorMean: number, targetFpir: number): TailFit {
  const rate = perComparisonRate(targetFpir, gallery.gallerySize);
  const z = normalQuantile(1 - rate);
  const threshold = gallery.atFpir1.threshold;
  return { gallerySize: gallery.gallerySize, measuredThreshold: threshold, perComparisonRate: rate, z, equivalentSd: (threshold - impostorMean) / z };
}

/**
 * Drops the chips whose template scores at least SAME_PERSON_SCORE against
 * any identity-verification photo: UTKFace was collected from the web and
 * contains photos of some of the same celebrities.
 */
function withoutIdentityPeople(chips: ScoredChip[], identities: Template[]): ScoredChip[] {
  return chips.filter((s) => {
    const template = s.photo.face?.template;
    return !template || !identities.some((i) => cosine(i.template, template) >= SAME_PERSON_SCORE);
  });
}

/**
 * Scores every pair of children's chips (exact duplicates dropped). NOTE:
 * UTKFace may hold two photos of one child, so a few pairs may be genuine.
 */
function childImpostors(children: ScoredChip[], config: Config): ChildImpostors {
  const kept = dropDuplicates(children.filter((s) => s.photo.face?.template), EXACT_DUPLICATE_SCORE);
  const { impostor } = pairScores(kept.map((s, i) => ({ identity: `child-${i}`, template: s.photo.face!.template! })));
  const threshold1k = calibratedThreshold(IMPOSTOR_PRIOR, 1000, config.identity.targetFpir, config.identity.minThreshold);
  return { chips: kept.length, stats: impostorStats(impostor), aboveThreshold1k: share(impostor, (s) => s >= threshold1k), threshold1k };
}

/**
 * Keeps the chips in order, dropping each one whose template scores at least
 * `duplicateScore` against a chip already kept. UTKFace contains exact
 * duplicates (score 1.0, some with different labels) and several photos of
 * some people, which would otherwise count as strangers matching themselves.
 */
function dropDuplicates(chips: ScoredChip[], duplicateScore: number): ScoredChip[] {
  const kept: ScoredChip[] = [];
  for (const chip of chips) {
    const template = chip.photo.face!.template!;
    if (!kept.some((k) => cosine(k.photo.face!.template!, template) >= duplicateScore)) kept.push(chip);
  }
  return kept;
}

/**
 * Splits chip indices into two halves so that chips with the same age,
 * gender and race labels land on the same side. UTKFace contains several photos
 * of some people, usually with identical labels, so this keeps most of them
 * from being both enrolled and used as a stranger.
 */
export function splitByLabels(chips: readonly UtkChip[]): [number[], number[]] {
  const sides: [number[], number[]] = [[], []];
  chips.forEach((chip, i) => sides[labelHash(`${chip.age}|${chip.male}|${chip.race}`) % 2].push(i));
  return sides;
}

/** FNV-1a hash of a string, for a split that does not depend on list order. */
function labelHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

function versions(
  models: Awaited<ReturnType<typeof resolveModels>>,
  config: Config,
  frameOptions: ReturnType<typeof frameAnalysisOptions>,
): Versions {
  const { targetFpir, minThreshold, templatesPerVisitor } = config.identity;
  return {
    node: process.version,
    onnxruntime: (ort.env as { versions?: { node?: string } }).versions?.node ?? 'unknown',
    models: Object.values(models).map((m) => ({ role: m.role, file: m.file, sha256: m.sha256 })),
    settings: {
      detection: frameOptions.detection,
      quality: frameOptions.quality,
      singleFacePadding: SINGLE_FACE_PADDING,
      fusion: DEFAULT_FUSION_OPTIONS,
      identity: { targetFpir, minThreshold, templatesPerVisitor },
      impostorPrior: IMPOSTOR_PRIOR,
      thresholds: [100, 1000, 10000].map((visitors) => ({
        visitors,
        templates: visitors * templatesPerVisitor,
        threshold: calibratedThreshold(IMPOSTOR_PRIOR, visitors * templatesPerVisitor, targetFpir, minThreshold),
      })),
    },
  };
}
