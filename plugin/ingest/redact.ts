/**
 * Removal of stream credentials from text that may reach logs, errors or
 * state details: URLs with `user:password@`, and the raw secrets of a known
 * stream URL wherever they appear (ffmpeg can echo them in its stderr).
 */

/**
 * Matches the scheme and the user-info part of a URL. The user-info runs up
 * to the last `@` before the first `/`, `?`, `#` or whitespace, so a password
 * that contains a raw `@` is removed whole.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#'"]*@/gi;

/** Secrets shorter than this are only removed as part of a URL, because replacing them everywhere would mangle ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** Replaces the user-info of every URL in `text` with `***`: `rtsp://user:pass@host/` becomes `rtsp://***@host/`. */
export function redactUrl(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

/**
 * Lists the strings that reveal the credentials of `url`: the password (raw
 * and percent-decoded), `user:password` and its Base64 form as sent in a
 * Basic `Authorization` header. Returns an empty list for a URL without a
 * password or a string that is not a URL.
 */
export function credentialSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  if (!parsed.password) return [];
  const user = safeDecode(parsed.username);
  const password = safeDecode(parsed.password);
  const candidates = [parsed.password, password, `${user}:${password}`, Buffer.from(`${user}:${password}`).toString('base64')];
  const unique = [...new Set(candidates)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  return unique.sort((a, b) => b.length - a.length);
}

/** Applies redactUrl and then replaces every occurrence of each secret with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
