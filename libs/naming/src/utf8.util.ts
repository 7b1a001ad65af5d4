const encoder = new TextEncoder();

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Counts the bytes of `text` in UTF-8; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder writes it. */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Tells whether `text` contains a UTF-16 surrogate without its partner, which has no UTF-8 encoding. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

function codePointByteLength(codePoint: number): number {
  if (codePoint < 0x80) {
    return 1;
  }

  if (codePoint < 0x800) {
    return 2;
  }

  // A lone surrogate (0xD800-0xDFFF) lands here too: TextEncoder writes it as U+FFFD, 3 bytes.
  if (codePoint < 0x10000) {
    return 3;
  }

  return 4;
}

/**
 * Cuts `text` to at most `maxBytes` bytes of UTF-8 at a code point boundary,
 * so a multi-byte character or a surrogate pair is either kept whole or dropped.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;

  for (const char of text) {
    bytes += codePointByteLength(char.codePointAt(0) ?? 0);

    if (bytes > maxBytes) {
      break;
    }

    end += char.length;
  }

  return text.slice(0, end);
}

/**
 * Hashes the UTF-8 bytes of `text` with 32-bit FNV-1a and returns 8 lowercase hex
 * digits. FNV-1a is not cryptographic: it only gives short, stable suffixes.
 */
export function fnv1a32Hex(text: string): string {
  let hash = 0x811c9dc5;

  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }

  return hash.toString(16).padStart(8, '0');
}
