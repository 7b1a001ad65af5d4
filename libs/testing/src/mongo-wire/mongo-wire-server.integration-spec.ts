import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';

import { deserialize, serialize } from 'bson';
import { type Db, GridFSBucket, MongoClient, MongoServerError } from 'mongodb';

import { MongoWireServer } from './mongo-wire-server';
import {
  CHECKSUM_PRESENT,
  encodeOpMsg,
  HEADER_LENGTH,
  MessageFramer,
  OP_QUERY,
  parseMessage,
  readHeader,
} from './wire-message';

/** Sends raw bytes and resolves with the first whole message the server sends back. */
async function exchange(port: number, message: Buffer): Promise<Buffer> {
  const socket: Socket = connect(port, '127.0.0.1');
  const framer = new MessageFramer();

  try {
    return await new Promise<Buffer>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('close', () =>
        reject(new Error('The server closed the connection without a reply.')),
      );
      socket.on('data', (chunk: Buffer) => {
        const [reply] = framer.push(chunk);

        if (reply !== undefined) {
          resolve(reply);
        }
      });
      socket.write(message);
    });
  } finally {
    socket.destroy();
  }
}

function opQuery(collection: string, query: Record<string, unknown>): Buffer {
  const name = Buffer.from(`${collection}\0`, 'utf8');
  const document = Buffer.from(serialize(query));
  const message = Buffer.alloc(HEADER_LENGTH + 4 + name.length + 8 + document.length);

  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(11, 4);
  message.writeInt32LE(OP_QUERY, 12);
  name.copy(message, HEADER_LENGTH + 4);
  message.writeInt32LE(-1, HEADER_LENGTH + 4 + name.length + 4);
  document.copy(message, HEADER_LENGTH + 4 + name.length + 8);

  return message;
}

describe('MongoWireServer with the official driver', () => {
  let server: MongoWireServer;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    server = await MongoWireServer.start();
    client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    db = client.db('wire_test');
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  afterEach(() => {
    server.onCommand(undefined);
  });

  it('answers the legacy OP_QUERY handshake', async () => {
    const reply = await exchange(
      server.port,
      opQuery('admin.$cmd', { isMaster: 1, helloOk: true }),
    );
    const body = deserialize(reply.subarray(HEADER_LENGTH + 20));

    expect(readHeader(reply).responseTo).toBe(11);
    expect(body).toMatchObject({ ismaster: true, helloOk: true, maxWireVersion: 21, ok: 1 });
    expect(body.setName).toBeUndefined();
  });

  it('reports a standalone server', async () => {
    const hello = await db.admin().command({ hello: 1 });
    const buildInfo = await db.admin().command({ buildInfo: 1 });

    expect(hello).toMatchObject({ isWritablePrimary: true, logicalSessionTimeoutMinutes: 30 });
    expect(hello.setName).toBeUndefined();
    expect(buildInfo.version).toBe('7.0.0');
    expect(await db.command({ ping: 1 })).toEqual({ ok: 1 });
  });

  it('answers a checksummed OP_MSG with a checksum', async () => {
    const request = encodeOpMsg(
      { ping: 1, $db: 'admin' },
      { requestId: 21, responseTo: 0 },
      { checksum: true },
    );
    const reply = await exchange(server.port, request);
    const parsed = parseMessage(reply);

    expect(readHeader(reply).responseTo).toBe(21);
    expect(reply.readUInt32LE(HEADER_LENGTH) & CHECKSUM_PRESENT).toBe(CHECKSUM_PRESENT);
    expect(parsed).toMatchObject({ kind: 'msg', body: { ok: 1 }, checksum: true });
  });

  it('closes the connection on a corrupt message', async () => {
    const request = encodeOpMsg(
      { ping: 1, $db: 'admin' },
      { requestId: 22, responseTo: 0 },
      { checksum: true },
    );

    request[request.length - 1] ^= 0xff;

    await expect(exchange(server.port, request)).rejects.toThrow(/closed the connection/u);
  });

  it('finds with filter, sort, skip, limit and projection', async () => {
    const people = db.collection<{ _id: number; name: string; age: number; city: string }>(
      'people',
    );

    await people.insertMany([
      { _id: 1, name: 'Ada', age: 36, city: 'London' },
      { _id: 2, name: 'Grace', age: 85, city: 'Arlington' },
      { _id: 3, name: 'Alan', age: 41, city: 'London' },
      { _id: 4, name: 'Edsger', age: 72, city: 'Nuenen' },
      { _id: 5, name: 'Barbara', age: 30, city: 'London' },
    ]);

    const londoners = await people
      .find({ city: 'London', age: { $gte: 31 } }, { projection: { _id: 0, name: 1 } })
      .sort({ age: -1 })
      .toArray();
    const page = await people.find({}).sort({ name: 1 }).skip(1).limit(2).toArray();

    expect(londoners).toEqual([{ name: 'Alan' }, { name: 'Ada' }]);
    expect(page.map((person) => person.name)).toEqual(['Alan', 'Barbara']);
    expect(await people.findOne({ _id: 4 })).toMatchObject({ name: 'Edsger' });
    expect(await people.find({ _id: { $in: [5, 1, 9] } }).toArray()).toHaveLength(2);
  });

  it('pages with getMore and kills cursors', async () => {
    const numbers = db.collection<{ _id: number }>('numbers');

    await numbers.insertMany(Array.from({ length: 1000 }, (_, index) => ({ _id: index })));

    const getMoresBefore = server.commandCount('getMore');
    const all = await numbers.find({}, { batchSize: 150 }).toArray();

    expect(all.map((document) => document._id)).toEqual(
      Array.from({ length: 1000 }, (_, index) => index),
    );
    expect(server.commandCount('getMore') - getMoresBefore).toBe(6);

    const killsBefore = server.commandCount('killCursors');
    const cursor = numbers.find({}, { batchSize: 10 });

    await cursor.next();
    await cursor.close();

    expect(server.commandCount('killCursors') - killsBefore).toBe(1);
  });

  it('updates with $set, replacement, upsert and arrayFilters', async () => {
    const items = db.collection<{
      _id: string;
      qty?: number;
      tags?: string[];
      grades?: { score: number }[];
      note?: string;
    }>('items');

    await items.insertOne({ _id: 'a', qty: 1, tags: ['x'] });

    const set = await items.updateOne({ _id: 'a' }, { $set: { qty: 5 } });
    const same = await items.updateOne({ _id: 'a' }, { $set: { qty: 5 } });
    const replaced = await items.replaceOne({ _id: 'a' }, { note: 'replaced' });
    const upserted = await items.updateOne(
      { _id: 'b' },
      { $set: { qty: 2 }, $setOnInsert: { note: 'new' } },
      { upsert: true },
    );
    const notReinserted = await items.updateOne(
      { _id: 'b' },
      { $set: { qty: 3 }, $setOnInsert: { note: 'again' } },
      { upsert: true },
    );

    await items.insertOne({ _id: 'c', grades: [{ score: 50 }, { score: 90 }] });
    await items.updateOne(
      { _id: 'c' },
      { $set: { 'grades.$[low].score': 60 } },
      { arrayFilters: [{ 'low.score': { $lt: 60 } }] },
    );

    expect([set.matchedCount, set.modifiedCount]).toEqual([1, 1]);
    expect([same.matchedCount, same.modifiedCount]).toEqual([1, 0]);
    expect(replaced.modifiedCount).toBe(1);
    expect(await items.findOne({ _id: 'a' })).toEqual({ _id: 'a', note: 'replaced' });
    expect(upserted.upsertedId).toBe('b');
    expect(notReinserted.upsertedId).toBeNull();
    expect(await items.findOne({ _id: 'b' })).toEqual({ _id: 'b', qty: 3, note: 'new' });
    expect((await items.findOne({ _id: 'c' }))?.grades).toEqual([{ score: 60 }, { score: 90 }]);
    await expect(items.updateOne({ _id: 'a' }, { $set: { _id: 'z' } })).rejects.toMatchObject({
      code: 66,
    });
  });

  it('updates many, deletes and counts', async () => {
    const flags = db.collection<{ _id: number; on: boolean }>('flags');

    await flags.insertMany(
      Array.from({ length: 10 }, (_, index) => ({ _id: index, on: index % 2 === 0 })),
    );

    expect((await flags.updateMany({ on: true }, { $set: { on: false } })).modifiedCount).toBe(5);
    expect(await flags.countDocuments({ on: false })).toBe(10);
    expect((await flags.deleteMany({ _id: { $gte: 7 } })).deletedCount).toBe(3);
    expect((await flags.deleteOne({ _id: 0 })).deletedCount).toBe(1);
    expect(await flags.estimatedDocumentCount()).toBe(6);
    expect(await flags.countDocuments({}, { skip: 2, limit: 3 })).toBe(3);
  });

  it('finds and modifies', async () => {
    const counters = db.collection<{ _id: string; value: number }>('counters');

    const created = await counters.findOneAndUpdate(
      { _id: 'seq' },
      { $inc: { value: 5 } },
      { upsert: true, returnDocument: 'after' },
    );
    const before = await counters.findOneAndUpdate(
      { _id: 'seq' },
      { $inc: { value: 1 } },
      { returnDocument: 'before' },
    );
    const missing = await counters.findOneAndUpdate({ _id: 'none' }, { $inc: { value: 1 } });
    const removed = await counters.findOneAndDelete({ _id: 'seq' });

    expect(created).toEqual({ _id: 'seq', value: 5 });
    expect(before).toEqual({ _id: 'seq', value: 5 });
    expect(missing).toBeNull();
    expect(removed).toEqual({ _id: 'seq', value: 6 });
    expect(await counters.countDocuments()).toBe(0);
  });

  it('runs aggregation pipelines', async () => {
    const sales = db.collection<{ item: string; amount: number }>('sales');

    await sales.insertMany([
      { item: 'tea', amount: 3 },
      { item: 'cake', amount: 5 },
      { item: 'tea', amount: 4 },
    ]);

    const totals = await sales
      .aggregate([
        { $match: { amount: { $gt: 1 } } },
        { $group: { _id: '$item', total: { $sum: '$amount' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();

    expect(totals).toEqual([
      { _id: 'cake', total: 5 },
      { _id: 'tea', total: 7 },
    ]);
  });

  it('enforces unique indexes', async () => {
    const users = db.collection<{ email: string }>('users');

    expect(await users.createIndex({ email: 1 }, { unique: true, name: 'email_unique' })).toBe(
      'email_unique',
    );
    expect(await users.createIndex({ email: 1 }, { unique: true, name: 'email_unique' })).toBe(
      'email_unique',
    );

    await users.insertOne({ email: 'ada@example.org' });

    const duplicate = await users
      .insertOne({ email: 'ada@example.org' })
      .catch((error: unknown) => error);

    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);

    const indexes = await users.listIndexes().toArray();

    expect(indexes.map((index) => [index.name, index.unique === true])).toEqual([
      ['_id_', false],
      ['email_unique', true],
    ]);
    await users.dropIndex('email_unique');
    await users.insertOne({ email: 'ada@example.org' });
    expect(await users.countDocuments()).toBe(2);
  });

  it('lists and drops collections', async () => {
    await db.collection('short_lived').insertOne({ a: 1 });

    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(
      (info) => info.name,
    );

    expect(names).toContain('short_lived');
    expect(await db.collection('short_lived').drop()).toBe(true);
    expect((await db.listCollections({ name: 'short_lived' }).toArray()).length).toBe(0);
    await expect(db.command({ listIndexes: 'short_lived' })).rejects.toMatchObject({ code: 26 });
  });

  it('rejects transactions like a standalone mongod', async () => {
    const session = client.startSession();

    try {
      await expect(
        session.withTransaction(async () => {
          await db.collection('txn').insertOne({ a: 1 }, { session });
        }),
      ).rejects.toMatchObject({
        // The driver rewords mongod's IllegalOperation for writes, as it does with a real standalone server.
        message: expect.stringContaining('does not support retryable writes') as unknown,
        originalError: { code: 20 },
      });
    } finally {
      await session.endSession();
    }

    expect(await db.collection('txn').countDocuments()).toBe(0);
  });

  it('rejects unknown commands', async () => {
    await expect(db.command({ frobnicate: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  it('streams GridFS files', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'files', chunkSizeBytes: 64 * 1024 });
    const bytes = randomBytes(1_000_000);
    const upload = bucket.openUploadStream('data.bin', { metadata: { kind: 'test' } });

    await pipeline(
      (async function* () {
        for (let offset = 0; offset < bytes.length; offset += 100_000) {
          yield bytes.subarray(offset, offset + 100_000);
        }
      })(),
      upload,
    );

    const chunks: Buffer[] = [];

    for await (const chunk of bucket.openDownloadStream(upload.id)) {
      chunks.push(chunk as Buffer);
    }

    const [file] = await bucket.find({ _id: upload.id }).toArray();

    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(file).toMatchObject({
      length: bytes.length,
      filename: 'data.bin',
      metadata: { kind: 'test' },
    });
    expect(server.documents('wire_test', 'files.chunks')).toHaveLength(
      Math.ceil(bytes.length / (64 * 1024)),
    );

    await bucket.delete(upload.id);

    expect(server.documents('wire_test', 'files.chunks')).toHaveLength(0);
    expect(server.documents('wire_test', 'files.files')).toHaveLength(0);
  });

  it('holds a command while the listener runs', async () => {
    const second = new MongoClient(server.url);
    const order: string[] = [];

    server.onCommand(async (event) => {
      if (event.name === 'insert' && event.command.insert === 'held') {
        order.push('held received');
        await second.db('wire_test').collection('passing').insertOne({ b: 1 });
        order.push('other done');
      }

      return undefined;
    });

    try {
      await db.collection('held').insertOne({ a: 1 });
      order.push('held done');
    } finally {
      await second.close();
    }

    expect(order).toEqual(['held received', 'other done', 'held done']);
    expect(server.documents('wire_test', 'held')).toHaveLength(1);
  });

  it('drops a connection when the listener asks', async () => {
    const dropped: string[] = [];

    server.onCommand((event) => {
      if (event.name === 'insert' && event.command.insert === 'fragile') {
        dropped.push(event.database);

        return 'drop';
      }

      return undefined;
    });

    await expect(db.collection('fragile').insertOne({ a: 1 })).rejects.toThrow();
    expect(dropped).toEqual(['wire_test']);
    server.onCommand(undefined);
    expect(server.documents('wire_test', 'fragile')).toEqual([]);
    await db.collection('fragile').insertOne({ a: 2 });
    expect(server.documents('wire_test', 'fragile')).toHaveLength(1);
  });
});
