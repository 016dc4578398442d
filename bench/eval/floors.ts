/**
 * The accuracy floors of the regression test (bench/eval/floors.json):
 * each figure of a quick eval must stay at or above its `min` (or at or
 * below its `max` for errors).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface Floor {
  /** Dotted path into EvalResult, e.g. "verification.tarAtFar1". */
  path: string;
  /** The quick eval's value when the floor was set. */
  measured: number;
  min?: number;
  max?: number;
}

export interface FloorCheck extends Floor {
  value: number;
  ok: boolean;
}

export const FLOORS_FILE = path.join(__dirname, 'floors.json');

export function readFloors(file = FLOORS_FILE): Floor[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { floors?: Floor[] };
  if (!Array.isArray(parsed.floors)) throw new Error(`${file}: missing "floors" array`);
  for (const floor of parsed.floors) {
    if (typeof floor.path !== 'string' || (floor.min === undefined) === (floor.max === undefined)) {
      throw new Error(`${file}: invalid floor ${JSON.stringify(floor)}; each needs "path" and exactly one of "min" or "max"`);
    }
  }
  return parsed.floors;
}

/** Reads a number at a dotted path; NaN when the path does not lead to a number. */
export function figureAt(result: unknown, dotted: string): number {
  let value: unknown = result;
  for (const key of dotted.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return typeof value === 'number' ? value : NaN;
}

export function checkFloor(result: unknown, floor: Floor): FloorCheck {
  const value = figureAt(result, floor.path);
  const ok = floor.min !== undefined ? value >= floor.min : value <= (floor.max as number);
  return { ...floor, value, ok };
}
