/**
 * Plans the three shop clips: two days with the same regulars (a different
 * photo of each on day 2) plus one-off visitors, and a strangers clip whose
 * people appear nowhere else.
 */
import * as path from 'node:path';
import {
  IDENTITY_FOLDER, UTK_FOLDER, loadIdentityPhotos, loadUtkFaces, requireDatasetsDir, type IdentityPhotos, type UtkFace,
} from './datasets';
import { measuredPhotoBox } from './photo-boxes';
import { SeededRandom } from './random';
import { schedulePeople, type CastMember, type ScheduleOptions } from './schedule';
import type { ClipPerson, VisitorKind } from './types';

export interface ShopScenarioOptions {
  /** Folder that contains identity-verification/ and utkface-sample/. */
  datasetsDir: string;
  seed: number;
  /** Regulars, seen on both days (default 8, at most the number of identities with two or more photos). */
  regularCount?: number;
  /** One-off visitors per day (default 10). */
  oneOffCount?: number;
  /** Small faces (under 40 px) per day (default 3). */
  smallCount?: number;
  /** Normal-size people in the strangers clip (default 15). */
  strangerCount?: number;
  /** Small faces in the strangers clip (default 2). */
  strangerSmallCount?: number;
  schedule?: ScheduleOptions;
}

export interface ShopScenario {
  day1: ClipPerson[];
  day2: ClipPerson[];
  strangers: ClipPerson[];
}

/** UTKFace people are adults of 18-70, except this share, drawn from children and people over 70. */
const OUTSIDE_ADULT_RANGE_SHARE = 0.1;

/** Draws UTKFace chips without replacement, so no chip appears twice across the scenario. */
class UtkPool {
  private readonly adults: UtkFace[];
  private readonly others: UtkFace[];

  constructor(private readonly datasetsDir: string, faces: UtkFace[], private readonly random: SeededRandom) {
    this.adults = random.shuffle(faces.filter((face) => face.age >= 18 && face.age <= 70));
    this.others = random.shuffle(faces.filter((face) => face.age < 18 || face.age > 70));
  }

  draw(truthId: string, kind: VisitorKind): CastMember {
    const useOther = this.others.length > 0 && this.random.next() < OUTSIDE_ADULT_RANGE_SHARE;
    const face = (useOther ? this.others : this.adults).pop();
    if (!face) throw new Error(`not enough UTKFace adults to draw ${truthId}. Lower the visitor counts`);
    return {
      truthId,
      kind,
      imagePath: path.resolve(this.datasetsDir, UTK_FOLDER, face.file),
      source: `${UTK_FOLDER}/${face.file}`,
      framing: 'chip',
      identity: null,
      gender: face.gender,
      age: face.age,
    };
  }

  drawMany(prefix: string, kind: VisitorKind, count: number): CastMember[] {
    return Array.from({ length: count }, (_, i) => this.draw(`${prefix}-${String(i + 1).padStart(2, '0')}`, kind));
  }
}

function regularMember(datasetsDir: string, regular: IdentityPhotos, file: string, index: number): CastMember {
  return {
    truthId: `regular-${String(index + 1).padStart(2, '0')}`,
    kind: 'regular',
    imagePath: path.resolve(datasetsDir, IDENTITY_FOLDER, file),
    source: `${IDENTITY_FOLDER}/${file}`,
    framing: measuredPhotoBox(file) ?? 'photo',
    identity: regular.identity,
    gender: regular.gender,
    age: null,
  };
}

/** Picks the regulars and two different photos of each: one for day 1, one for day 2. */
function pickRegulars(datasetsDir: string, count: number, random: SeededRandom): { day1: CastMember[]; day2: CastMember[] } {
  const candidates = loadIdentityPhotos(datasetsDir).filter((entry) => entry.files.length >= 2);
  if (count > candidates.length) {
    throw new Error(`regularCount ${count} is more than the ${candidates.length} identities with two or more photos`);
  }
  const regulars = random.shuffle(candidates).slice(0, count);
  const day1: CastMember[] = [];
  const day2: CastMember[] = [];
  regulars.forEach((regular, index) => {
    const [first, second] = random.shuffle(regular.files);
    day1.push(regularMember(datasetsDir, regular, first, index));
    day2.push(regularMember(datasetsDir, regular, second, index));
  });
  return { day1, day2 };
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`invalid ${name} ${value}: expected a whole number >= 0`);
  return value;
}

/** Plans the day 1, day 2 and strangers clips. The same options and seed give the same plan. */
export function planShopScenario(options: ShopScenarioOptions): ShopScenario {
  const counts = {
    regular: checkCount('regularCount', options.regularCount ?? 8),
    oneOff: checkCount('oneOffCount', options.oneOffCount ?? 10),
    small: checkCount('smallCount', options.smallCount ?? 3),
    stranger: checkCount('strangerCount', options.strangerCount ?? 15),
    strangerSmall: checkCount('strangerSmallCount', options.strangerSmallCount ?? 2),
  };
  requireDatasetsDir(options.datasetsDir);
  const random = new SeededRandom(options.seed);
  const regulars = pickRegulars(options.datasetsDir, counts.regular, random);
  const pool = new UtkPool(options.datasetsDir, loadUtkFaces(options.datasetsDir), random);
  const castDay = (day: string, regularsOfDay: CastMember[]): CastMember[] => random.shuffle([
    ...regularsOfDay,
    ...pool.drawMany(`${day}-oneoff`, 'oneoff', counts.oneOff),
    ...pool.drawMany(`${day}-small`, 'small', counts.small),
  ]);
  const day1Cast = castDay('day1', regulars.day1);
  const day2Cast = castDay('day2', regulars.day2);
  const strangersCast = random.shuffle([
    ...pool.drawMany('strangers-oneoff', 'oneoff', counts.stranger),
    ...pool.drawMany('strangers-small', 'small', counts.strangerSmall),
  ]);
  return {
    day1: schedulePeople(day1Cast, random, options.schedule),
    day2: schedulePeople(day2Cast, random, options.schedule),
    strangers: schedulePeople(strangersCast, random, options.schedule),
  };
}
