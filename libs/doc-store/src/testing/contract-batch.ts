import { type BatchWrite, type DocStore } from '../doc-store';
import { MAX_BATCH_WRITES } from '../doc-store.limits';
import { type ContractContext, dataOfSize, expectDocStoreError } from './contract-context';

async function exists(store: DocStore, collection: string, id: string): Promise<boolean> {
  return store.getDocument(collection, id).then(
    () => true,
    () => false,
  );
}

export function batchContractTests(context: ContractContext): void {
  describe('batch writes', () => {
    it('applies every write in order', async () => {
      const store = context.store();
      const orders = context.unique('orders');
      const stock = context.unique('stock');

      await store.setDocument(stock, 'apples', { count: 10, shelf: { row: 1 } });
      await store.setDocument(orders, 'stale', { status: 'old' });

      const results = await store.commitBatch([
        { op: 'set', collection: orders, id: 'o1', data: { item: 'apples', quantity: 3 } },
        { op: 'merge', collection: stock, id: 'apples', data: { count: 7, shelf: { column: 4 } } },
        { op: 'delete', collection: orders, id: 'stale' },
        { op: 'merge', collection: orders, id: 'o1', data: { status: 'placed' } },
      ]);

      expect(results.map((result) => [result.collection, result.id])).toEqual([
        [orders, 'o1'],
        [stock, 'apples'],
        [orders, 'stale'],
        [orders, 'o1'],
      ]);
      expect(results[2].document).toBeNull();
      expect(results[3].document?.data).toEqual({ item: 'apples', quantity: 3, status: 'placed' });
      expect((await store.getDocument(orders, 'o1')).data).toEqual({
        item: 'apples',
        quantity: 3,
        status: 'placed',
      });
      expect((await store.getDocument(stock, 'apples')).data).toEqual({
        count: 7,
        shelf: { row: 1, column: 4 },
      });
      expect(await exists(store, orders, 'stale')).toBe(false);
    });

    it('failed precondition leaves nothing', async () => {
      const store = context.store();
      const collection = context.unique('ledger');
      const untouched = await store.setDocument(collection, 'untouched', { value: 1 });
      const doomed = await store.setDocument(collection, 'doomed', { value: 2 });

      const error = await expectDocStoreError(
        store.commitBatch([
          { op: 'set', collection, id: 'created', data: { value: 3 } },
          { op: 'merge', collection, id: 'untouched', data: { value: 100 } },
          { op: 'delete', collection, id: 'doomed' },
          {
            op: 'set',
            collection,
            id: 'untouched',
            data: { value: 5 },
            precondition: { version: untouched.version },
          },
        ]),
        'PRECONDITION_FAILED',
      );

      expect(error.details).toMatchObject({ batchIndex: 3 });
      expect(await exists(store, collection, 'created')).toBe(false);
      expect(await store.getDocument(collection, 'untouched')).toEqual(untouched);
      expect(await store.getDocument(collection, 'doomed')).toEqual(doomed);
    });

    it('invalid write leaves nothing', async () => {
      const store = context.store();
      const collection = context.unique('ledger');

      const error = await expectDocStoreError(
        store.commitBatch([
          { op: 'set', collection, id: 'first', data: { ok: true } },
          { op: 'set', collection, id: 'second', data: { 'bad.key': true } },
        ]),
        'INVALID_ARGUMENT',
      );

      expect(error.details).toMatchObject({ batchIndex: 1 });
      expect(await exists(store, collection, 'first')).toBe(false);
    });

    it('oversized merge leaves nothing', async () => {
      const store = context.store();
      const collection = context.unique('ledger');
      const { limit } = store.measureDocument(collection, 'large', {});
      const large = await store.setDocument(
        collection,
        'large',
        dataOfSize(store, collection, 'large', limit - 100),
      );

      // Each write is valid alone; only the merged result passes the limit.
      await expectDocStoreError(
        store.commitBatch([
          { op: 'set', collection, id: 'small', data: { ok: true } },
          { op: 'merge', collection, id: 'large', data: { more: 'y'.repeat(200) } },
        ]),
        'DOCUMENT_TOO_LARGE',
      );
      expect(await exists(store, collection, 'small')).toBe(false);
      expect(await store.getDocument(collection, 'large')).toEqual(large);
    });

    it('later writes see earlier ones', async () => {
      const store = context.store();
      const collection = context.unique('ledger');

      await expectDocStoreError(
        store.commitBatch([
          { op: 'set', collection, id: 'once', data: { n: 1 }, precondition: { exists: false } },
          { op: 'set', collection, id: 'once', data: { n: 2 }, precondition: { exists: false } },
        ]),
        'PRECONDITION_FAILED',
      );
      expect(await exists(store, collection, 'once')).toBe(false);

      const results = await store.commitBatch([
        { op: 'set', collection, id: 'twice', data: { n: 1 }, precondition: { exists: false } },
        { op: 'merge', collection, id: 'twice', data: { m: 2 }, precondition: { exists: true } },
      ]);

      expect(results[1].document?.version).toBeGreaterThan(
        results[0].document?.version ?? Infinity,
      );
      expect((await store.getDocument(collection, 'twice')).data).toEqual({ n: 1, m: 2 });
    });

    it('batch size is 1 to 500 writes', async () => {
      const store = context.store();
      const collection = context.unique('ledger');
      const tooMany: BatchWrite[] = Array.from({ length: MAX_BATCH_WRITES + 1 }, (_, index) => ({
        op: 'set',
        collection,
        id: `d${index}`,
        data: { index },
      }));

      await expectDocStoreError(store.commitBatch([]), 'INVALID_ARGUMENT');
      await expectDocStoreError(store.commitBatch(tooMany), 'INVALID_ARGUMENT');
      expect(await store.commitBatch(tooMany.slice(0, MAX_BATCH_WRITES))).toHaveLength(
        MAX_BATCH_WRITES,
      );
    });

    it('unknown op is INVALID_ARGUMENT', async () => {
      const collection = context.unique('ledger');
      const write = { op: 'upsert', collection, id: 'a', data: {} } as unknown as BatchWrite;

      await expectDocStoreError(context.store().commitBatch([write]), 'INVALID_ARGUMENT');
    });
  });
}
