import { type JsonMap } from '../doc-store';
import { MAX_DOCUMENT_BYTES, MAX_NESTING_DEPTH } from '../doc-store.limits';
import { type ContractContext, dataOfSize, expectDocStoreError } from './contract-context';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u;

function nestedMaps(depth: number): JsonMap {
  let value: JsonMap = { leaf: true };

  for (let level = 1; level < depth; level++) {
    value = { inner: value };
  }

  return value;
}

function sparseArray(): unknown[] {
  const array: unknown[] = [];

  array[2] = 1;

  return array;
}

export function documentContractTests(context: ContractContext): void {
  describe('documents', () => {
    it('set then get round trip', async () => {
      const store = context.store();
      const collection = context.unique('people');
      const data: JsonMap = {
        name: 'Ada',
        age: 36,
        ratio: 0.25,
        negative: -7,
        large: 1e21,
        active: true,
        retired: false,
        nothing: null,
        empty: '',
        unicode: 'Zürich ☃ 😀',
        tags: ['math', 'engines', { nested: [1, 'two'] }],
        emptyList: [],
        emptyMap: {},
        address: { city: 'London', geo: { lat: 51.5, lng: -0.12 } },
      };

      const written = await store.setDocument(collection, 'ada', data);
      const read = await store.getDocument(collection, 'ada');

      expect(written.id).toBe('ada');
      expect(written.version).toBeGreaterThanOrEqual(1);
      expect(Number.isSafeInteger(written.version)).toBe(true);
      expect(written.createTime).toMatch(ISO_UTC);
      expect(written.updateTime).toBe(written.createTime);
      expect(written.data).toEqual(data);
      expect(read).toEqual(written);
    });

    it('get of missing document is NOT_FOUND', async () => {
      const collection = context.unique('people');
      const error = await expectDocStoreError(
        context.store().getDocument(collection, 'nobody'),
        'NOT_FOUND',
      );

      expect(error.message).toContain('nobody');
    });

    it('set replaces the whole document', async () => {
      const store = context.store();
      const collection = context.unique('people');
      const first = await store.setDocument(collection, 'grace', {
        name: 'Grace',
        rank: 'admiral',
      });
      const second = await store.setDocument(collection, 'grace', { name: 'Grace Hopper' });

      expect(second.data).toEqual({ name: 'Grace Hopper' });
      expect(second.version).toBeGreaterThan(first.version);
      expect(second.createTime).toBe(first.createTime);
      expect(second.updateTime >= first.updateTime).toBe(true);
      expect(await store.getDocument(collection, 'grace')).toEqual(second);
    });

    it('returned data is a copy', async () => {
      const store = context.store();
      const collection = context.unique('people');
      const input: JsonMap = { list: [1, 2], map: { a: 1 } };
      const written = await store.setDocument(collection, 'copy', input);

      (input.list as number[]).push(3);
      (written.data.map as JsonMap).a = 99;

      expect((await store.getDocument(collection, 'copy')).data).toEqual({
        list: [1, 2],
        map: { a: 1 },
      });
    });

    it('delete removes the document', async () => {
      const store = context.store();
      const collection = context.unique('people');

      await store.setDocument(collection, 'alan', { name: 'Alan' });

      expect(await store.deleteDocument(collection, 'alan')).toBe(true);
      expect(await store.deleteDocument(collection, 'alan')).toBe(false);
      await expectDocStoreError(store.getDocument(collection, 'alan'), 'NOT_FOUND');
    });

    it('versions grow across delete and re-create', async () => {
      const store = context.store();
      const collection = context.unique('people');
      const first = await store.setDocument(collection, 'edsger', { v: 1 });

      await store.deleteDocument(collection, 'edsger');

      const recreated = await store.setDocument(collection, 'edsger', { v: 2 });

      expect(recreated.version).toBeGreaterThan(first.version);
    });

    it.each<[string, unknown]>([
      ['an array as data', [1, 2]],
      ['a string as data', 'text'],
      ['null as data', null],
      ['an undefined value', { a: undefined }],
      ['NaN', { a: Number.NaN }],
      ['Infinity', { a: Number.POSITIVE_INFINITY }],
      ['a Date object', { a: new Date(0) }],
      ['a bigint', { a: BigInt(1) }],
      ['an array in an array', { a: [[1]] }],
      ['a dotted key', { 'a.b': 1 }],
      ['a dollar key', { $set: 1 }],
      ['an empty key', { '': 1 }],
      ['a reserved key', { __meta__: 1 }],
      ['a sparse array', { a: sparseArray() }],
      ['a lone surrogate', { a: 'x\ud800' }],
      ['too deep nesting', nestedMaps(MAX_NESTING_DEPTH + 1)],
    ])('data with %s is rejected', async (_label, data) => {
      const store = context.store();
      const collection = context.unique('people');

      await expectDocStoreError(
        store.setDocument(collection, 'bad', data as JsonMap),
        'INVALID_ARGUMENT',
      );
      await expectDocStoreError(
        store.mergeDocument(collection, 'bad', data as JsonMap),
        'INVALID_ARGUMENT',
      );
      await expectDocStoreError(store.getDocument(collection, 'bad'), 'NOT_FOUND');
    });

    it('nesting at the depth limit is accepted', async () => {
      const store = context.store();
      const collection = context.unique('people');
      const data = nestedMaps(MAX_NESTING_DEPTH);

      expect((await store.setDocument(collection, 'deep', data)).data).toEqual(data);
    });

    it('size measure covers the JSON', () => {
      const store = context.store();
      const collection = context.unique('big');
      const data: JsonMap = { name: 'Ada', tags: ['a', 'b'], flags: [true, false, null], n: 1 };
      const measured = store.measureDocument(collection, 'doc', data);

      expect(measured.limit).toBe(MAX_DOCUMENT_BYTES);
      expect(measured.size).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(data)));
    });

    it('size measure checks its input', async () => {
      const store = context.store();
      const collection = context.unique('big');

      await expectDocStoreError(
        Promise.resolve().then(() => store.measureDocument(collection, 'a/b', {})),
        'INVALID_NAME',
      );
      await expectDocStoreError(
        Promise.resolve().then(() => store.measureDocument(collection, 'doc', { n: Number.NaN })),
        'INVALID_ARGUMENT',
      );
    });

    it('document size limit is 1 MiB', async () => {
      const store = context.store();
      const collection = context.unique('big');
      const { limit } = store.measureDocument(collection, 'fits', {});
      const atLimit = dataOfSize(store, collection, 'fits', limit);

      expect((await store.setDocument(collection, 'fits', atLimit)).data).toEqual(atLimit);

      const error = await expectDocStoreError(
        store.setDocument(collection, 'over', dataOfSize(store, collection, 'over', limit + 1)),
        'DOCUMENT_TOO_LARGE',
      );

      expect(error.message).toContain(String(limit + 1));
      expect(error.message).toContain(String(limit));
      expect(error.details).toMatchObject({ size: limit + 1, limit });
      await expectDocStoreError(store.getDocument(collection, 'over'), 'NOT_FOUND');
    });

    it('merge over the size limit fails', async () => {
      const store = context.store();
      const collection = context.unique('big');
      const { limit } = store.measureDocument(collection, 'grows', {});
      const before = await store.setDocument(
        collection,
        'grows',
        dataOfSize(store, collection, 'grows', limit - 100),
      );

      await expectDocStoreError(
        store.mergeDocument(collection, 'grows', { more: 'y'.repeat(200) }),
        'DOCUMENT_TOO_LARGE',
      );
      expect(await store.getDocument(collection, 'grows')).toEqual(before);
    });
  });

  describe('merge', () => {
    it('merge creates a missing document', async () => {
      const store = context.store();
      const collection = context.unique('settings');
      const created = await store.mergeDocument(collection, 'theme', { color: 'blue' });

      expect(created.data).toEqual({ color: 'blue' });
      expect(await store.getDocument(collection, 'theme')).toEqual(created);
    });

    it('merge combines maps deeply', async () => {
      const store = context.store();
      const collection = context.unique('settings');
      const before = await store.setDocument(collection, 'user', {
        keep: 'unchanged',
        replaced: 1,
        list: [1, 2, 3],
        profile: { name: 'Ada', address: { city: 'London', zip: 'N1' }, langs: ['en'] },
        scalarToMap: 5,
        mapToScalar: { a: 1 },
        emptied: { a: 1 },
      });
      const after = await store.mergeDocument(collection, 'user', {
        replaced: 'two',
        list: [9],
        profile: { address: { city: 'Paris' }, langs: ['fr'], born: 1815 },
        scalarToMap: { now: 'map' },
        mapToScalar: null,
        emptied: {},
        added: true,
      });

      expect(after.data).toEqual({
        keep: 'unchanged',
        replaced: 'two',
        list: [9],
        profile: { name: 'Ada', address: { city: 'Paris', zip: 'N1' }, langs: ['fr'], born: 1815 },
        scalarToMap: { now: 'map' },
        mapToScalar: null,
        emptied: { a: 1 },
        added: true,
      });
      expect(after.version).toBeGreaterThan(before.version);
      expect(after.createTime).toBe(before.createTime);
      expect(await store.getDocument(collection, 'user')).toEqual(after);
    });

    it('empty merge still bumps the version', async () => {
      const store = context.store();
      const collection = context.unique('settings');
      const before = await store.setDocument(collection, 'same', { a: 1 });
      const after = await store.mergeDocument(collection, 'same', {});

      expect(after.data).toEqual({ a: 1 });
      expect(after.version).toBeGreaterThan(before.version);
    });
  });

  describe('optimistic concurrency', () => {
    it('write with current version succeeds', async () => {
      const store = context.store();
      const collection = context.unique('accounts');
      const first = await store.setDocument(collection, 'acc', { balance: 10 });
      const second = await store.setDocument(
        collection,
        'acc',
        { balance: 20 },
        { precondition: { version: first.version } },
      );
      const third = await store.mergeDocument(
        collection,
        'acc',
        { note: 'x' },
        { precondition: { version: second.version } },
      );

      expect(third.data).toEqual({ balance: 20, note: 'x' });
      expect(
        await store.deleteDocument(collection, 'acc', { precondition: { version: third.version } }),
      ).toBe(true);
    });

    it('stale version is PRECONDITION_FAILED', async () => {
      const store = context.store();
      const collection = context.unique('accounts');
      const first = await store.setDocument(collection, 'acc', { balance: 10 });
      const current = await store.setDocument(collection, 'acc', { balance: 20 });
      const stale = { precondition: { version: first.version } };

      const setError = await expectDocStoreError(
        store.setDocument(collection, 'acc', { balance: 0 }, stale),
        'PRECONDITION_FAILED',
      );

      expect(setError.details).toMatchObject({
        expectedVersion: first.version,
        actualVersion: current.version,
      });
      await expectDocStoreError(
        store.mergeDocument(collection, 'acc', { balance: 0 }, stale),
        'PRECONDITION_FAILED',
      );
      await expectDocStoreError(
        store.deleteDocument(collection, 'acc', stale),
        'PRECONDITION_FAILED',
      );
      expect(await store.getDocument(collection, 'acc')).toEqual(current);
    });

    it('version on missing document fails', async () => {
      const store = context.store();
      const collection = context.unique('accounts');
      const options = { precondition: { version: 1 } };

      await expectDocStoreError(
        store.setDocument(collection, 'ghost', { a: 1 }, options),
        'PRECONDITION_FAILED',
      );
      await expectDocStoreError(
        store.mergeDocument(collection, 'ghost', { a: 1 }, options),
        'PRECONDITION_FAILED',
      );
      await expectDocStoreError(
        store.deleteDocument(collection, 'ghost', options),
        'PRECONDITION_FAILED',
      );
      await expectDocStoreError(store.getDocument(collection, 'ghost'), 'NOT_FOUND');
    });

    it('create-only write', async () => {
      const store = context.store();
      const collection = context.unique('accounts');
      const createOnly = { precondition: { exists: false } };
      const created = await store.setDocument(collection, 'new', { a: 1 }, createOnly);

      const error = await expectDocStoreError(
        store.setDocument(collection, 'new', { a: 2 }, createOnly),
        'PRECONDITION_FAILED',
      );

      expect(error.details).toMatchObject({ actualVersion: created.version });
      await expectDocStoreError(
        store.mergeDocument(collection, 'new', { a: 2 }, createOnly),
        'PRECONDITION_FAILED',
      );
      expect((await store.getDocument(collection, 'new')).data).toEqual({ a: 1 });
    });

    it('must-exist write', async () => {
      const store = context.store();
      const collection = context.unique('accounts');
      const mustExist = { precondition: { exists: true } };

      await expectDocStoreError(
        store.mergeDocument(collection, 'absent', { a: 1 }, mustExist),
        'PRECONDITION_FAILED',
      );
      await expectDocStoreError(
        store.deleteDocument(collection, 'absent', mustExist),
        'PRECONDITION_FAILED',
      );
      await store.setDocument(collection, 'absent', { a: 1 });
      expect((await store.mergeDocument(collection, 'absent', { b: 2 }, mustExist)).data).toEqual({
        a: 1,
        b: 2,
      });
    });

    it('concurrent writers: exactly one wins', async () => {
      const store = context.store();
      const collection = context.unique('accounts');
      const base = await store.setDocument(collection, 'race', { winner: null });
      const attempts = Array.from({ length: 8 }, (_, writer) =>
        store.setDocument(
          collection,
          'race',
          { winner: writer },
          { precondition: { version: base.version } },
        ),
      );
      const outcomes = await Promise.allSettled(attempts);
      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const losers = outcomes.filter((outcome) => outcome.status === 'rejected');

      expect(winners).toHaveLength(1);

      for (const loser of losers) {
        expect((loser as PromiseRejectedResult).reason).toMatchObject({
          code: 'PRECONDITION_FAILED',
          status: 412,
        });
      }

      const stored = await store.getDocument(collection, 'race');

      expect(stored).toEqual((winners[0] as PromiseFulfilledResult<unknown>).value);
    });

    it.each<[unknown]>([
      [{ version: 0 }],
      [{ version: 1.5 }],
      [{ version: '3' }],
      [{ exists: 'yes' }],
      [{ version: 1, exists: true }],
      ['v1'],
    ])('precondition %j is rejected', async (precondition) => {
      const collection = context.unique('accounts');
      const options = { precondition: precondition as { version: number } };

      await expectDocStoreError(
        context.store().setDocument(collection, 'a', { a: 1 }, options),
        'INVALID_ARGUMENT',
      );
    });
  });
}
