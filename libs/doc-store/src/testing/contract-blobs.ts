import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import { type DocStore } from '../doc-store';
import { MAX_BLOB_PATH_BYTES } from '../doc-store.limits';
import {
  type ContractContext,
  expectDocStoreError,
  readStream,
  sha256Hex,
} from './contract-context';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function readBlob(store: DocStore, path: string): Promise<Buffer> {
  return readStream((await store.getBlob(path)).stream);
}

async function listAll(store: DocStore, prefix: string): Promise<string[]> {
  return (await store.listBlobs({ prefix, limit: 1000 })).blobs.map((blob) => blob.path);
}

async function* chunked(bytes: Buffer, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    yield bytes.subarray(offset, offset + chunkSize);
  }
}

async function* failingAfter(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;

  throw new Error('client disconnected');
}

export function blobContractTests(context: ContractContext): void {
  describe('blobs', () => {
    it('put then get round trip', async () => {
      const store = context.store();
      const path = `${context.unique('files')}/report.csv`;
      const bytes = randomBytes(300_000);

      const info = await store.putBlob(path, bytes, { contentType: 'text/csv' });
      const stored = await store.getBlob(path);

      expect(info).toMatchObject({
        path,
        size: bytes.length,
        sha256: sha256Hex(bytes),
        contentType: 'text/csv',
      });
      expect(info.createTime).toBe(info.updateTime);
      expect(stored.info).toEqual(info);
      expect((await readStream(stored.stream)).equals(bytes)).toBe(true);
    });

    it('accepts Node, web and generator streams', async () => {
      const store = context.store();
      const prefix = context.unique('streams');
      const bytes = randomBytes(200_000);
      const web = new Blob([bytes]).stream();
      const sources: [string, Parameters<DocStore['putBlob']>[1]][] = [
        ['node', Readable.from(chunked(bytes, 7_000))],
        ['web', web as unknown as AsyncIterable<Uint8Array>],
        ['generator', chunked(bytes, 65_536)],
        ['tiny-chunks', chunked(bytes.subarray(0, 5_000), 1)],
      ];

      for (const [name, source] of sources) {
        const info = await store.putBlob(`${prefix}/${name}`, source);
        const expected = name === 'tiny-chunks' ? bytes.subarray(0, 5_000) : bytes;

        expect([name, info.sha256]).toEqual([name, sha256Hex(expected)]);
        expect((await readBlob(store, `${prefix}/${name}`)).equals(expected)).toBe(true);
      }
    });

    it('stores an empty blob', async () => {
      const store = context.store();
      const path = `${context.unique('files')}/empty`;

      const info = await store.putBlob(path, Buffer.alloc(0), { expectedSha256: EMPTY_SHA256 });

      expect(info).toMatchObject({ size: 0, sha256: EMPTY_SHA256, contentType: null });
      expect(await readBlob(store, path)).toHaveLength(0);
    });

    it('expected SHA-256 is checked', async () => {
      const store = context.store();
      const path = `${context.unique('files')}/checked.bin`;
      const bytes = randomBytes(10_000);
      const sha256 = sha256Hex(bytes);

      expect(
        (await store.putBlob(path, bytes, { expectedSha256: sha256.toUpperCase() })).sha256,
      ).toBe(sha256);
    });

    it('wrong SHA-256 stores nothing', async () => {
      const store = context.store();
      const prefix = context.unique('files');
      const path = `${prefix}/wrong.bin`;
      const bytes = randomBytes(10_000);
      const wrong = sha256Hex(Buffer.from('something else'));

      const error = await expectDocStoreError(
        store.putBlob(path, bytes, { expectedSha256: wrong }),
        'CHECKSUM_MISMATCH',
      );

      expect(error.details).toMatchObject({ expected: wrong, actual: sha256Hex(bytes) });
      await expectDocStoreError(store.getBlob(path), 'NOT_FOUND');
      expect(await listAll(store, prefix)).toEqual([]);
    });

    it('wrong SHA-256 keeps the old content', async () => {
      const store = context.store();
      const path = `${context.unique('files')}/kept.bin`;
      const original = randomBytes(1_000);
      const before = await store.putBlob(path, original);

      await expectDocStoreError(
        store.putBlob(path, randomBytes(1_000), { expectedSha256: sha256Hex(original) }),
        'CHECKSUM_MISMATCH',
      );
      expect((await store.getBlob(path)).info).toEqual(before);
      expect((await readBlob(store, path)).equals(original)).toBe(true);
    });

    it.each<[string, unknown]>([
      ['a short hash', 'abc123'],
      ['a non-hex hash', 'z'.repeat(64)],
      ['a number', 42],
    ])('expectedSha256 as %s is rejected', async (_label, expectedSha256) => {
      const path = `${context.unique('files')}/x`;

      await expectDocStoreError(
        context
          .store()
          .putBlob(path, Buffer.from('x'), { expectedSha256: expectedSha256 as string }),
        'INVALID_ARGUMENT',
      );
    });

    it('put replaces the content', async () => {
      const store = context.store();
      const path = `${context.unique('files')}/replaced.txt`;
      const first = await store.putBlob(path, Buffer.from('first version'));
      const second = await store.putBlob(path, Buffer.from('second version'), {
        contentType: 'text/plain',
      });

      expect(second.createTime).toBe(first.createTime);
      expect(second.updateTime >= first.updateTime).toBe(true);
      expect(second.sha256).not.toBe(first.sha256);
      expect((await readBlob(store, path)).toString()).toBe('second version');
    });

    it('shared content survives one delete', async () => {
      const store = context.store();
      const prefix = context.unique('files');
      const bytes = randomBytes(50_000);

      await store.putBlob(`${prefix}/one`, bytes);
      await store.putBlob(`${prefix}/two`, bytes);

      expect(await store.deleteBlob(`${prefix}/one`)).toBe(true);
      expect((await readBlob(store, `${prefix}/two`)).equals(bytes)).toBe(true);
      await store.putBlob(`${prefix}/two`, Buffer.from('other'));
      await store.putBlob(`${prefix}/three`, bytes);
      expect((await readBlob(store, `${prefix}/three`)).equals(bytes)).toBe(true);
    });

    it('delete removes the blob', async () => {
      const store = context.store();
      const prefix = context.unique('files');
      const path = `${prefix}/gone.txt`;

      await store.putBlob(path, Buffer.from('bye'));

      expect(await store.deleteBlob(path)).toBe(true);
      expect(await store.deleteBlob(path)).toBe(false);
      await expectDocStoreError(store.getBlob(path), 'NOT_FOUND');
      expect(await listAll(store, prefix)).toEqual([]);
    });

    it('blob size limit applies', async () => {
      const store = context.store();
      const prefix = context.unique('files');
      const limit = context.maxBlobBytes;

      expect(
        (await store.putBlob(`${prefix}/fits`, chunked(Buffer.alloc(limit, 1), 64 * 1024))).size,
      ).toBe(limit);

      const error = await expectDocStoreError(
        store.putBlob(`${prefix}/over`, chunked(Buffer.alloc(limit + 1, 2), 64 * 1024)),
        'BLOB_TOO_LARGE',
      );

      expect(error.message).toContain(String(limit));
      expect(error.details).toMatchObject({ limit });
      expect(await listAll(store, prefix)).toEqual([`${prefix}/fits`]);
    });

    it('failing source stores nothing', async () => {
      const store = context.store();
      const prefix = context.unique('files');

      await expect(
        store.putBlob(`${prefix}/broken`, failingAfter(randomBytes(1_000))),
      ).rejects.toThrow('client disconnected');
      expect(await listAll(store, prefix)).toEqual([]);
    });

    it('string chunks are rejected', async () => {
      const store = context.store();
      const prefix = context.unique('files');

      await expectDocStoreError(
        store.putBlob(`${prefix}/text`, Readable.from(['not bytes'])),
        'INVALID_ARGUMENT',
      );
      expect(await listAll(store, prefix)).toEqual([]);
    });
  });

  describe('blob listing', () => {
    it('lists by prefix in path order', async () => {
      const store = context.store();
      const root = context.unique('tree');
      const paths = [
        `${root}/a/1`,
        `${root}/a/2`,
        `${root}/a/b/3`,
        `${root}/ab/4`,
        `${root}/b`,
        `${root}/é/5`,
        `${root}/Z`,
      ];

      for (const path of paths) {
        await store.putBlob(path, Buffer.from(path));
      }

      expect(await listAll(store, `${root}/`)).toEqual([
        `${root}/Z`,
        `${root}/a/1`,
        `${root}/a/2`,
        `${root}/a/b/3`,
        `${root}/ab/4`,
        `${root}/b`,
        `${root}/é/5`,
      ]);
      expect(await listAll(store, `${root}/a/`)).toEqual([
        `${root}/a/1`,
        `${root}/a/2`,
        `${root}/a/b/3`,
      ]);
      expect(await listAll(store, `${root}/a`)).toEqual([
        `${root}/a/1`,
        `${root}/a/2`,
        `${root}/a/b/3`,
        `${root}/ab/4`,
      ]);
      expect(await listAll(store, `${root}/é`)).toEqual([`${root}/é/5`]);
      expect(await listAll(store, `${root}/c`)).toEqual([]);

      const listed = await store.listBlobs({ prefix: `${root}/b` });

      expect(listed.blobs).toEqual([(await store.getBlob(`${root}/b`)).info]);
    });

    it('pages through a listing', async () => {
      const store = context.store();
      const root = context.unique('pages');
      const paths = Array.from(
        { length: 25 },
        (_, index) => `${root}/file-${String(index).padStart(2, '0')}`,
      );

      for (const path of paths) {
        await store.putBlob(path, Buffer.from(path));
      }

      const seen: string[] = [];
      let startAfter: string | undefined;
      let pages = 0;

      do {
        const page = await store.listBlobs({ prefix: `${root}/`, limit: 10, startAfter });

        seen.push(...page.blobs.map((blob) => blob.path));
        startAfter = page.nextCursor ?? undefined;
        pages++;
      } while (startAfter !== undefined && pages < 10);

      expect(seen).toEqual(paths);
      expect(pages).toBe(3);
    });

    it('cursor of another prefix is rejected', async () => {
      const store = context.store();
      const root = context.unique('pages');

      await store.putBlob(`${root}/1`, Buffer.from('1'));
      await store.putBlob(`${root}/2`, Buffer.from('2'));

      const page = await store.listBlobs({ prefix: `${root}/`, limit: 1 });

      expect(page.nextCursor).not.toBeNull();
      await expectDocStoreError(
        store.listBlobs({ prefix: `${root}/x`, startAfter: page.nextCursor as string }),
        'INVALID_ARGUMENT',
      );
    });

    it('long paths up to the limit work', async () => {
      const store = context.store();
      const root = context.unique('long');
      const path = `${root}/${'p'.repeat(MAX_BLOB_PATH_BYTES - root.length - 1)}`;

      expect((await store.putBlob(path, Buffer.from('long'))).path).toBe(path);
      expect(await listAll(store, `${root}/`)).toEqual([path]);
    });
  });
}
