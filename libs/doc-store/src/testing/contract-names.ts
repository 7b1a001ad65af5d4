import { type DocStore } from '../doc-store';
import { MAX_BLOB_PATH_BYTES, MAX_ID_BYTES } from '../doc-store.limits';
import { type ContractContext, expectDocStoreError } from './contract-context';

const BAD_IDS: [string, unknown][] = [
  ['an empty id', ''],
  ['"."', '.'],
  ['".."', '..'],
  ['a slash', 'a/b'],
  ['a NUL', 'a\u0000b'],
  ['a line break', 'a\nb'],
  ['a DEL character', 'a\u007f'],
  ['a C1 control', 'a\u0085'],
  ['a lone surrogate', 'a\ud800'],
  ['a reserved name', '__meta__'],
  ['an id over the length cap', 'x'.repeat(MAX_ID_BYTES + 1)],
  ['multi-byte text over the cap', 'é'.repeat(MAX_ID_BYTES / 2 + 1)],
  ['a number', 42],
];

const BAD_BLOB_PATHS: [string, unknown][] = [
  ['an empty path', ''],
  ['an absolute path', '/etc/passwd'],
  ['a ".." segment', 'a/../b'],
  ['a leading ".."', '../outside'],
  ['only ".."', '..'],
  ['a "." segment', 'a/./b'],
  ['an empty segment', 'a//b'],
  ['a trailing slash', 'a/b/'],
  ['a NUL', 'a\u0000b'],
  ['a tab', 'a\tb'],
  ['a line break', 'a/b\n'],
  ['a backslash', 'a\\b'],
  ['a Windows drive', 'C:/Windows'],
  ['a lone surrogate', 'a/\udc00'],
  ['a path over the length cap', 'p'.repeat(MAX_BLOB_PATH_BYTES + 1)],
  ['a number', 7],
];

const BAD_PREFIXES: [string, unknown][] = [
  ['an absolute prefix', '/a'],
  ['a ".." segment', 'a/../'],
  ['an empty segment', 'a//'],
  ['a NUL', 'a\u0000'],
  ['a backslash', '..\\'],
  ['a prefix over the length cap', 'p'.repeat(MAX_BLOB_PATH_BYTES + 1)],
];

function documentCalls(
  store: DocStore,
  collection: unknown,
  id: unknown,
): [string, () => Promise<unknown>][] {
  const c = collection as string;
  const d = id as string;

  return [
    ['get', () => store.getDocument(c, d)],
    ['set', () => store.setDocument(c, d, { a: 1 })],
    ['merge', () => store.mergeDocument(c, d, { a: 1 })],
    ['delete', () => store.deleteDocument(c, d)],
    ['batch', () => store.commitBatch([{ op: 'set', collection: c, id: d, data: { a: 1 } }])],
  ];
}

/** Checks an INVALID_NAME error names the offending value (strings quoted as JSON, shortened when long). */
function expectNamed(message: string, name: unknown): void {
  if (typeof name === 'string' && name.length > 0 && name.length <= 100) {
    expect(message).toContain(JSON.stringify(name));
  }
}

export function nameContractTests(context: ContractContext): void {
  describe('names', () => {
    it.each(BAD_IDS)('collection id with %s is rejected', async (_label, name) => {
      const store = context.store();

      for (const [operation, call] of documentCalls(store, name, 'doc')) {
        const error = await expectDocStoreError(call(), 'INVALID_NAME');

        expect([operation, error.details.kind]).toEqual([operation, 'collection id']);
        expectNamed(error.message, name);
      }

      const queryError = await expectDocStoreError(
        store.queryDocuments(name as string, {}),
        'INVALID_NAME',
      );

      expectNamed(queryError.message, name);
    });

    it.each(BAD_IDS)('document id with %s is rejected', async (_label, name) => {
      const store = context.store();
      const collection = context.unique('names');

      for (const [operation, call] of documentCalls(store, collection, name)) {
        const error = await expectDocStoreError(call(), 'INVALID_NAME');

        expect([operation, error.details.kind]).toEqual([operation, 'document id']);
        expectNamed(error.message, name);
      }

      expect((await store.queryDocuments(collection, {})).documents).toEqual([]);
    });

    it('collection "blobs" is reserved', async () => {
      await expectDocStoreError(
        context.store().setDocument('blobs', 'a', { a: 1 }),
        'INVALID_NAME',
      );
    });

    it('unusual valid ids are accepted', async () => {
      const store = context.store();
      const collection = context.unique('names');
      const names = [
        'x'.repeat(MAX_ID_BYTES),
        'café ☕',
        'with space',
        "quote'd",
        'dots.in.id',
        '...',
        '-_~',
        'blobs',
        '_single_',
      ];

      for (const id of names) {
        await store.setDocument(collection, id, { id });

        expect((await store.getDocument(collection, id)).data).toEqual({ id });
      }

      expect((await store.queryDocuments(collection, {})).documents).toHaveLength(names.length);
    });

    it.each(BAD_BLOB_PATHS)('blob path with %s is rejected', async (_label, path) => {
      const store = context.store();
      let consumed = false;

      async function* source(): AsyncGenerator<Uint8Array> {
        consumed = true;
        yield Buffer.from('data');
      }

      for (const call of [
        () => store.putBlob(path as string, source()),
        () => store.getBlob(path as string),
        () => store.deleteBlob(path as string),
      ]) {
        const error = await expectDocStoreError(call(), 'INVALID_NAME');

        expect(error.details.kind).toBe('blob path');
        expectNamed(error.message, path);
      }

      expect(consumed).toBe(false);
    });

    it.each(BAD_PREFIXES)('blob prefix with %s is rejected', async (_label, prefix) => {
      const error = await expectDocStoreError(
        context.store().listBlobs({ prefix: prefix as string }),
        'INVALID_NAME',
      );

      expectNamed(error.message, prefix);
    });

    it('unusual valid blob paths are accepted', async () => {
      const store = context.store();
      const root = context.unique('paths');
      const paths = [
        `${root}/..hidden`,
        `${root}/.config/x`,
        `${root}/with space/ü.txt`,
        `${root}/a..b/c`,
        `${root}/C:`,
      ];

      for (const path of paths) {
        await store.putBlob(path, Buffer.from(path));
      }

      expect(await store.listBlobs({ prefix: `${root}/` }).then((page) => page.blobs.length)).toBe(
        paths.length,
      );
    });
  });
}
