/** Attributes of a `Set-Cookie` header that this service sets. */
export interface CookieAttributes {
  path: string;
  /** Lifetime in seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'Lax' | 'Strict';
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 cookie-octet: no control characters, white space, DQUOTE, comma, semicolon or backslash.
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** Builds a `Set-Cookie` header value. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!COOKIE_NAME.test(name) || !COOKIE_VALUE.test(value)) {
    throw new TypeError(`Invalid cookie name or value for "${name}".`);
  }

  const parts = [
    `${name}=${value}`,
    `Path=${attributes.path}`,
    `Max-Age=${attributes.maxAgeSeconds}`,
    `SameSite=${attributes.sameSite}`,
  ];

  if (attributes.maxAgeSeconds === 0) {
    parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }

  if (attributes.httpOnly) {
    parts.push('HttpOnly');
  }

  if (attributes.secure) {
    parts.push('Secure');
  }

  return parts.join('; ');
}

/**
 * Reads one cookie from the `Cookie` header. When the browser sends the
 * name twice (cookies of two paths), the first one, the most specific path,
 * is returned.
 */
export function readCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;

  if (text === undefined) {
    return undefined;
  }

  for (const pair of text.split(';')) {
    const separator = pair.indexOf('=');

    if (separator > 0 && pair.slice(0, separator).trim() === name) {
      return pair.slice(separator + 1).trim();
    }
  }

  return undefined;
}
