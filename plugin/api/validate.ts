/**
 * Input checks for the REST API. Each failure throws ApiInputError naming
 * the field, the value received and what is expected.
 */
import { ApiInputError, type NewCamera, type OnvifCameraRequest } from './backend';

const MAX_NAME_LENGTH = 100;
const MAX_URL_LENGTH = 2048;
const MAX_ID_LENGTH = 256;
const MAX_USERNAME_LENGTH = 128;
const MAX_PASSWORD_LENGTH = 256;
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

/** A validated POST /cameras body: a camera by RTSP URL, or an ONVIF device to test and add. */
export type CameraRequest = { kind: 'rtsp'; camera: NewCamera } | OnvifCameraRequest;

/**
 * Validates the body of POST /cameras in one of three forms:
 * `{name, rtspUrl, liveViewUrl?}`, `{name?, discoveryId, username?, password?, sourceId?}`
 * or `{name?, onvifAddress, username?, password?, sourceId?}`.
 */
export function parseCameraRequest(body: unknown): CameraRequest {
  const record = requireObject(body);
  const forms = ['rtspUrl', 'discoveryId', 'onvifAddress'].filter((key) => record[key] !== undefined);
  if (forms.length > 1) {
    throw new ApiInputError(forms[1], `give only one of rtspUrl, discoveryId or onvifAddress; got ${forms.join(' and ')}`);
  }
  if (record.discoveryId !== undefined) {
    return { kind: 'discovery', discoveryId: parseText(record.discoveryId, 'discoveryId', MAX_ID_LENGTH), ...parseOnvifFields(record) };
  }
  if (record.onvifAddress !== undefined) {
    return { kind: 'address', onvifAddress: parseText(record.onvifAddress, 'onvifAddress', MAX_ID_LENGTH), ...parseOnvifFields(record) };
  }
  return { kind: 'rtsp', camera: parseNewCamera(record) };
}

/** Validates the RTSP form of POST /cameras. */
export function parseNewCamera(body: unknown): NewCamera {
  const record = requireObject(body);
  const camera: NewCamera = { name: parseName(record.name), rtspUrl: parseRtspUrl(record.rtspUrl, 'rtspUrl') };
  if (record.liveViewUrl !== undefined) camera.liveViewUrl = parseRtspUrl(record.liveViewUrl, 'liveViewUrl');
  return camera;
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiInputError('body', 'missing request body; expected a JSON object {"name": ..., "rtspUrl": ...} or {"discoveryId": ..., "username": ..., "password": ...}');
  }
  return body as Record<string, unknown>;
}

/** Reads the optional name, credentials and source id of the ONVIF forms. */
function parseOnvifFields(record: Record<string, unknown>): Omit<OnvifCameraRequest, 'kind' | 'discoveryId' | 'onvifAddress'> {
  const fields: Omit<OnvifCameraRequest, 'kind' | 'discoveryId' | 'onvifAddress'> = {};
  if (record.name !== undefined) fields.name = parseName(record.name);
  if (record.sourceId !== undefined) fields.sourceId = parseText(record.sourceId, 'sourceId', MAX_ID_LENGTH);
  const { username, password } = record;
  if (username === undefined && password === undefined) return fields;
  if (typeof username !== 'string' || username === '' || username.length > MAX_USERNAME_LENGTH) {
    throw new ApiInputError('username', `invalid username: expected a string of 1 to ${MAX_USERNAME_LENGTH} characters (give it with the password)`);
  }
  if (typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) {
    // The value is not echoed because it is a password.
    throw new ApiInputError('password', `invalid password: expected a string of at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  fields.credentials = { username, password };
  return fields;
}

function parseText(raw: unknown, field: string, maxLength: number): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > maxLength) {
    throw new ApiInputError(field, `invalid ${field}: ${describe(raw)}; expected a non-empty string of at most ${maxLength} characters`);
  }
  return raw.trim();
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

function parseRtspUrl(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ApiInputError(field, `missing ${field}; expected rtsp://[user:password@]host[:port]/path`);
  }
  const text = raw.trim();
  let url: URL;
  try {
    if (text.length > MAX_URL_LENGTH) throw new Error('too long');
    url = new URL(text);
  } catch {
    // The value is not echoed because it may contain a password.
    throw new ApiInputError(field, `invalid ${field}: not a URL; expected rtsp://[user:password@]host[:port]/path`);
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') {
    throw new ApiInputError(field, `invalid ${field} scheme "${url.protocol}"; expected rtsp:// or rtsps://`);
  }
  if (url.hostname === '') {
    throw new ApiInputError(field, `invalid ${field}: missing host; expected rtsp://host[:port]/path`);
  }
  return text;
}
