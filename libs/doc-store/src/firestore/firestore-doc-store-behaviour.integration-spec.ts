import { createHash, randomBytes } from 'node:crypto';

import { Storage } from '@google-cloud/storage';

import { type BatchWrite, type JsonMap, type StoredDocument } from '../doc-store';
import { MAX_DOCUMENT_BYTES } from '../doc-store.limits';
import { expectDocStoreError, readStream } from '../testing';
import { FirestoreDocStore } from './firestore-doc-store';
import { FIRESTORE_MAX_DOCUMENT_BYTES } from './firestore-document.codec';
import {
  type RunningFirestoreEmulator,
  startFirestoreEmulator,
} from './testing/firestore-emulator';
import { LoopbackCloudStorage } from './testing/loopback-cloud-storage';

// The Google client libraries would otherwise probe the cloud metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

const BUCKET = 'rokks-behaviour';
const CHUNK_BYTES = 256 * 1024;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Tests the Firestore backend on LoopbackFirestore (or Google's Firestore
 * emulator) and the loopback Cloud Storage server. They cover the parts where this backend
 * splits work between Firestore and itself: residual query clauses,
 * tombstones, Firestore's size measure and staged blob uploads.
 */
describe('FirestoreDocStore', () => {
  let emulator: RunningFirestoreEmulator;
  let storage: LoopbackCloudStorage;
  let store: FirestoreDocStore;
  let run: string;

  beforeAll(async () => {
    // LoopbackFirestore by default; ROKKS_FIRESTORE_EMULATOR=google runs Google's emulator.
    emulator = await startFirestoreEmulator({
      ROKKS_FIRESTORE_EMULATOR: process.env.ROKKS_FIRESTORE_EMULATOR ?? 'loopback',
      ROKKS_FIRESTORE_EMULATOR_JAR: process.env.ROKKS_FIRESTORE_EMULATOR_JAR,
    });
    storage = await LoopbackCloudStorage.start([BUCKET]);
    run = randomBytes(4).toString('hex');
    store = await FirestoreDocStore.open({
      projectId: 'demo-rokks',
      rootPath: `behaviour/${run}`,
      bucket: BUCKET,
      blobPrefix: `behaviour-${run}/`,
      maxBlobBytes: 4 * 1024 * 1024,
      uploadChunkBytes: CHUNK_BYTES,
      firestoreEmulatorHost: emulator.host,
      storageApiEndpoint: storage.apiEndpoint,
    });
  }, 90_000);

  afterAll(async () => {
    await store?.close();
    await storage?.stop();
    await emulator?.stop();
  });

  it('reports healthy', async () => {
    await expect(store.checkHealth()).resolves.toBeUndefined();
  });

  it('versions continue after delete', async () => {
    const collection = `tombstones_${run}`;
    const first = await store.setDocument(collection, 'doc', { v: 1 });
    const second = await store.mergeDocument(collection, 'doc', { w: 2 });

    expect(await store.deleteDocument(collection, 'doc')).toBe(true);

    const recreated = await store.setDocument(collection, 'doc', { v: 3 });

    expect(second.version).toBeGreaterThan(first.version);
    expect(recreated.version).toBeGreaterThan(second.version);
    expect(recreated.createTime >= second.updateTime).toBe(true);
  });

  it('batch create then delete keeps the version', async () => {
    const collection = `tombstones_${run}`;
    const [created] = await store.commitBatch([
      { op: 'set', collection, id: 'brief', data: { a: 1 } },
      { op: 'delete', collection, id: 'brief' },
    ]);

    await expectDocStoreError(store.getDocument(collection, 'brief'), 'NOT_FOUND');
    expect((await store.setDocument(collection, 'brief', { a: 2 })).version).toBeGreaterThan(
      created.document?.version ?? Infinity,
    );
  });

  it('concurrent merges all apply', async () => {
    const collection = `counters_${run}`;

    await store.setDocument(collection, 'c', {});
    await Promise.all(
      Array.from({ length: 6 }, (_, writer) =>
        store.mergeDocument(collection, 'c', { [`w${writer}`]: writer }),
      ),
    );

    const merged = await store.getDocument(collection, 'c');

    expect(Object.keys(merged.data).sort()).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
    expect(merged.version).toBe(7);
  }, 30_000);

  describe('queries with residual clauses', () => {
    const collection = (): string => `residual_${run}`;
    const rows = Array.from({ length: 260 }, (_, index) => ({
      id: `r${String(index).padStart(3, '0')}`,
      data: {
        group: index % 2 === 0 ? 'even' : 'odd',
        score: index % 13,
        label: index % 5 === 0 ? null : `l${index % 4}`,
      } as JsonMap,
    }));

    beforeAll(async () => {
      const writes: BatchWrite[] = rows.map((row) => ({
        op: 'set',
        collection: collection(),
        id: row.id,
        data: row.data,
      }));

      await store.commitBatch(writes);
    }, 60_000);

    async function pageAll(
      query: Parameters<FirestoreDocStore['queryDocuments']>[1],
    ): Promise<string[]> {
      const seen: string[] = [];
      let startAfter: string | undefined;

      do {
        const page = await store.queryDocuments(collection(), { ...query, startAfter });

        seen.push(...page.documents.map((document) => document.id));
        startAfter = page.nextCursor ?? undefined;
      } while (startAfter !== undefined && seen.length <= rows.length);

      return seen;
    }

    it('!= keeps nulls and pages', async () => {
      const expected = rows
        .filter((row) => row.data.group === 'even' && row.data.label !== 'l2')
        .sort(
          (a, b) => (b.data.score as number) - (a.data.score as number) || (a.id < b.id ? 1 : -1),
        )
        .map((row) => row.id);

      expect(
        await pageAll({
          where: [
            ['group', '==', 'even'],
            ['label', '!=', 'l2'],
          ],
          orderBy: [['score', 'desc']],
          limit: 17,
        }),
      ).toEqual(expected);
    }, 30_000);

    it('range outside orderBy keeps id order', async () => {
      const expected = rows.filter((row) => (row.data.score as number) > 9).map((row) => row.id);

      expect(await pageAll({ where: [['score', '>', 9]], limit: 7 })).toEqual(expected);
    }, 30_000);

    it('in with null', async () => {
      const expected = rows
        .filter((row) => row.data.label === null || row.data.label === 'l1')
        .map((row) => row.id);

      expect(await pageAll({ where: [['label', 'in', [null, 'l1']]], limit: 50 })).toEqual(
        expected,
      );
    }, 30_000);
  });

  describe("Firestore's size measure", () => {
    it('near-limit string is DOCUMENT_TOO_LARGE', async () => {
      const data = { text: 'x'.repeat(MAX_DOCUMENT_BYTES - 50) };
      const error = await expectDocStoreError(
        store.setDocument(`sizes_${run}`, 'string', data),
        'DOCUMENT_TOO_LARGE',
      );

      expect(error.details).toMatchObject({
        limit: FIRESTORE_MAX_DOCUMENT_BYTES,
        jsonSize: MAX_DOCUMENT_BYTES - 39,
      });
      expect(error.message).toContain("Firestore's storage measure");
    });

    it('many small numbers are DOCUMENT_TOO_LARGE', async () => {
      // About 400 KB as JSON, but 8 bytes per number in Firestore: about 1.6 MB.
      const data = { numbers: Array.from({ length: 200_000 }, (_, index) => index % 10) };
      const error = await expectDocStoreError(
        store.setDocument(`sizes_${run}`, 'numbers', data),
        'DOCUMENT_TOO_LARGE',
      );

      expect(error.details.size).toBeGreaterThan(FIRESTORE_MAX_DOCUMENT_BYTES);
      expect(error.details.jsonSize).toBeLessThan(MAX_DOCUMENT_BYTES);
    });

    it('document just under the measure is stored', async () => {
      const collection = `sizes_${run}`;
      // 900 KB of text, well under both measures.
      const data = { text: 'y'.repeat(900_000) };
      const stored: StoredDocument = await store.setDocument(collection, 'fits', data);

      expect((await store.getDocument(collection, 'fits')).data).toEqual(stored.data);
    });
  });

  describe('blobs', () => {
    it('uploads in chunks and cleans up', async () => {
      const path = `staged_${run}/big.bin`;
      const bytes = randomBytes(3 * CHUNK_BYTES + 1234);
      const before = storage.requests.length;
      const info = await store.putBlob(path, bytes, { expectedSha256: sha256Hex(bytes) });
      const requests = storage.requests.slice(before);

      expect(info).toMatchObject({ path, size: bytes.length, sha256: sha256Hex(bytes) });
      expect(requests.filter((request) => request === 'PUT upload-chunk')).toHaveLength(4);
      expect(requests).toContain('POST rewrite');
      expect(storage.objectNames(BUCKET).filter((name) => name.includes('.uploads/'))).toEqual([]);
      expect((await readStream((await store.getBlob(path)).stream)).equals(bytes)).toBe(true);
    });

    it('rejected upload leaves no object', async () => {
      const path = `staged_${run}/rejected.bin`;

      await expectDocStoreError(
        store.putBlob(path, randomBytes(2 * CHUNK_BYTES), {
          expectedSha256: sha256Hex(Buffer.from('other')),
        }),
        'CHECKSUM_MISMATCH',
      );
      expect(
        storage.objectNames(BUCKET).filter((name) => name.includes(`staged_${run}/rejected`)),
      ).toEqual([]);
      expect(storage.objectNames(BUCKET).filter((name) => name.includes('.uploads/'))).toEqual([]);
    });

    it('listing skips objects it did not write', async () => {
      const prefix = `foreign_${run}/`;
      const bucket = new Storage({
        projectId: 'demo-rokks',
        apiEndpoint: storage.apiEndpoint,
      }).bucket(BUCKET);

      await store.putBlob(`${prefix}visible`, Buffer.from('x'));
      // An upload left by a crashed put, and an object written without the store.
      await bucket.file(`behaviour-${run}/${prefix}.uploads//crashed`).save(Buffer.from('partial'));
      await bucket.file(`behaviour-${run}/${prefix}plain`).save(Buffer.from('foreign'));

      const page = await store.listBlobs({ prefix });

      expect(page.blobs.map((blob) => blob.path)).toEqual([`${prefix}visible`]);
      await expectDocStoreError(store.getBlob(`${prefix}plain`), 'DATA_CORRUPTED');
    });
  });
});
