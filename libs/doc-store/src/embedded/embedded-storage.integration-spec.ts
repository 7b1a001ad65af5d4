import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { type DocumentQuery } from '../doc-store';
import { expectDocStoreError, readStream, sha256Hex } from '../testing';
import { EmbeddedDocStore, type EmbeddedDocStoreOptions } from './embedded-doc-store';

const directories: string[] = [];
const stores: EmbeddedDocStore[] = [];

async function newDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'doc-store-embedded-'));

  directories.push(directory);

  return directory;
}

async function open(
  directory: string,
  options: Partial<EmbeddedDocStoreOptions> = {},
): Promise<EmbeddedDocStore> {
  const store = await EmbeddedDocStore.open({ directory, ...options });

  stores.push(store);

  return store;
}

function objectFiles(directory: string): string[] {
  const objects = join(directory, 'blobs', 'objects');

  return readdirSync(objects).flatMap((shard) => readdirSync(join(objects, shard)));
}

function tempFiles(directory: string): string[] {
  return readdirSync(join(directory, 'blobs', 'tmp'));
}

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all(
    directories.map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

describe('EmbeddedDocStore storage', () => {
  it('uses WAL with synchronous FULL', async () => {
    const store = await open(await newDirectory(), { busyTimeoutMs: 1234 });

    expect(store.storageSettings()).toEqual({
      journalMode: 'wal',
      synchronous: 'FULL',
      busyTimeoutMs: 1234,
    });
  });

  it('keeps data across reopen', async () => {
    const directory = await newDirectory();
    const first = await open(directory);
    const written = await first.setDocument('notes', 'n1', { text: 'hello', n: 5 });

    await first.queryDocuments('notes', { where: [['n', '>', 1]] });
    await first.putBlob('notes/n1.txt', Buffer.from('attached'));
    await first.close();

    const second = await open(directory);
    const rewritten = await second.setDocument('notes', 'n1', { text: 'again', n: 6 });

    expect((await second.getDocument('notes', 'n1')).createTime).toBe(written.createTime);
    expect(rewritten.version).toBeGreaterThan(written.version);
    expect(
      (await second.queryDocuments('notes', { where: [['n', '>', 1]] })).documents,
    ).toHaveLength(1);
    expect((await readStream((await second.getBlob('notes/n1.txt')).stream)).toString()).toBe(
      'attached',
    );
  });

  it('queries use the field indexes', async () => {
    const store = await open(await newDirectory());
    const writes = Array.from({ length: 200 }, (_, i) => ({
      op: 'set' as const,
      collection: 'metrics',
      id: `m${i}`,
      data: { value: i, host: `h${i % 5}` },
    }));

    await store.commitBatch(writes);

    const first = await store.queryDocuments('metrics', { orderBy: [['value', 'asc']], limit: 10 });
    const plans: [string, DocumentQuery][] = [
      ['range', { where: [['value', '>', 100]] }],
      ['equality', { where: [['host', '==', 'h1']] }],
      ['cursor', { orderBy: [['value', 'asc']], startAfter: first.nextCursor as string }],
    ];

    for (const [label, query] of plans) {
      const plan = store.explainQuery('metrics', query).join(' | ');

      expect([label, plan]).toEqual([
        label,
        expect.stringMatching(/USING (COVERING )?INDEX documents_by_/u),
      ]);
      expect([label, plan]).toEqual([label, expect.not.stringContaining('SCAN documents')]);
    }

    expect(store.explainQuery('metrics', plans[2][1]).join(' | ')).toMatch(
      /\(collection=\? AND \(.+\)>\(\?,\?,\?\)\)/u,
    );
  });

  it('queries without generated columns agree', async () => {
    const indexed = await open(await newDirectory());
    const plain = await open(await newDirectory(), {
      maxQueryFields: 0,
      maxIndexesPerCollection: 0,
    });
    const writes = Array.from({ length: 120 }, (_, i) => ({
      op: 'set' as const,
      collection: 'mixed',
      id: `d${i}`,
      data: {
        v: i % 3 === 0 ? `s${i % 10}` : i % 7,
        flag: i % 2 === 0,
        tags: [`t${i % 4}`],
        deep: { n: i % 5 },
      },
    }));
    const queries: DocumentQuery[] = [
      { where: [['v', '>=', 3]], orderBy: [['v', 'desc']], limit: 1000 },
      {
        where: [
          ['flag', '==', true],
          ['deep.n', 'in', [1, 2]],
        ],
        limit: 1000,
      },
      {
        where: [['tags', 'array-contains', 't2']],
        orderBy: [
          ['deep.n', 'asc'],
          ['v', 'desc'],
        ],
        limit: 1000,
      },
      { where: [['v', '!=', 's0']], orderBy: [['v', 'asc']], limit: 1000 },
    ];

    await indexed.commitBatch(writes);
    await plain.commitBatch(writes);

    for (const query of queries) {
      const expected = (await indexed.queryDocuments('mixed', query)).documents.map(
        (document) => document.id,
      );
      const actual = (await plain.queryDocuments('mixed', query)).documents.map(
        (document) => document.id,
      );

      expect(expected.length).toBeGreaterThan(0);
      expect(actual).toEqual(expected);
    }

    expect(plain.explainQuery('mixed', queries[0]).join(' | ')).not.toContain('documents_by_');
  });

  it('two connections share fields and data', async () => {
    const directory = await newDirectory();
    const first = await open(directory);
    const second = await open(directory);

    await first.setDocument('shared', 'a', { rank: 2 });
    await second.setDocument('shared', 'b', { rank: 1 });

    const fromFirst = await first.queryDocuments('shared', { orderBy: [['rank', 'asc']] });
    const fromSecond = await second.queryDocuments('shared', { orderBy: [['rank', 'asc']] });

    expect(fromFirst.documents.map((document) => document.id)).toEqual(['b', 'a']);
    expect(fromSecond.documents).toEqual(fromFirst.documents);
  });

  it('lock held too long is UNAVAILABLE', async () => {
    const directory = await newDirectory();
    const store = await open(directory, { busyTimeoutMs: 50 });
    const blocker = new Database(join(directory, 'documents.sqlite'));

    try {
      blocker.exec('BEGIN IMMEDIATE');

      const error = await expectDocStoreError(
        store.setDocument('locked', 'a', { a: 1 }),
        'UNAVAILABLE',
      );

      expect(error.details).toMatchObject({ storageCode: 'SQLITE_BUSY' });
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }

    expect((await store.setDocument('locked', 'a', { a: 1 })).data).toEqual({ a: 1 });
  });

  it('closed store is UNAVAILABLE', async () => {
    const store = await open(await newDirectory());

    await store.close();

    await expectDocStoreError(store.getDocument('any', 'doc'), 'UNAVAILABLE');
    await expectDocStoreError(store.putBlob('any/blob', Buffer.from('x')), 'UNAVAILABLE');
    await expectDocStoreError(store.checkHealth(), 'UNAVAILABLE');
  });

  it('close waits for a blob write', async () => {
    const store = await open(await newDirectory());
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });

    async function* slowSource(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('first half, ');
      await gate;
      yield Buffer.from('second half');
    }

    const put = store.putBlob('slow/blob', slowSource());
    const closed = store.close();

    release();

    expect((await put).size).toBe('first half, second half'.length);
    await closed;
  });
});

describe('EmbeddedDocStore blob files', () => {
  it('last delete removes the file', async () => {
    const directory = await newDirectory();
    const store = await open(directory);
    const bytes = randomBytes(4096);

    await store.putBlob('a/one', bytes);
    await store.putBlob('a/two', bytes);
    await store.putBlob('a/other', Buffer.from('other'));

    expect(objectFiles(directory).sort()).toEqual(
      [sha256Hex(bytes), sha256Hex(Buffer.from('other'))].sort(),
    );

    await store.deleteBlob('a/one');

    expect(objectFiles(directory)).toContain(sha256Hex(bytes));

    await store.deleteBlob('a/two');
    await store.putBlob('a/other', Buffer.from('replaced'));

    expect(objectFiles(directory)).toEqual([sha256Hex(Buffer.from('replaced'))]);
    expect(tempFiles(directory)).toEqual([]);
  });

  it('garbage collector removes leftovers', async () => {
    const directory = await newDirectory();
    const store = await open(directory);
    const keptBlob = await store.putBlob('kept/file', Buffer.from('kept'));
    const untracked = sha256Hex(Buffer.from('untracked'));
    const zeroReference = await store.putBlob('zero/file', Buffer.from('zero'));
    const editor = new Database(join(directory, 'documents.sqlite'));

    // Recreate the states a crash can leave: a file renamed into place whose row
    // never committed, a count that reached zero before its file was removed,
    // and temporary files old and new.
    mkdirSync(join(directory, 'blobs', 'objects', untracked.slice(0, 2)), { recursive: true });
    writeFileSync(
      join(directory, 'blobs', 'objects', untracked.slice(0, 2), untracked),
      'untracked',
    );
    editor.prepare("DELETE FROM blobs WHERE path = 'zero/file'").run();
    editor
      .prepare('UPDATE blob_objects SET ref_count = 0 WHERE sha256 = ?')
      .run(zeroReference.sha256);
    editor.close();
    writeFileSync(join(directory, 'blobs', 'tmp', 'old.part'), 'partial');
    utimesSync(join(directory, 'blobs', 'tmp', 'old.part'), new Date(0), new Date(0));
    writeFileSync(join(directory, 'blobs', 'tmp', 'fresh.part'), 'partial');

    expect(await store.collectGarbage()).toEqual({ removedObjects: 2, removedTempFiles: 1 });
    expect(objectFiles(directory)).toEqual([keptBlob.sha256]);
    expect(tempFiles(directory)).toEqual(['fresh.part']);
    expect(await store.collectGarbage({ staleTempFileAgeMs: 0 })).toEqual({
      removedObjects: 0,
      removedTempFiles: 1,
    });
    expect((await readStream((await store.getBlob('kept/file')).stream)).toString()).toBe('kept');
  });

  it('corrupted file fails the read', async () => {
    const directory = await newDirectory();
    const store = await open(directory);
    const info = await store.putBlob('corrupt/file', Buffer.from('original bytes'));
    const file = join(directory, 'blobs', 'objects', info.sha256.slice(0, 2), info.sha256);

    writeFileSync(file, 'tampered bytes');

    const read = readStream((await store.getBlob('corrupt/file')).stream);

    await expect(read).rejects.toMatchObject({ code: 'DATA_CORRUPTED' });
    expect(readFileSync(file, 'utf8')).toBe('tampered bytes');
  });

  it('missing object file is DATA_CORRUPTED', async () => {
    const directory = await newDirectory();
    const store = await open(directory);
    const info = await store.putBlob('lost/file', Buffer.from('lost'));

    writeFileSync(join(directory, 'blobs', 'objects', info.sha256.slice(0, 2), 'unrelated'), '');
    await rm(join(directory, 'blobs', 'objects', info.sha256.slice(0, 2), info.sha256));

    await expectDocStoreError(store.getBlob('lost/file'), 'DATA_CORRUPTED');
  });
});
