import { FileReaderError } from '../file-reader.error';
import { type TextEncodingName } from '../file-reader.types';
import { findInvalidUtf8 } from './detect-encoding.util';

/** Decodes a file's bytes piece by piece; a character cut between pieces is decoded whole. */
export interface ChunkDecoder {
  decode(bytes: Uint8Array): string;
  /** Returns the text still held back, and raises when the file ends inside a character. */
  end(): string;
}

const BOM_BYTES: Record<TextEncodingName, number[] | null> = {
  'utf-8': [0xef, 0xbb, 0xbf],
  'utf-16le': [0xff, 0xfe],
  'utf-16be': [0xfe, 0xff],
  'windows-1252': null,
};

/**
 * Creates a decoder that drops a byte order mark of `encoding` at the start of the file
 * (and only there) and raises `INVALID_TEXT` on bytes that are not valid in the encoding.
 */
export function createChunkDecoder(encoding: TextEncodingName): ChunkDecoder {
  const decoder = encoding === 'utf-8' ? new Utf8Decoder() : createTextDecoder(encoding);

  return new BomDropper(decoder, BOM_BYTES[encoding]);
}

function createTextDecoder(encoding: TextEncodingName): ChunkDecoder {
  if (encoding === 'windows-1252') {
    return new Windows1252Decoder();
  }

  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  let offset = 0;

  return {
    decode(bytes) {
      try {
        return decoder.decode(bytes, { stream: true });
      } catch (error) {
        throw invalidText(encoding, offset, error);
      } finally {
        offset += bytes.length;
      }
    },
    end() {
      try {
        return decoder.decode();
      } catch (error) {
        throw invalidText(encoding, offset, error);
      }
    },
  };
}

function invalidText(encoding: TextEncodingName, offset: number, cause: unknown): FileReaderError {
  return new FileReaderError(
    'INVALID_TEXT',
    `The file is not valid ${encoding} near byte ${offset}: pass the file's encoding in the encoding option.`,
    { cause },
  );
}

/**
 * Holds back the first bytes until it can tell whether they are the byte order mark,
 * then drops the mark.
 */
class BomDropper implements ChunkDecoder {
  private head: Uint8Array | null = new Uint8Array(0);

  constructor(
    private readonly inner: ChunkDecoder,
    private readonly bom: number[] | null,
  ) {
    if (bom === null) {
      this.head = null;
    }
  }

  decode(bytes: Uint8Array): string {
    if (this.head === null || this.bom === null) {
      return this.inner.decode(bytes);
    }

    const head = concatBytes(this.head, bytes);

    if (head.length < this.bom.length && this.bom.slice(0, head.length).every((byte, index) => head[index] === byte)) {
      this.head = head;

      return '';
    }

    this.head = null;

    return this.inner.decode(startsWith(head, this.bom) ? head.subarray(this.bom.length) : head);
  }

  end(): string {
    const head = this.head;

    this.head = null;

    // A file shorter than the mark, whose bytes are the mark's first bytes.
    return (head !== null && head.length > 0 ? this.inner.decode(head) : '') + this.inner.end();
  }
}

/**
 * UTF-8 through TextDecoder without `stream`, whose one-shot path is about four times
 * as fast in Node 20 as the streaming one: the bytes of a character cut by the end of a
 * piece are held back and decoded with the next piece.
 */
class Utf8Decoder implements ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** The first bytes of a character that the last piece cut. */
  private tail: Uint8Array | null = null;
  /** The file offset of the next piece's first byte. */
  private offset = 0;

  decode(bytes: Uint8Array): string {
    const pieceOffset = this.offset;
    let head = '';
    let start = 0;

    this.offset += bytes.length;

    if (this.tail !== null) {
      const missing = sequenceLength(this.tail[0]) - this.tail.length;
      const tailOffset = pieceOffset - this.tail.length;

      if (bytes.length < missing) {
        this.tail = concatBytes(this.tail, bytes);

        return '';
      }

      head = this.decodeComplete(concatBytes(this.tail, bytes.subarray(0, missing)), tailOffset, true);
      this.tail = null;
      start = missing;
    }

    const cut = completeLength(bytes, start);

    if (cut < bytes.length) {
      this.tail = bytes.slice(cut);
    }

    return head + this.decodeComplete(bytes.subarray(start, cut), pieceOffset + start, false);
  }

  end(): string {
    const tail = this.tail;

    this.tail = null;

    return tail === null ? '' : this.decodeComplete(tail, this.offset - tail.length, true);
  }

  private decodeComplete(bytes: Uint8Array, offset: number, complete: boolean): string {
    try {
      return this.decoder.decode(bytes);
    } catch (error) {
      const invalidAt = findInvalidUtf8(bytes, complete);

      throw new FileReaderError(
        'INVALID_TEXT',
        `The file is not valid UTF-8 at byte ${offset + Math.max(invalidAt, 0)}: ` +
          "pass the file's encoding in the encoding option (for example windows-1252).",
        { cause: error },
      );
    }
  }
}

/** The length of the UTF-8 sequence a lead byte starts; 1 for a byte that starts none. */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) {
    return 4;
  }

  if (lead >= 0xe0 && lead <= 0xef) {
    return 3;
  }

  return lead >= 0xc2 && lead <= 0xdf ? 2 : 1;
}

/**
 * Returns the end of the longest part of `bytes` from `start` that does not end inside
 * a UTF-8 sequence. Invalid bytes stay in that part, for the decoder to reject.
 */
function completeLength(bytes: Uint8Array, start: number): number {
  const length = bytes.length;

  for (let back = 1; back <= 3 && length - back >= start; back += 1) {
    const byte = bytes[length - back];

    if ((byte & 0xc0) === 0x80) {
      continue;
    }

    return sequenceLength(byte) > back ? length - back : length;
  }

  return length;
}

// Bytes 0x80 to 0x9F in Windows-1252 (WHATWG Encoding Standard index); the five
// unassigned bytes map to the C1 control of the same number, as the standard says.
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_CONTROL = /[\u0080-\u009f]/;
const C1_CONTROLS = /[\u0080-\u009f]/g;

/**
 * Windows-1252. NOTE: Node 20's TextDecoder('windows-1252') decodes bytes 0x80 to
 * 0x9F as ISO-8859-1 (U+0080 to U+009F), so they are mapped here; a decoder that
 * already maps them leaves no such character behind, and the mapping does nothing.
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

function concatBytes(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);

  joined.set(first, 0);
  joined.set(second, first.length);

  return joined;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}
