/**
 * URLs users give us (product images; the merchant webhook in config): `https:` only, or `http:` too where the
 * caller allows it (development), with a host, without credentials, and without the characters that end an HTML
 * attribute or tag (quotes, angle brackets, backtick, backslash, white space, controls). Clients still only ever
 * set them through attributes. No zod here: the web client imports these rules (the schema is url.schema.ts).
 */
export const USER_URL_MAX = 2048;
// NOTE: \p{Cf} also catches bidi and zero-width characters that would disguise a host.
const REFUSED = /[\s\p{Cc}\p{Cf}"'<>`\\]/u;

export interface UrlRules {
  /** Accept `http:` as well as `https:` (development). */
  allowHttp?: boolean;
}

/** Why `raw` is not an acceptable user URL, or null when it is. */
export function userUrlProblem(raw: string, rules: UrlRules = {}): string | null {
  if (raw.length > USER_URL_MAX) return `longer than ${USER_URL_MAX} characters`;
  if (REFUSED.test(raw)) return 'contains a quote, angle bracket, backslash, space or control character';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not an absolute URL';
  }
  const schemes = rules.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return `not a ${schemes.join(' or ')} URL`;
  if (url.username || url.password) return 'carries credentials';
  if (!url.hostname) return 'has no host';
  return null;
}
