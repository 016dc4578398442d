/**
 * Credential removal for everything the API sends. Camera URLs often carry
 * `user:password@`, and a password may itself contain `@` or `:`, so the
 * URL parser (which splits at the last `@` of the authority) is used first.
 */

const MASK = '***';
/** The authority up to its last `@`, which may contain further `@` and `:` characters. */
const USERINFO_IN_TEXT = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** Returns the URL with any user name and password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = MASK;
    parsed.password = '';
    return parsed.toString();
  } catch {
    return redactText(url);
  }
}

/** Replaces the user information of every URL in free text (for example an ffmpeg error line). */
export function redactText(text: string): string {
  return text.replace(USERINFO_IN_TEXT, `$1${MASK}@`);
}
