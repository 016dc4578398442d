import { createHash, randomBytes } from 'node:crypto';

/**
 * Camera-side checks of the simulator: WS-UsernameToken PasswordDigest (with
 * a freshness window on the camera's own clock, and nonce replay rejection)
 * and HTTP Digest (RFC 7616, MD5, qop=auth). Written independently of the
 * client code in plugin/discovery so a shared bug cannot hide.
 */

export interface UsernameToken {
  username?: string;
  password?: string;
  nonce?: string;
  created?: string;
}

export type TokenCheck = { ok: true } | { ok: false; reason: string };

export class TokenVerifier {
  private readonly seenNonces = new Set<string>();

  constructor(
    private readonly username: string,
    private readonly password: string,
    /** Camera clock minus real clock, in seconds. */
    private readonly clockOffsetS: () => number,
    /** Largest accepted distance between Created and the camera clock, in seconds. */
    private readonly maxSkewS: number,
  ) {}

  verify(token: UsernameToken | undefined): TokenCheck {
    if (
      token?.username === undefined ||
      token.password === undefined ||
      token.nonce === undefined ||
      token.created === undefined
    ) {
      return { ok: false, reason: 'missing UsernameToken' };
    }
    if (token.username !== this.username) {
      return { ok: false, reason: 'unknown user' };
    }
    const created = Date.parse(token.created);
    const cameraNow = Date.now() + this.clockOffsetS() * 1000;
    if (!Number.isFinite(created) || Math.abs(created - cameraNow) > this.maxSkewS * 1000) {
      return { ok: false, reason: `Created ${token.created} is outside the camera clock window` };
    }
    if (this.seenNonces.has(token.nonce)) {
      return { ok: false, reason: 'nonce replayed' };
    }
    const expected = createHash('sha1')
      .update(
        Buffer.concat([
          Buffer.from(token.nonce, 'base64'),
          Buffer.from(token.created),
          Buffer.from(this.password),
        ]),
      )
      .digest('base64');
    if (expected !== token.password) {
      return { ok: false, reason: 'wrong password digest' };
    }
    this.seenNonces.add(token.nonce);
    return { ok: true };
  }
}

export class DigestVerifier {
  readonly realm = 'onvif-sim';
  private readonly nonces = new Set<string>();

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** Creates a fresh challenge for the WWW-Authenticate header. */
  challenge(): string {
    const nonce = randomBytes(12).toString('hex');
    this.nonces.add(nonce);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", algorithm=MD5`;
  }

  verify(header: string | undefined, method: string, uri: string): boolean {
    if (header === undefined || !/^Digest\s/i.test(header)) {
      return false;
    }
    const params: Record<string, string> = {};
    for (const match of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) {
      params[match[1]] = match[2] ?? match[3];
    }
    if (
      params.username !== this.username ||
      params.realm !== this.realm ||
      !this.nonces.has(params.nonce) ||
      params.uri !== uri
    ) {
      return false;
    }
    const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
    const ha1 = md5(`${this.username}:${this.realm}:${this.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected =
      params.qop === 'auth'
        ? md5(`${ha1}:${params.nonce}:${params.nc}:${params.cnonce}:auth:${ha2}`)
        : md5(`${ha1}:${params.nonce}:${ha2}`);
    return expected === params.response;
  }
}
