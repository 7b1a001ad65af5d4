import { type TextEncodingName } from '../file-reader.types';

export interface DetectedEncoding {
  encoding: TextEncodingName;
  bom: boolean;
}

/** How many leading bytes the UTF-16 check without a byte order mark looks at. */
const UTF16_PROBE_BYTES = 4096;

/**
 * Detects the encoding from the first bytes of a file: a byte order mark
 * decides first (UTF-8, UTF-16LE, UTF-16BE). Without one, text in which at
 * least a third of the bytes at odd offsets and almost none at even offsets are
 * NUL is read as UTF-16LE (mirrored for BE), since ASCII text in UTF-16 looks
 * like that. Otherwise the sample is UTF-8 when it is valid UTF-8, and
 * Windows-1252 when it is not. `complete` is true when the sample is the
 * whole file, in which case a multi-byte character cut at its end is invalid.
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): DetectedEncoding {
  const bomEncoding = encodingFromBom(sample);

  if (bomEncoding !== null) {
    return { encoding: bomEncoding, bom: true };
  }

  const utf16 = detectUtf16WithoutBom(sample);

  if (utf16 !== null) {
    return { encoding: utf16, bom: false };
  }

  return { encoding: isValidUtf8(sample, complete) ? 'utf-8' : 'windows-1252', bom: false };
}

/** Returns the encoding a byte order mark at the start of `bytes` names, or null. */
export function encodingFromBom(bytes: Uint8Array): TextEncodingName | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return 'utf-8';
  }

  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return 'utf-16le';
  }

  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return 'utf-16be';
  }

  return null;
}

function detectUtf16WithoutBom(sample: Uint8Array): TextEncodingName | null {
  const length = Math.min(sample.length, UTF16_PROBE_BYTES) & ~1;
  const pairs = length / 2;
  let evenNul = 0;
  let oddNul = 0;

  if (pairs < 2) {
    return null;
  }

  for (let index = 0; index < length; index += 2) {
    if (sample[index] === 0) {
      evenNul += 1;
    }

    if (sample[index + 1] === 0) {
      oddNul += 1;
    }
  }

  if (oddNul >= pairs / 3 && evenNul <= pairs / 20) {
    return 'utf-16le';
  }

  if (evenNul >= pairs / 3 && oddNul <= pairs / 20) {
    return 'utf-16be';
  }

  return null;
}

function isValidUtf8(sample: Uint8Array, complete: boolean): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });

  try {
    decoder.decode(sample, { stream: !complete });

    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the offset of the first byte in `bytes` that does not belong to a valid
 * UTF-8 sequence, or -1. A sequence cut by the end of `bytes` is valid when
 * `complete` is false.
 */
export function findInvalidUtf8(bytes: Uint8Array, complete: boolean): number {
  let index = 0;

  while (index < bytes.length) {
    const lead = bytes[index];
    let size: number;
    let min: number;

    if (lead < 0x80) {
      index += 1;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      size = 2;
      min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      size = 3;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      size = 4;
      min = 0x10000;
    } else {
      return index;
    }

    let codePoint = lead & (0xff >> (size + 1));

    for (let next = 1; next < size; next += 1) {
      if (index + next >= bytes.length) {
        return complete ? index : -1;
      }

      const byte = bytes[index + next];

      if ((byte & 0xc0) !== 0x80) {
        return index;
      }

      codePoint = (codePoint << 6) | (byte & 0x3f);
    }

    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      return index;
    }

    index += size;
  }

  return -1;
}
