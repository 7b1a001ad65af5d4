import { MongoWireServer } from '@rokks/testing';

import { type DocumentQuery } from '../doc-store';
import { MongoDocStore } from './mongo-doc-store';

// Query rules where MongoDB's own semantics differ from the contract's and
// the compiled query has to guard: paths through arrays and long ids.

let server: MongoWireServer;
let store: MongoDocStore;

beforeAll(async () => {
  server = await MongoWireServer.start();
  store = await MongoDocStore.open({
    url: server.url,
    databaseName: 'queries',
    recoveryIntervalMs: 0,
  });
  await store.commitBatch([
    { op: 'set', collection: 'paths', id: 'map', data: { a: { b: 1 } } },
    { op: 'set', collection: 'paths', id: 'list', data: { a: [{ b: 1 }, { b: 2 }] } },
    { op: 'set', collection: 'paths', id: 'deep', data: { a: { b: [1, 2] } } },
    { op: 'set', collection: 'paths', id: 'none', data: { a: 'text' } },
  ]);
});

afterAll(async () => {
  await store?.close();
  await server?.close();
});

async function ids(query: DocumentQuery): Promise<string[]> {
  return (await store.queryDocuments('paths', query)).documents.map((document) => document.id);
}

describe('MongoDocStore field paths', () => {
  it.each<[string, DocumentQuery, string[]]>([
    ['== does not look inside arrays', { where: [['a.b', '==', 1]] }, ['map']],
    ['!= skips paths through arrays', { where: [['a.b', '!=', 5]] }, ['deep', 'map']],
    ['range skips paths through arrays', { where: [['a.b', '>=', 1]] }, ['map']],
    ['in skips paths through arrays', { where: [['a.b', 'in', [1, 2]]] }, ['map']],
    ['array-contains on a nested array', { where: [['a.b', 'array-contains', 2]] }, ['deep']],
    ['sorting skips paths through arrays', { orderBy: [['a.b', 'asc']] }, ['map', 'deep']],
  ])('%s', async (_label, query, expected) => {
    expect(await ids(query)).toEqual(expected);
  });

  it('stores a collection with a long id', async () => {
    const collection = 'c'.repeat(300);

    await store.setDocument(collection, 'one', { v: 1 });

    expect(
      (await store.queryDocuments(collection, {})).documents.map((document) => document.id),
    ).toEqual(['one']);
    expect(server.collectionNames('queries').some((name) => name.startsWith('dochash.'))).toBe(
      true,
    );
  });

  it('rejects a NUL in a field name', async () => {
    await expect(store.setDocument('paths', 'nul', { 'a\u0000b': 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'a\u0000b' },
    });
    await expect(
      store.queryDocuments('paths', { where: [['a\u0000b', '==', 1]] }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
