/**
 * Input checks for the REST API. Each failure throws ApiInputError naming
 * the field, the value received and what is expected.
 */
import { ApiInputError, type NewCamera } from './backend';

const MAX_NAME_LENGTH = 100;
const MAX_URL_LENGTH = 2048;
/** Upper bound on the rows one stats or occupancy request may produce. */
export const MAX_POINTS = 10_000;
const DAY_S = 86_400;

type Query = Record<string, unknown>;

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Parses an optional numeric query parameter; undefined when absent. */
export function optionalNumber(query: Query, field: string, min: number, max: number): number | undefined {
  const raw = query[field];
  if (raw === undefined || raw === '') return undefined;
  const value = typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ApiInputError(field, `invalid ${field}: ${describe(raw)}; expected a number from ${min} to ${max}`);
  }
  return value;
}

/** Parses an optional integer query parameter, falling back to `fallback`. */
export function integerOr(query: Query, field: string, fallback: number, min: number, max: number): number {
  const value = optionalNumber(query, field, min, max);
  if (value === undefined) return fallback;
  if (!Number.isInteger(value)) {
    throw new ApiInputError(field, `invalid ${field}: ${describe(query[field])}; expected a whole number`);
  }
  return value;
}

/** Parses `from` and `to` (Unix seconds); missing values default to the last 24 hours up to now. */
export function timeRange(query: Query, nowS: number): { from: number; to: number } {
  const to = optionalNumber(query, 'to', 0, 1e11) ?? nowS;
  const from = optionalNumber(query, 'from', 0, 1e11) ?? to - DAY_S;
  if (from >= to) {
    throw new ApiInputError('to', `invalid to: ${to} is not after from (${from}); expected from < to, both in Unix seconds`);
  }
  return { from, to };
}

/** Rejects a step so small that the range would produce more than MAX_POINTS rows. */
export function checkPointCount(field: string, from: number, to: number, stepS: number): void {
  const points = Math.ceil((to - from) / stepS);
  if (points > MAX_POINTS) {
    throw new ApiInputError(field, `${field} ${stepS} s over ${to - from} s gives ${points} points; use a larger ${field} or a shorter range (at most ${MAX_POINTS} points)`);
  }
}

/** Validates the body of POST /cameras. */
export function parseNewCamera(body: unknown): NewCamera {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiInputError('body', 'missing request body; expected a JSON object {"name": ..., "rtspUrl": ...}');
  }
  const record = body as Record<string, unknown>;
  return { name: parseName(record.name), rtspUrl: parseRtspUrl(record.rtspUrl) };
}

function parseName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ApiInputError('name', 'missing name; give the camera a short name such as "Entrance"');
  }
  const name = raw.trim();
  if (name.length > MAX_NAME_LENGTH || /[\u0000-\u001f]/.test(name)) {
    throw new ApiInputError('name', `invalid name: expected at most ${MAX_NAME_LENGTH} printable characters`);
  }
  return name;
}

function parseRtspUrl(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ApiInputError('rtspUrl', 'missing rtspUrl; expected rtsp://[user:password@]host[:port]/path');
  }
  const text = raw.trim();
  let url: URL;
  try {
    if (text.length > MAX_URL_LENGTH) throw new Error('too long');
    url = new URL(text);
  } catch {
    // The value is not echoed because it may contain a password.
    throw new ApiInputError('rtspUrl', 'invalid rtspUrl: not a URL; expected rtsp://[user:password@]host[:port]/path');
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') {
    throw new ApiInputError('rtspUrl', `invalid rtspUrl scheme "${url.protocol}"; expected rtsp:// or rtsps://`);
  }
  if (url.hostname === '') {
    throw new ApiInputError('rtspUrl', 'invalid rtspUrl: missing host; expected rtsp://host[:port]/path');
  }
  return text;
}
