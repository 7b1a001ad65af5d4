/** A request target the edge accepts, split and decoded. */
export interface ParsedPath {
  /** Decoded path segments without the leading slash; `/` gives `['']`. */
  segments: string[];
  /** The canonical path: each segment percent-encoded the same way, so router and backend see one spelling. */
  path: string;
  /** The raw query string with its `?`, or an empty string. */
  search: string;
}

export type PathProblem =
  | 'not-origin-form'
  | 'too-long'
  | 'forbidden-character'
  | 'empty-segment'
  | 'bad-escape'
  | 'dot-segment'
  | 'forbidden-encoded-character';

export const MAX_PATH_LENGTH = 4096;

// RFC 3986 pchar plus "/", without ";" (a path-parameter separator in some
// servers) and with "%" only as the start of an escape.
const ALLOWED_RAW = /^[A-Za-z0-9\-._~!$&'()*+,=:@/%]*$/;
const ESCAPE = /%(?![0-9A-Fa-f]{2})/;
// Decoded characters that would let one segment act as several, or as
// another path, on some server: separators and ";". Control characters are
// checked by code point (see hasForbiddenCharacter).
const FORBIDDEN_DECODED_SEPARATORS = ['/', '\\', ';'];

/**
 * Parses a request target (`request.url`) strictly. Everything that two
 * servers could read as two different paths is rejected rather than
 * repaired: empty segments (`//`), dot segments in any spelling (`..`,
 * `%2e%2e`), encoded separators (`%2f`, `%5c`), `;`, control characters,
 * invalid escapes or UTF-8, and absolute-form targets. What remains is
 * decoded once and re-encoded canonically, and the edge decides access on
 * the same segments it forwards.
 */
export function parseRequestPath(url: string): ParsedPath | { problem: PathProblem } {
  if (!url.startsWith('/')) {
    return { problem: 'not-origin-form' };
  }

  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const search = queryStart === -1 ? '' : url.slice(queryStart);

  if (rawPath.length > MAX_PATH_LENGTH) {
    return { problem: 'too-long' };
  }

  if (!ALLOWED_RAW.test(rawPath)) {
    return { problem: 'forbidden-character' };
  }

  if (ESCAPE.test(rawPath)) {
    return { problem: 'bad-escape' };
  }

  const rawSegments = rawPath.slice(1).split('/');
  const segments: string[] = [];

  for (const [index, rawSegment] of rawSegments.entries()) {
    // Only the last segment may be empty: `/` and a trailing slash.
    if (rawSegment === '' && index < rawSegments.length - 1) {
      return { problem: 'empty-segment' };
    }

    let segment: string;

    try {
      segment = decodeURIComponent(rawSegment);
    } catch {
      return { problem: 'bad-escape' };
    }

    if (segment === '.' || segment === '..') {
      return { problem: 'dot-segment' };
    }

    if (hasForbiddenCharacter(segment)) {
      return { problem: 'forbidden-encoded-character' };
    }

    segments.push(segment);
  }

  return { segments, path: `/${segments.map(encodeSegment).join('/')}`, search };
}

/** Percent-encodes a decoded segment; unreserved characters and a few safe sub-delimiters stay as they are. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(3A|40|24|2C|3D|2B|26)/gi, (escape) =>
    decodeURIComponent(escape),
  );
}

function hasForbiddenCharacter(segment: string): boolean {
  for (const character of segment) {
    const code = character.codePointAt(0) ?? 0;

    if (code < 0x20 || code === 0x7f || FORBIDDEN_DECODED_SEPARATORS.includes(character)) {
      return true;
    }
  }

  return false;
}
