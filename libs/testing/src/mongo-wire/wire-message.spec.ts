import { deserialize, serialize } from 'bson';

import { crc32c } from './crc32c.util';
import {
  CHECKSUM_PRESENT,
  encodeOpMsg,
  encodeOpReply,
  HEADER_LENGTH,
  MAX_MESSAGE_BYTES,
  MessageFramer,
  OP_COMPRESSED,
  OP_MSG,
  OP_QUERY,
  OP_REPLY,
  parseMessage,
  readHeader,
  WireProtocolError,
} from './wire-message';

type Section =
  | { kind: 0; document: Record<string, unknown> }
  | { kind: 1; identifier: string; documents: Record<string, unknown>[] };

/** Builds an OP_MSG byte by byte, independently of `encodeOpMsg`. */
function buildOpMsg(
  sections: Section[],
  options: { flagBits?: number; checksum?: boolean; requestId?: number } = {},
): Buffer {
  const parts: Buffer[] = [];

  for (const section of sections) {
    if (section.kind === 0) {
      parts.push(Buffer.from([0]), Buffer.from(serialize(section.document)));
    } else {
      const identifier = Buffer.from(`${section.identifier}\0`, 'utf8');
      const documents = section.documents.map((document) => Buffer.from(serialize(document)));
      const size = Buffer.alloc(4);

      size.writeInt32LE(
        4 + identifier.length + documents.reduce((total, document) => total + document.length, 0),
      );
      parts.push(Buffer.from([1]), size, identifier, ...documents);
    }
  }

  const flagBits = (options.flagBits ?? 0) | (options.checksum ? CHECKSUM_PRESENT : 0);
  const body = Buffer.concat(parts);
  const message = Buffer.alloc(HEADER_LENGTH + 4 + body.length + (options.checksum ? 4 : 0));

  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(options.requestId ?? 7, 4);
  message.writeInt32LE(0, 8);
  message.writeInt32LE(OP_MSG, 12);
  message.writeUInt32LE(flagBits >>> 0, HEADER_LENGTH);
  body.copy(message, HEADER_LENGTH + 4);

  if (options.checksum) {
    message.writeUInt32LE(crc32c(message.subarray(0, message.length - 4)), message.length - 4);
  }

  return message;
}

function buildOpQuery(collection: string, query: Record<string, unknown>): Buffer {
  const name = Buffer.from(`${collection}\0`, 'utf8');
  const document = Buffer.from(serialize(query));
  const message = Buffer.alloc(HEADER_LENGTH + 4 + name.length + 8 + document.length);
  let offset = HEADER_LENGTH;

  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(3, 4);
  message.writeInt32LE(0, 8);
  message.writeInt32LE(OP_QUERY, 12);
  message.writeInt32LE(0, offset);
  offset += 4;
  name.copy(message, offset);
  offset += name.length;
  message.writeInt32LE(0, offset);
  message.writeInt32LE(-1, offset + 4);
  document.copy(message, offset + 8);

  return message;
}

describe('crc32c', () => {
  it('matches the standard check value', () => {
    // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4).
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('returns zero for empty input', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('MessageFramer', () => {
  const first = buildOpMsg([{ kind: 0, document: { ping: 1, $db: 'admin' } }], { requestId: 1 });
  const second = buildOpMsg([{ kind: 0, document: { hello: 1, $db: 'admin' } }], { requestId: 2 });

  it('returns a message split across chunks once complete', () => {
    const framer = new MessageFramer();

    expect(framer.push(first.subarray(0, 2))).toEqual([]);
    expect(framer.push(first.subarray(2, 10))).toEqual([]);
    expect(framer.bufferedBytes).toBe(10);

    const messages = framer.push(first.subarray(10));

    expect(messages).toHaveLength(1);
    expect(messages[0].equals(first)).toBe(true);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('splits several messages in one chunk', () => {
    const framer = new MessageFramer();
    const messages = framer.push(Buffer.concat([first, second, second.subarray(0, 5)]));

    expect(messages.map((message) => readHeader(message).requestId)).toEqual([1, 2]);
    expect(framer.bufferedBytes).toBe(5);
    expect(framer.push(second.subarray(5)).map((message) => readHeader(message).requestId)).toEqual(
      [2],
    );
  });

  it('feeds byte by byte', () => {
    const framer = new MessageFramer();
    const received: Buffer[] = [];

    for (const byte of Buffer.concat([first, second])) {
      received.push(...framer.push(Buffer.from([byte])));
    }

    expect(received.map((message) => message.length)).toEqual([first.length, second.length]);
  });

  it.each([
    ['shorter than a header', HEADER_LENGTH - 1],
    ['negative', -1],
    ['over the maximum', MAX_MESSAGE_BYTES + 1],
  ])('rejects a messageLength %s', (_label, length) => {
    const bytes = Buffer.alloc(4);

    bytes.writeInt32LE(length);

    expect(() => new MessageFramer().push(bytes)).toThrow(WireProtocolError);
  });
});

describe('parseMessage', () => {
  it('reads the header', () => {
    const message = buildOpMsg([{ kind: 0, document: { ping: 1 } }], { requestId: 42 });

    expect(readHeader(message)).toEqual({
      messageLength: message.length,
      requestId: 42,
      responseTo: 0,
      opCode: OP_MSG,
    });
  });

  it('rejects a length that differs from the buffer', () => {
    const message = buildOpMsg([{ kind: 0, document: { ping: 1 } }]);

    expect(() => parseMessage(Buffer.concat([message, Buffer.alloc(1)]))).toThrow(
      /declares .* bytes/u,
    );
  });

  it('reads a body and two document sequences', () => {
    const message = buildOpMsg([
      { kind: 1, identifier: 'documents', documents: [{ _id: 1 }, { _id: 2 }] },
      { kind: 0, document: { insert: 'c', $db: 'test' } },
      { kind: 1, identifier: 'extra', documents: [{ x: 'y' }] },
    ]);
    const request = parseMessage(message);

    expect(request.kind).toBe('msg');

    if (request.kind !== 'msg') {
      return;
    }

    expect(request.body).toEqual({ insert: 'c', $db: 'test' });
    expect([...request.sequences.keys()]).toEqual(['documents', 'extra']);
    expect(request.sequences.get('documents')).toEqual([{ _id: 1 }, { _id: 2 }]);
    expect(request.sequences.get('extra')).toEqual([{ x: 'y' }]);
    expect(request.checksum).toBe(false);
  });

  it('accepts an empty document sequence', () => {
    const request = parseMessage(
      buildOpMsg([
        { kind: 0, document: { insert: 'c' } },
        { kind: 1, identifier: 'documents', documents: [] },
      ]),
    );

    expect(request.kind).toBe('msg');
    expect(request.kind === 'msg' ? request.sequences.get('documents') : undefined).toEqual([]);
  });

  it('rejects two body sections', () => {
    const message = buildOpMsg([
      { kind: 0, document: { a: 1 } },
      { kind: 0, document: { b: 1 } },
    ]);

    expect(() => parseMessage(message)).toThrow(/more than one kind 0/u);
  });

  it('rejects a message without a body', () => {
    const message = buildOpMsg([{ kind: 1, identifier: 'documents', documents: [{ a: 1 }] }]);

    expect(() => parseMessage(message)).toThrow(/no kind 0/u);
  });

  it('rejects a repeated sequence identifier', () => {
    const message = buildOpMsg([
      { kind: 0, document: { a: 1 } },
      { kind: 1, identifier: 'documents', documents: [{ a: 1 }] },
      { kind: 1, identifier: 'documents', documents: [{ a: 2 }] },
    ]);

    expect(() => parseMessage(message)).toThrow(/repeats/u);
  });

  it('rejects an unknown section kind', () => {
    const message = buildOpMsg([{ kind: 0, document: { a: 1 } }]);
    const broken = Buffer.concat([message, Buffer.from([2])]);

    broken.writeInt32LE(broken.length, 0);

    expect(() => parseMessage(broken)).toThrow(/unknown kind 2/u);
  });

  it('rejects a document that overruns its sequence', () => {
    const message = buildOpMsg([
      { kind: 0, document: { a: 1 } },
      { kind: 1, identifier: 'd', documents: [{ a: 1 }] },
    ]);
    // The sequence size field sits right after the body section and its kind byte.
    const sequenceSizeOffset = HEADER_LENGTH + 4 + 1 + serialize({ a: 1 }).length + 1;

    message.writeInt32LE(message.readInt32LE(sequenceSizeOffset) - 3, sequenceSizeOffset);

    expect(() => parseMessage(message)).toThrow(WireProtocolError);
  });

  it('verifies a checksum', () => {
    const message = buildOpMsg([{ kind: 0, document: { ping: 1 } }], { checksum: true });
    const request = parseMessage(message);

    expect(request).toMatchObject({ kind: 'msg', checksum: true, body: { ping: 1 } });
  });

  it('rejects a wrong checksum', () => {
    const message = buildOpMsg([{ kind: 0, document: { ping: 1 } }], { checksum: true });

    message[message.length - 1] ^= 0xff;

    expect(() => parseMessage(message)).toThrow(/checksum mismatch/u);
  });

  it('rejects changed bytes under a checksum', () => {
    const message = buildOpMsg([{ kind: 0, document: { ping: 1 } }], { checksum: true });

    // The value of `ping`, an int32, is the last field before the document's closing NUL.
    message[message.length - 4 - 2] ^= 0x01;

    expect(() => parseMessage(message)).toThrow(/checksum mismatch/u);
  });

  it('rejects unknown required flag bits', () => {
    const message = buildOpMsg([{ kind: 0, document: { ping: 1 } }], { flagBits: 1 << 4 });

    expect(() => parseMessage(message)).toThrow(/required flag bits 0x10/u);
  });

  it('accepts optional flag bits such as exhaustAllowed', () => {
    const message = buildOpMsg([{ kind: 0, document: { ping: 1 } }], { flagBits: 1 << 16 });

    expect(parseMessage(message).kind).toBe('msg');
  });

  it('reads a legacy OP_QUERY', () => {
    const request = parseMessage(buildOpQuery('admin.$cmd', { isMaster: 1, helloOk: true }));

    expect(request).toMatchObject({
      kind: 'query',
      fullCollectionName: 'admin.$cmd',
      numberToSkip: 0,
      numberToReturn: -1,
      query: { isMaster: 1, helloOk: true },
    });
  });

  it('rejects compressed messages', () => {
    const message = Buffer.alloc(HEADER_LENGTH + 9);

    message.writeInt32LE(message.length, 0);
    message.writeInt32LE(OP_COMPRESSED, 12);

    expect(() => parseMessage(message)).toThrow(/OP_COMPRESSED/u);
  });
});

describe('encoders', () => {
  it('encodes an OP_MSG reply with a valid checksum', () => {
    const message = encodeOpMsg({ ok: 1 }, { requestId: 9, responseTo: 4 }, { checksum: true });
    const header = readHeader(message);

    expect(header).toEqual({
      messageLength: message.length,
      requestId: 9,
      responseTo: 4,
      opCode: OP_MSG,
    });
    expect(message.readUInt32LE(HEADER_LENGTH) & CHECKSUM_PRESENT).toBe(CHECKSUM_PRESENT);
    expect(message.readUInt32LE(message.length - 4)).toBe(
      crc32c(message.subarray(0, message.length - 4)),
    );
    expect(parseMessage(message)).toMatchObject({ kind: 'msg', body: { ok: 1 }, checksum: true });
  });

  it('encodes an OP_REPLY', () => {
    const message = encodeOpReply([{ ismaster: true, ok: 1 }], { requestId: 5, responseTo: 3 });

    expect(readHeader(message)).toEqual({
      messageLength: message.length,
      requestId: 5,
      responseTo: 3,
      opCode: OP_REPLY,
    });
    expect(message.readInt32LE(HEADER_LENGTH + 16)).toBe(1);
    expect(deserialize(message.subarray(HEADER_LENGTH + 20))).toEqual({ ismaster: true, ok: 1 });
  });
});
