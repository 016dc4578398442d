import { createHash, randomBytes } from 'node:crypto';
import { escapeXml } from './xml';
import { NS } from './ns';
import type { Credentials } from './types';

const PASSWORD_DIGEST_TYPE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BASE64_ENCODING_TYPE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/**
 * Computes the WS-UsernameToken PasswordDigest:
 * Base64(SHA-1(nonce bytes + UTF-8 created + UTF-8 password)).
 */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

/** Formats a time as xs:dateTime in UTC without milliseconds, which some cameras reject. */
export function formatCreated(timeMs: number): string {
  return new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Builds the WS-Security header with a UsernameToken. `clockOffsetMs` is the
 * camera clock minus the local clock (from GetSystemDateAndTime), so `Created`
 * is in the camera's time and passes its freshness check.
 */
export function usernameTokenHeader(
  credentials: Credentials,
  clockOffsetMs: number,
  nowMs = Date.now(),
): string {
  const nonce = randomBytes(16);
  const created = formatCreated(nowMs + clockOffsetMs);
  const digest = passwordDigest(nonce, created, credentials.password);
  return (
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<wsse:UsernameToken><wsse:Username>${escapeXml(credentials.username)}</wsse:Username>` +
    `<wsse:Password Type="${PASSWORD_DIGEST_TYPE}">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${BASE64_ENCODING_TYPE}">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

/** One parsed `WWW-Authenticate: Digest ...` challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm: 'MD5' | 'SHA-256';
}

/**
 * Picks the Digest challenge to respond to from the WWW-Authenticate header values,
 * preferring SHA-256 over MD5. Returns undefined when no usable Digest challenge is offered.
 */
export function parseDigestChallenge(headerValues: string[]): DigestChallenge | undefined {
  const challenges = headerValues
    .filter((value) => /^\s*Digest\s/i.test(value))
    .map((value) => parseAuthParams(value.replace(/^\s*Digest\s+/i, '')))
    .filter((params) => params.realm !== undefined && params.nonce !== undefined)
    .map(toChallenge)
    .filter((challenge): challenge is DigestChallenge => challenge !== undefined);
  return challenges.find((challenge) => challenge.algorithm === 'SHA-256') ?? challenges[0];
}

function toChallenge(params: Record<string, string>): DigestChallenge | undefined {
  const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') {
    return undefined;
  }
  const qops = (params.qop ?? '').split(',').map((item) => item.trim());
  return {
    realm: params.realm,
    nonce: params.nonce,
    qop: qops.includes('auth') ? 'auth' : undefined,
    opaque: params.opaque,
    algorithm,
  };
}

/** Splits `key=value, key="quoted, value"` pairs of an auth header. */
export function parseAuthParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const match of text.matchAll(pattern)) {
    params[match[1].toLowerCase()] =
      match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
  }
  return params;
}

/** Computes Digest responses (RFC 7616) for one device, counting nonce uses. */
export class DigestSession {
  private nonceCount = 0;

  constructor(
    private readonly credentials: Credentials,
    private readonly challenge: DigestChallenge,
  ) {}

  /** Builds the `Authorization` header value for one request. */
  authorization(method: string, uri: string): string {
    const { realm, nonce, qop, opaque, algorithm } = this.challenge;
    const hash = (text: string): string =>
      createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
        .update(text)
        .digest('hex');
    const ha1 = hash(`${this.credentials.username}:${realm}:${this.credentials.password}`);
    const ha2 = hash(`${method}:${uri}`);
    this.nonceCount += 1;
    const nc = this.nonceCount.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const response = qop
      ? hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
      : hash(`${ha1}:${nonce}:${ha2}`);
    const parts = [
      `username="${quote(this.credentials.username)}"`,
      `realm="${quote(realm)}"`,
      `nonce="${quote(nonce)}"`,
      `uri="${quote(uri)}"`,
      `algorithm=${algorithm}`,
      `response="${response}"`,
    ];
    if (qop) {
      parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
    }
    if (opaque !== undefined) {
      parts.push(`opaque="${quote(opaque)}"`);
    }
    return `Digest ${parts.join(', ')}`;
  }
}

function quote(value: string): string {
  return value.replace(/(["\\])/g, '\\$1');
}
