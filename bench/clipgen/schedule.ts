/**
 * Turns a cast of people into timed visits. Only one person walks in each
 * lane at a time, arrivals are spread over the clip, and each linger point is chosen
 * away from people who linger at the same time in the neighbouring lanes.
 */
import { LANES, NORMAL_LANES, SMALL_LANE } from './lanes';
import { WALK_IN_FRACTION, WALK_OUT_FRACTION } from './motion';
import { SeededRandom } from './random';
import type { ClipPerson } from './types';

/** A person before scheduling: who they are and which image shows them. */
export type CastMember = Omit<ClipPerson, 'enterS' | 'dwellS' | 'faceHeightPx' | 'lane' | 'direction' | 'lingerX'>;

export interface ScheduleOptions {
  /** Range of seconds on screen for normal-size faces. */
  dwellS?: [number, number];
  /** Range of seconds on screen for small faces (lane 0). */
  smallDwellS?: [number, number];
  /** Range of seconds a lane stays empty between two people. */
  gapS?: [number, number];
}

const DEFAULTS: Required<ScheduleOptions> = { dwellS: [6, 11], smallDwellS: [5, 8], gapS: [0.5, 2.5] };
const LINGER_RANGE: [number, number] = [0.2, 0.8];
const LINGER_CANDIDATES = 6;

function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

function middle(range: [number, number]): number {
  return (range[0] + range[1]) / 2;
}

interface Slot {
  member: CastMember;
  lane: number;
  enterS: number;
  dwellS: number;
}

/** Schedules people in the given lanes, each entering when its lane is free and not before its share of the timeline. */
function scheduleLanes(members: CastMember[], lanes: readonly number[], dwell: [number, number], spacingS: number,
  random: SeededRandom, gap: [number, number]): Slot[] {
  const laneFree = new Map(lanes.map((lane) => [lane, random.range(0, 2)]));
  return members.map((member, index) => {
    const order = random.shuffle(lanes);
    const lane = order.reduce((best, candidate) => (laneFree.get(candidate)! < laneFree.get(best)! ? candidate : best));
    const enterS = roundTenth(Math.max(laneFree.get(lane)! + random.range(gap[0], gap[1]), index * spacingS));
    const dwellS = roundTenth(random.range(dwell[0], dwell[1]));
    laneFree.set(lane, enterS + dwellS);
    return { member, lane, enterS, dwellS };
  });
}

function lingerWindow(person: Pick<ClipPerson, 'enterS' | 'dwellS'>): [number, number] {
  return [person.enterS + WALK_IN_FRACTION * person.dwellS, person.enterS + (1 - WALK_OUT_FRACTION) * person.dwellS];
}

/** Picks the candidate linger point farthest from people lingering at the same time in the neighbouring lanes. */
function chooseLingerX(slot: Slot, placed: readonly ClipPerson[], random: SeededRandom): number {
  const [start, end] = lingerWindow(slot);
  const neighbours = placed.filter((other) => {
    const [otherStart, otherEnd] = lingerWindow(other);
    return Math.abs(other.lane - slot.lane) === 1 && otherStart < end && start < otherEnd;
  });
  let best = random.range(LINGER_RANGE[0], LINGER_RANGE[1]);
  let bestDistance = -1;
  for (let i = 0; i < LINGER_CANDIDATES; i++) {
    const candidate = i === 0 ? best : random.range(LINGER_RANGE[0], LINGER_RANGE[1]);
    const distance = Math.min(1, ...neighbours.map((other) => Math.abs(other.lingerX - candidate)));
    if (distance > bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return Math.round(best * 1000) / 1000;
}

function toPerson(slot: Slot, placed: readonly ClipPerson[], random: SeededRandom): ClipPerson {
  const lane = LANES[slot.lane];
  return {
    ...slot.member,
    enterS: slot.enterS,
    dwellS: slot.dwellS,
    faceHeightPx: random.int(lane.minFacePx, lane.maxFacePx),
    lane: slot.lane,
    direction: random.next() < 0.5 ? 'ltr' : 'rtl',
    lingerX: chooseLingerX(slot, placed, random),
  };
}

/**
 * Schedules the cast into one clip. Members of kind 'small' walk in lane 0,
 * and everyone else shares lanes 1-3. Returns the people sorted by enterS.
 */
export function schedulePeople(cast: CastMember[], random: SeededRandom, options: ScheduleOptions = {}): ClipPerson[] {
  const settings = { ...DEFAULTS, ...options };
  const normal = cast.filter((member) => member.kind !== 'small');
  const small = cast.filter((member) => member.kind === 'small');
  const spacingS = (middle(settings.dwellS) + middle(settings.gapS)) / NORMAL_LANES.length;
  const normalSpanS = Math.max(1, normal.length) * spacingS;
  const slots = [
    ...scheduleLanes(normal, NORMAL_LANES, settings.dwellS, spacingS, random, settings.gapS),
    ...scheduleLanes(small, [SMALL_LANE], settings.smallDwellS, normalSpanS / Math.max(1, small.length), random, settings.gapS),
  ].sort((a, b) => a.enterS - b.enterS);
  const placed: ClipPerson[] = [];
  for (const slot of slots) placed.push(toPerson(slot, placed, random));
  return placed;
}
