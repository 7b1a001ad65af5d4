import { type Document, deserialize, serialize } from 'bson';

import { crc32c } from './crc32c.util';

// Message formats of the MongoDB wire protocol ("MongoDB Wire Protocol" in
// the MongoDB manual). Every integer is little-endian.

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

/** OP_MSG flag: a CRC-32C of the message follows the last section. */
export const CHECKSUM_PRESENT = 1 << 0;
/** OP_MSG flag: the sender sends another message without waiting for a reply. */
export const MORE_TO_COME = 1 << 1;
/** OP_MSG flag: the client accepts several replies to one request. */
export const EXHAUST_ALLOWED = 1 << 16;

/** Bits 0 to 15 are required flags: a receiver must reject a message with one it does not know. */
const KNOWN_REQUIRED_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME;
const REQUIRED_FLAG_MASK = 0xffff;

export const HEADER_LENGTH = 16;

/** Largest message the server accepts, the `maxMessageSizeBytes` that `hello` reports. */
export const MAX_MESSAGE_BYTES = 48_000_000;

/** Largest BSON document, the `maxBsonObjectSize` that `hello` reports. */
export const MAX_BSON_OBJECT_BYTES = 16 * 1024 * 1024;

export interface MessageHeader {
  /** Length of the whole message in bytes, header included. */
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface OpMsgRequest {
  kind: 'msg';
  header: MessageHeader;
  flagBits: number;
  /** The kind 0 section: the command document. */
  body: Document;
  /** Kind 1 sections: document sequences by identifier (`documents` of an insert, say). */
  sequences: Map<string, Document[]>;
  /** Whether the message carried a checksum (which was verified). */
  checksum: boolean;
}

export interface OpQueryRequest {
  kind: 'query';
  header: MessageHeader;
  flags: number;
  fullCollectionName: string;
  numberToSkip: number;
  numberToReturn: number;
  query: Document;
}

export type WireRequest = OpMsgRequest | OpQueryRequest;

/** A message that breaks the protocol; the server closes the connection after it. */
export class WireProtocolError extends Error {
  override readonly name = 'WireProtocolError';
}

// Documents keep BSON types that JavaScript has no value for (Int64 beyond
// 2^53, Decimal128, Binary) as their bson classes, so they round-trip.
const DESERIALIZE_OPTIONS = { promoteLongs: true, promoteValues: true, promoteBuffers: false };

export function readHeader(buffer: Uint8Array): MessageHeader {
  if (buffer.length < HEADER_LENGTH) {
    throw new WireProtocolError(
      `A message header is ${HEADER_LENGTH} bytes; got ${buffer.length}.`,
    );
  }

  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length);

  return {
    messageLength: view.readInt32LE(0),
    requestId: view.readInt32LE(4),
    responseTo: view.readInt32LE(8),
    opCode: view.readInt32LE(12),
  };
}

/** Reads one BSON document at `offset`, checking that its length stays inside `end`. */
function readDocument(
  buffer: Buffer,
  offset: number,
  end: number,
): { document: Document; next: number } {
  if (offset + 5 > end) {
    throw new WireProtocolError(
      `A BSON document at byte ${offset} runs past the end of its section.`,
    );
  }

  const size = buffer.readInt32LE(offset);

  if (size < 5 || offset + size > end) {
    throw new WireProtocolError(
      `The BSON document at byte ${offset} declares ${size} bytes, which does not fit its section.`,
    );
  }

  return {
    document: deserialize(buffer.subarray(offset, offset + size), DESERIALIZE_OPTIONS),
    next: offset + size,
  };
}

function readCString(buffer: Buffer, offset: number, end: number): { value: string; next: number } {
  const terminator = buffer.indexOf(0, offset);

  if (terminator === -1 || terminator >= end) {
    throw new WireProtocolError(`The string at byte ${offset} has no terminating NUL.`);
  }

  return { value: buffer.toString('utf8', offset, terminator), next: terminator + 1 };
}

function parseOpMsg(buffer: Buffer, header: MessageHeader): OpMsgRequest {
  const flagBits = buffer.readUInt32LE(HEADER_LENGTH);
  const unknownRequired = flagBits & REQUIRED_FLAG_MASK & ~KNOWN_REQUIRED_FLAGS;

  if (unknownRequired !== 0) {
    throw new WireProtocolError(
      `OP_MSG sets unknown required flag bits 0x${unknownRequired.toString(16)}.`,
    );
  }

  const checksum = (flagBits & CHECKSUM_PRESENT) !== 0;
  const end = checksum ? buffer.length - 4 : buffer.length;

  if (checksum) {
    const expected = buffer.readUInt32LE(end);
    const actual = crc32c(buffer.subarray(0, end));

    if (expected !== actual) {
      throw new WireProtocolError(
        `OP_MSG checksum mismatch: the message carries 0x${expected.toString(16)}, its bytes give 0x${actual.toString(16)}.`,
      );
    }
  }

  let body: Document | undefined;
  const sequences = new Map<string, Document[]>();
  let offset = HEADER_LENGTH + 4;

  while (offset < end) {
    const kind = buffer[offset];

    offset += 1;

    if (kind === 0) {
      if (body !== undefined) {
        throw new WireProtocolError('OP_MSG has more than one kind 0 (body) section.');
      }

      const read = readDocument(buffer, offset, end);

      body = read.document;
      offset = read.next;
    } else if (kind === 1) {
      offset = readSequence(buffer, offset, end, sequences);
    } else {
      throw new WireProtocolError(
        `OP_MSG has a section of unknown kind ${kind} at byte ${offset - 1}.`,
      );
    }
  }

  if (body === undefined) {
    throw new WireProtocolError('OP_MSG has no kind 0 (body) section.');
  }

  return { kind: 'msg', header, flagBits, body, sequences, checksum };
}

/** Reads a kind 1 section (size, identifier, documents) and returns the offset after it. */
function readSequence(
  buffer: Buffer,
  offset: number,
  end: number,
  sequences: Map<string, Document[]>,
): number {
  if (offset + 4 > end) {
    throw new WireProtocolError(`The document sequence at byte ${offset} is cut off.`);
  }

  const size = buffer.readInt32LE(offset);
  const sectionEnd = offset + size;

  if (size < 5 || sectionEnd > end) {
    throw new WireProtocolError(
      `The document sequence at byte ${offset} declares ${size} bytes, which does not fit the message.`,
    );
  }

  const identifier = readCString(buffer, offset + 4, sectionEnd);
  const documents: Document[] = [];
  let position = identifier.next;

  while (position < sectionEnd) {
    const read = readDocument(buffer, position, sectionEnd);

    documents.push(read.document);
    position = read.next;
  }

  if (sequences.has(identifier.value)) {
    throw new WireProtocolError(`OP_MSG repeats the document sequence "${identifier.value}".`);
  }

  sequences.set(identifier.value, documents);

  return sectionEnd;
}

function parseOpQuery(buffer: Buffer, header: MessageHeader): OpQueryRequest {
  const flags = buffer.readInt32LE(HEADER_LENGTH);
  const name = readCString(buffer, HEADER_LENGTH + 4, buffer.length);
  const numberToSkip = buffer.readInt32LE(name.next);
  const numberToReturn = buffer.readInt32LE(name.next + 4);
  const query = readDocument(buffer, name.next + 8, buffer.length);

  // An optional field selector may follow; commands never use it.
  return {
    kind: 'query',
    header,
    flags,
    fullCollectionName: name.value,
    numberToSkip,
    numberToReturn,
    query: query.document,
  };
}

/** Parses one whole message (header included) as framed by `MessageFramer`. */
export function parseMessage(message: Buffer): WireRequest {
  const header = readHeader(message);

  if (header.messageLength !== message.length) {
    throw new WireProtocolError(
      `The header declares ${header.messageLength} bytes, but the message has ${message.length}.`,
    );
  }

  switch (header.opCode) {
    case OP_MSG:
      return parseOpMsg(message, header);
    case OP_QUERY:
      return parseOpQuery(message, header);
    case OP_COMPRESSED:
      throw new WireProtocolError(
        'OP_COMPRESSED is not supported: the server offers no compressors.',
      );
    default:
      throw new WireProtocolError(`Unsupported opCode ${header.opCode}.`);
  }
}

function writeHeader(buffer: Buffer, requestId: number, responseTo: number, opCode: number): void {
  buffer.writeInt32LE(buffer.length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
}

/** Encodes an OP_MSG with one body section, plus a CRC-32C when `checksum` is set. */
export function encodeOpMsg(
  body: Document,
  ids: { requestId: number; responseTo: number },
  options: { checksum?: boolean; flagBits?: number } = {},
): Buffer {
  const document = serialize(body);
  const checksumLength = options.checksum ? 4 : 0;
  const message = Buffer.alloc(HEADER_LENGTH + 4 + 1 + document.length + checksumLength);
  const flagBits = (options.flagBits ?? 0) | (options.checksum ? CHECKSUM_PRESENT : 0);

  writeHeader(message, ids.requestId, ids.responseTo, OP_MSG);
  message.writeUInt32LE(flagBits >>> 0, HEADER_LENGTH);
  message[HEADER_LENGTH + 4] = 0;
  message.set(document, HEADER_LENGTH + 5);

  if (options.checksum) {
    const end = message.length - 4;

    message.writeUInt32LE(crc32c(message.subarray(0, end)), end);
  }

  return message;
}

/** Encodes an OP_REPLY, the reply to an OP_QUERY. */
export function encodeOpReply(
  documents: Document[],
  ids: { requestId: number; responseTo: number },
): Buffer {
  const encoded = documents.map((document) => serialize(document));
  const bodyLength = encoded.reduce((total, document) => total + document.length, 0);
  const message = Buffer.alloc(HEADER_LENGTH + 20 + bodyLength);
  let offset = HEADER_LENGTH;

  writeHeader(message, ids.requestId, ids.responseTo, OP_REPLY);
  message.writeInt32LE(0, offset); // responseFlags
  message.writeBigInt64LE(0n, offset + 4); // cursorID
  message.writeInt32LE(0, offset + 12); // startingFrom
  message.writeInt32LE(documents.length, offset + 16); // numberReturned
  offset += 20;

  for (const document of encoded) {
    message.set(document, offset);
    offset += document.length;
  }

  return message;
}

/**
 * Splits a TCP byte stream into whole messages by their length prefix and
 * rejects lengths outside 16 bytes to `MAX_MESSAGE_BYTES`.
 */
export class MessageFramer {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  /** Adds received bytes and returns every message they complete. */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;

    const messages: Buffer[] = [];

    while (this.pendingLength >= 4) {
      const length = this.peekLength();

      if (length < HEADER_LENGTH || length > MAX_MESSAGE_BYTES) {
        throw new WireProtocolError(
          `Invalid messageLength ${length}: expected ${HEADER_LENGTH} to ${MAX_MESSAGE_BYTES} bytes.`,
        );
      }

      if (this.pendingLength < length) {
        break;
      }

      // Chunks are joined once per complete message, so a large message
      // that arrives in many chunks is copied once, not once per chunk.
      const buffer = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);

      messages.push(buffer.subarray(0, length));
      this.pending = buffer.length === length ? [] : [buffer.subarray(length)];
      this.pendingLength = buffer.length - length;
    }

    return messages;
  }

  private peekLength(): number {
    if (this.pending[0].length < 4) {
      this.pending = [Buffer.concat(this.pending)];
    }

    return this.pending[0].readInt32LE(0);
  }

  /** Bytes received that do not yet form a whole message. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }
}
