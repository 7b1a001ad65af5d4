import { randomBytes } from 'node:crypto';

import { Binary, type Db, GridFSBucket, MongoClient, type ObjectId } from 'mongodb';

import { MongoWireServer } from '@rokks/testing';

import { expectDocStoreError, readStream } from '../testing';
import { MongoDocStore } from './mongo-doc-store';
import { BLOB_BUCKET, META_COLLECTIONS } from './mongo-names.util';

// Blob storage in GridFS beyond the contract: what a crash leaves behind,
// the grace time of replaced content, and damaged content on read.

let server: MongoWireServer;
let client: MongoClient;
let databaseCounter = 0;

function newDatabase(): { name: string; db: Db } {
  databaseCounter += 1;

  const name = `blobs_${databaseCounter}`;

  return { name, db: client.db(name) };
}

function count(database: string, collection: string): number {
  return server.documents(database, collection).length;
}

beforeAll(async () => {
  server = await MongoWireServer.start();
  client = new MongoClient(server.url);
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

afterEach(() => {
  server.onCommand(undefined);
});

describe('MongoDB blob storage', () => {
  it('removes the chunks of a crashed upload', async () => {
    const { name } = newDatabase();
    const writer = await MongoDocStore.open({
      url: server.url,
      databaseName: name,
      recoveryIntervalMs: 0,
      // Its cleanup after the failure finds no server quickly.
      serverSelectionTimeoutMs: 300,
    });
    let chunkInserts = 0;
    let dead = false;

    // After three chunks the server drops every command of this writer, as if its process died.
    server.onCommand((event) => {
      if (
        event.database === name &&
        event.name === 'insert' &&
        event.command.insert === `${BLOB_BUCKET}.chunks`
      ) {
        chunkInserts++;
        dead ||= chunkInserts > 3;
      }

      return dead ? 'drop' : undefined;
    });

    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        yield randomBytes(256 * 1024);
      }
    }

    await expect(writer.putBlob('uploads/big.bin', endless())).rejects.toThrow();
    server.onCommand(undefined);
    await writer.close();

    expect(count(name, `${BLOB_BUCKET}.chunks`)).toBe(3);
    expect(count(name, META_COLLECTIONS.blobUploads)).toBe(1);

    const reopened = await MongoDocStore.open({
      url: server.url,
      databaseName: name,
      staleUploadAgeMs: 0,
      recoveryIntervalMs: 0,
    });

    try {
      expect(count(name, `${BLOB_BUCKET}.chunks`)).toBe(0);
      expect(count(name, META_COLLECTIONS.blobUploads)).toBe(0);
      expect((await reopened.listBlobs()).blobs).toEqual([]);
    } finally {
      await reopened.close();
    }
  }, 30_000);

  it('keeps replaced content for the grace time', async () => {
    const { name } = newDatabase();
    const store = await MongoDocStore.open({
      url: server.url,
      databaseName: name,
      recoveryIntervalMs: 0,
    });

    try {
      await store.putBlob('reports/daily.csv', Buffer.from('first'));

      const reading = await store.getBlob('reports/daily.csv');

      await store.putBlob('reports/daily.csv', Buffer.from('second'));

      const afterPut = await store.recover();

      // A read that started before the put still gets the old bytes.
      expect((await readStream(reading.stream)).toString()).toBe('first');
      expect(afterPut.blobs.removedFiles).toBe(0);
      expect(count(name, `${BLOB_BUCKET}.files`)).toBe(2);
    } finally {
      await store.close();
    }

    const impatient = await MongoDocStore.open({
      url: server.url,
      databaseName: name,
      replacedBlobGraceMs: 0,
      recoveryIntervalMs: 0,
    });

    try {
      expect(count(name, `${BLOB_BUCKET}.files`)).toBe(1);
      expect(
        (await readStream((await impatient.getBlob('reports/daily.csv')).stream)).toString(),
      ).toBe('second');
    } finally {
      await impatient.close();
    }
  });

  it('finds content that no path uses', async () => {
    const { name, db } = newDatabase();
    const bucket = new GridFSBucket(db, { bucketName: BLOB_BUCKET });
    // A file whose put crashed after its upload record was removed but before it was marked.
    const upload = bucket.openUploadStream('lost.bin');

    await new Promise<void>((resolve, reject) => {
      upload.once('error', reject);
      upload.end(Buffer.from('lost'), () => resolve());
    });

    const store = await MongoDocStore.open({
      url: server.url,
      databaseName: name,
      recoveryIntervalMs: 0,
    });

    try {
      const [file] = server.documents(name, `${BLOB_BUCKET}.files`);

      expect((file.metadata as { replacedAt?: Date }).replacedAt).toBeInstanceOf(Date);
    } finally {
      await store.close();
    }
  });

  it('reports missing chunks as DATA_CORRUPTED', async () => {
    const { name, db } = newDatabase();
    const store = await MongoDocStore.open({
      url: server.url,
      databaseName: name,
      recoveryIntervalMs: 0,
    });

    try {
      await store.putBlob('broken/missing.bin', randomBytes(600 * 1024));

      const { fileId } = (await db
        .collection(META_COLLECTIONS.blobs)
        .findOne({ _id: 'broken/missing.bin' as never })) as unknown as { fileId: ObjectId };

      await db.collection(`${BLOB_BUCKET}.chunks`).deleteOne({ files_id: fileId, n: 1 });

      await expectDocStoreError(
        readStream((await store.getBlob('broken/missing.bin')).stream),
        'DATA_CORRUPTED',
      );
    } finally {
      await store.close();
    }
  });

  it('reports changed bytes as DATA_CORRUPTED', async () => {
    const { name, db } = newDatabase();
    const store = await MongoDocStore.open({
      url: server.url,
      databaseName: name,
      recoveryIntervalMs: 0,
    });

    try {
      const info = await store.putBlob('broken/changed.bin', Buffer.from('original bytes'));
      const { fileId } = (await db
        .collection(META_COLLECTIONS.blobs)
        .findOne({ _id: info.path as never })) as unknown as { fileId: ObjectId };

      await db
        .collection(`${BLOB_BUCKET}.chunks`)
        .updateOne(
          { files_id: fileId, n: 0 },
          { $set: { data: new Binary(Buffer.from('ORIGINAL bytes')) } },
        );

      const error = await expectDocStoreError(
        readStream((await store.getBlob(info.path)).stream),
        'DATA_CORRUPTED',
      );

      expect(error.details).toMatchObject({ path: info.path, expected: info.sha256 });
    } finally {
      await store.close();
    }
  });
});
