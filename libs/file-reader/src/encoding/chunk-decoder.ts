import { isAscii } from 'node:buffer';

import { FileReaderError } from '../file-reader.error';
import { type TextEncodingName } from '../file-reader.types';
import { findInvalidUtf8 } from './detect-encoding.util';

/** Decodes a file's bytes piece by piece; a character cut between pieces is decoded whole. */
export interface ChunkDecoder {
  decode(bytes: Uint8Array): string;
  /** Returns the text still held back, and raises when the file ends inside a character. */
  end(): string;
}

/** The start of a decoder's bytes when they do not start at the beginning of the file. */
export interface DecoderStart {
  /** The file offset of the first byte, which error messages count from. */
  offset: number;
}

/**
 * Creates a decoder that drops a byte order mark of `encoding` at the start of the file
 * (and only there) and raises `INVALID_TEXT` on bytes that are not valid in the encoding.
 * With `start`, the bytes begin at a character boundary further in the file: a byte
 * order mark there is a character, and offsets in messages count from `start.offset`.
 */
export function createChunkDecoder(encoding: TextEncodingName, start?: DecoderStart): ChunkDecoder {
  return encoding === 'windows-1252' ? new Windows1252Decoder() : new UnicodeDecoder(encoding, start);
}

/**
 * UTF-8 and UTF-16 through TextDecoder with `stream: true`, which holds back the bytes
 * of a character cut by the end of a piece and drops the byte order mark only at the
 * start of the stream.
 */
class UnicodeDecoder implements ChunkDecoder {
  private readonly decoder: TextDecoder;
  /** The file offset of the next piece's first byte. */
  private offset = 0;
  /** The last three bytes decoded, for finding the start of an invalid sequence. */
  private recent: Uint8Array = new Uint8Array(0);
  /** Set when the last byte decoded was ASCII, so TextDecoder holds back no bytes of a cut character. */
  private atCharacterBoundary = false;

  constructor(
    private readonly encoding: 'utf-8' | 'utf-16le' | 'utf-16be',
    start?: DecoderStart,
  ) {
    this.decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: start !== undefined });

    if (start !== undefined) {
      this.offset = start.offset;
      this.atCharacterBoundary = true;
    }
  }

  decode(bytes: Uint8Array): string {
    try {
      return this.canDecodeAsAscii(bytes) ? asciiText(bytes) : this.decoder.decode(bytes, { stream: true });
    } catch (error) {
      throw this.invalidText(bytes, error);
    } finally {
      this.offset += bytes.length;
      this.recent = lastBytes(this.recent, bytes, 3);

      if (bytes.length > 0) {
        this.atCharacterBoundary = bytes[bytes.length - 1] < 0x80;
      }
    }
  }

  /**
   * True when a UTF-8 piece of ASCII bytes can skip TextDecoder. Its text is
   * then its bytes as Latin-1, which Node builds several times faster. That
   * holds only while the decoder holds back no bytes, and after the first
   * piece, which TextDecoder reads for the byte order mark.
   */
  private canDecodeAsAscii(bytes: Uint8Array): boolean {
    return this.encoding === 'utf-8' && this.atCharacterBoundary && isAscii(bytes);
  }

  end(): string {
    try {
      return this.decoder.decode();
    } catch (error) {
      throw this.invalidText(new Uint8Array(0), error);
    }
  }

  private invalidText(piece: Uint8Array, cause: unknown): FileReaderError {
    if (this.encoding !== 'utf-8') {
      return new FileReaderError(
        'INVALID_TEXT',
        `The file is not valid ${this.encoding} between bytes ${Math.max(this.offset - 2, 0)} and ${this.offset + piece.length}: ` +
          "pass the file's encoding in the encoding option.",
        { cause },
      );
    }

    // The invalid sequence may start in the bytes the decoder held back from earlier pieces.
    const heldBack = this.recent.length - incompleteSequenceStart(this.recent);
    const bytes = new Uint8Array(heldBack + piece.length);

    bytes.set(this.recent.subarray(this.recent.length - heldBack), 0);
    bytes.set(piece, heldBack);
    const invalidAt = findInvalidUtf8(bytes, true);

    return new FileReaderError(
      'INVALID_TEXT',
      `The file is not valid UTF-8 at byte ${this.offset - heldBack + Math.max(invalidAt, 0)}: ` +
        "pass the file's encoding in the encoding option (for example windows-1252).",
      { cause },
    );
  }
}

function asciiText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function lastBytes(earlier: Uint8Array, later: Uint8Array, count: number): Uint8Array {
  if (later.length >= count) {
    // Copied, because the caller may reuse the memory of `later` (Buffer's slice() would not copy).
    return new Uint8Array(later.subarray(later.length - count));
  }

  const joined = new Uint8Array(Math.min(count, earlier.length + later.length));
  const fromEarlier = joined.length - later.length;

  joined.set(earlier.subarray(earlier.length - fromEarlier), 0);
  joined.set(later, fromEarlier);

  return joined;
}

/** Returns the length of the UTF-8 sequence that a lead byte starts, or 1 for any other byte. */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) {
    return 4;
  }

  if (lead >= 0xe0) {
    return 3;
  }

  return lead >= 0xc0 ? 2 : 1;
}

/**
 * Returns where the UTF-8 sequence cut by the end of `bytes` starts, or the length of
 * `bytes` when no sequence is cut.
 */
function incompleteSequenceStart(bytes: Uint8Array): number {
  const length = bytes.length;

  for (let back = 1; back <= 3 && back <= length; back += 1) {
    const byte = bytes[length - back];

    if ((byte & 0xc0) === 0x80) {
      continue;
    }

    return sequenceLength(byte) > back ? length - back : length;
  }

  return length;
}

// Bytes 0x80 to 0x9F in Windows-1252, from the WHATWG Encoding Standard index. The
// standard maps the five unassigned bytes to the C1 control of the same number.
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_CONTROL = /[\u0080-\u009f]/;
const C1_CONTROLS = /[\u0080-\u009f]/g;

/**
 * Windows-1252. NOTE: Node 20's TextDecoder('windows-1252') decodes bytes 0x80 to
 * 0x9F as ISO-8859-1 (U+0080 to U+009F), so this class maps them. A decoder that
 * already maps them leaves no such character behind, and then the mapping does nothing.
 */
class Windows1252Decoder implements ChunkDecoder {
  private readonly decoder = new TextDecoder('windows-1252');

  decode(bytes: Uint8Array): string {
    const text = this.decoder.decode(bytes);

    return C1_CONTROL.test(text) ? text.replace(C1_CONTROLS, mapC1Control) : text;
  }

  end(): string {
    return '';
  }
}

function mapC1Control(char: string): string {
  return WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80];
}
