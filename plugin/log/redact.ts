/**
 * Credential removal for everything that leaves the process as text: logs,
 * errors, API responses and camera states. Camera URLs carry secrets either
 * as `user:password@` or as query parameters (`?user=admin&password=...`,
 * common on NVRs), and a password may itself contain `@` or `:`.
 */

const MASK = '***';

/** The user-info of a URL in free text: up to the last `@` before the first `/`, `?`, `#`, quote or whitespace. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#'"]*@/gi;

/** Query or matrix parameters whose value is a secret. */
const SECRET_PARAM = /([?&;](?:password|passwd|pwd|pass|pw|token|auth|authorization|secret|api_?key|key)=)[^&#;\s'"]*/gi;

/** Secrets shorter than this are only removed as part of a URL, because replacing them everywhere would mangle ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** Replaces the user-info and secret query parameters of every URL in `text` with `***`. */
export function redactText(text: string): string {
  return text.replace(URL_USERINFO, `$1${MASK}@`).replace(SECRET_PARAM, `$1${MASK}`);
}

/** Returns one URL with its user name, password and secret query parameters replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = MASK;
    parsed.password = '';
  }
  return redactText(parsed.toString());
}

/**
 * Lists the strings that reveal the credentials of `url`: the password (raw
 * and percent-decoded), `user:password` and its Base64 form as sent in a
 * Basic `Authorization` header, and secret query parameter values. Returns an
 * empty list for a URL without secrets or a string that is not a URL.
 */
export function credentialSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const candidates: string[] = [];
  if (parsed.password) {
    const user = safeDecode(parsed.username);
    const password = safeDecode(parsed.password);
    candidates.push(parsed.password, password, `${user}:${password}`, Buffer.from(`${user}:${password}`).toString('base64'));
  }
  for (const match of parsed.search.matchAll(SECRET_PARAM)) {
    const value = match[0].slice(match[1].length);
    candidates.push(value, safeDecode(value));
  }
  const unique = [...new Set(candidates)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  return unique.sort((a, b) => b.length - a.length);
}

/** Applies redactText and then replaces every occurrence of each secret with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactText(text);
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
