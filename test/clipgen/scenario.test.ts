import * as fs from 'node:fs';
import * as path from 'node:path';
import { planShopScenario, SMALL_LANE, type ClipPerson } from '../../bench/clipgen';

const DATASETS = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets');

function sources(people: readonly ClipPerson[]): Set<string> {
  return new Set(people.map((person) => person.source));
}

function byKind(people: readonly ClipPerson[], kind: ClipPerson['kind']): ClipPerson[] {
  return people.filter((person) => person.kind === kind);
}

/** Returns pairs of people in the same lane whose visits overlap in time. */
function laneClashes(people: readonly ClipPerson[]): string[] {
  const clashes: string[] = [];
  for (const a of people) {
    for (const b of people) {
      if (a.truthId < b.truthId && a.lane === b.lane && a.enterS < b.enterS + b.dwellS && b.enterS < a.enterS + a.dwellS) {
        clashes.push(`${a.truthId}/${b.truthId}`);
      }
    }
  }
  return clashes;
}

describe('planShopScenario', () => {
  const plan = planShopScenario({ datasetsDir: DATASETS, seed: 5 });
  const clips = { day1: plan.day1, day2: plan.day2, strangers: plan.strangers };

  test('default sizes per clip', () => {
    expect(byKind(plan.day1, 'regular')).toHaveLength(8);
    expect(byKind(plan.day1, 'oneoff')).toHaveLength(10);
    expect(byKind(plan.day1, 'small')).toHaveLength(3);
    expect(byKind(plan.day2, 'regular')).toHaveLength(8);
    expect(byKind(plan.day2, 'oneoff')).toHaveLength(10);
    expect(byKind(plan.day2, 'small')).toHaveLength(3);
    expect(byKind(plan.strangers, 'oneoff')).toHaveLength(15);
    expect(byKind(plan.strangers, 'small')).toHaveLength(2);
    expect(byKind(plan.strangers, 'regular')).toHaveLength(0);
  });

  test('regulars return on day 2 with another photo', () => {
    const day2 = new Map(byKind(plan.day2, 'regular').map((person) => [person.truthId, person]));
    for (const first of byKind(plan.day1, 'regular')) {
      const second = day2.get(first.truthId);
      expect(second?.identity).toBe(first.identity);
      expect(first.identity).not.toBeNull();
      expect(second?.source).not.toBe(first.source);
      expect(first.gender === 'female' || first.gender === 'male').toBe(true);
    }
    expect(new Set(byKind(plan.day1, 'regular').map((person) => person.identity)).size).toBe(8);
  });

  test('one-offs appear on one day only', () => {
    const day2 = sources(plan.day2);
    const shared = [...byKind(plan.day1, 'oneoff'), ...byKind(plan.day1, 'small')].filter((person) => day2.has(person.source));
    expect(shared.map((person) => person.source)).toEqual([]);
  });

  test('strangers use images used nowhere else', () => {
    const elsewhere = new Set([...sources(plan.day1), ...sources(plan.day2)]);
    const reused = plan.strangers.filter((person) => elsewhere.has(person.source));
    expect(reused.map((person) => person.source)).toEqual([]);
    expect(plan.strangers.every((person) => person.source.startsWith('utkface-sample/'))).toBe(true);
    expect(plan.strangers.every((person) => person.identity === null)).toBe(true);
  });

  test.each(Object.entries(clips))('%s keeps one person per lane at a time', (_, people) => {
    expect(laneClashes(people)).toEqual([]);
  });

  test.each(Object.entries(clips))('%s face sizes and dwell times', (_, people) => {
    for (const person of people) {
      const small = person.kind === 'small';
      expect({ id: person.truthId, fits: small ? person.faceHeightPx < 40 : person.faceHeightPx >= 50 })
        .toEqual({ id: person.truthId, fits: true });
      expect({ id: person.truthId, smallLane: person.lane === SMALL_LANE }).toEqual({ id: person.truthId, smallLane: small });
      expect(person.dwellS).toBeGreaterThanOrEqual(4);
    }
  });

  test.each(Object.entries(clips))('%s images exist', (_, people) => {
    const missing = people.filter((person) => !fs.existsSync(person.imagePath));
    expect(missing.map((person) => person.imagePath)).toEqual([]);
  });

  test('same seed gives the same plan', () => {
    expect(planShopScenario({ datasetsDir: DATASETS, seed: 5 })).toEqual(plan);
  });

  test('another seed gives another plan', () => {
    const other = planShopScenario({ datasetsDir: DATASETS, seed: 6 });
    expect(other.day1.map((person) => person.source)).not.toEqual(plan.day1.map((person) => person.source));
  });

  test('counts are configurable', () => {
    const small = planShopScenario({
      datasetsDir: DATASETS, seed: 1, regularCount: 2, oneOffCount: 1, smallCount: 0, strangerCount: 3, strangerSmallCount: 1,
    });
    expect(small.day1).toHaveLength(3);
    expect(small.day2).toHaveLength(3);
    expect(small.strangers).toHaveLength(4);
  });

  test('rejects more regulars than identities', () => {
    expect(() => planShopScenario({ datasetsDir: DATASETS, seed: 1, regularCount: 500 }))
      .toThrow(/regularCount 500 is more than the \d+ identities/);
  });

  test('missing datasets folder names the path', () => {
    expect(() => planShopScenario({ datasetsDir: '/nonexistent/datasets', seed: 1 }))
      .toThrow('dataset folder not found: /nonexistent/datasets/identity-verification');
  });
});
