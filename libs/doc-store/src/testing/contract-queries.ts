import {
  type BatchWrite,
  type DocumentQuery,
  type JsonMap,
  type StoredDocument,
} from '../doc-store';
import { MAX_BATCH_WRITES, MAX_IN_VALUES, MAX_PAGE_SIZE } from '../doc-store.limits';
import { type ContractContext, expectDocStoreError } from './contract-context';

/** Documents with one value of every JSON type under `n`, strings under `s`, arrays under `tags`. */
const TYPED_DOCUMENTS: Record<string, JsonMap> = {
  n1: { n: 1, s: 'apple', b: true, tags: ['red', 'green'], nested: { x: 1, y: 'a' }, group: 'g1' },
  n2: { n: 2, s: 'banana', b: false, tags: ['yellow'], nested: { x: 2, y: 'b' }, group: 'g1' },
  n3: { n: 3.5, s: 'cherry', tags: ['red', 7, { k: 'v' }], nested: { x: 3 }, group: 'g2' },
  n10: { n: 10, s: 'date', tags: [], group: 'g2' },
  neg: { n: -4, s: 'Éclair', b: true, group: 'g3' },
  str: { n: '5', s: 'fig', tags: 'red', group: 'g3' },
  nul: { n: null, s: null, b: null, group: 'g3' },
  bool: { n: true, s: 'grape' },
  arr: { n: [1, 2], s: 'kiwi' },
  map: { n: { v: 1 }, s: 'lemon' },
  none: { s: 'mango' },
};

const PAGING_DOCUMENTS = 10_000;

interface PagingDocument {
  id: string;
  i: number;
  score: number;
  group: number;
}

/** Ids that do not follow insertion order: 7919 is prime to 10,000, so i → 7919·i mod 10,000 is a permutation. */
function pagingDocuments(): PagingDocument[] {
  return Array.from({ length: PAGING_DOCUMENTS }, (_, i) => ({
    id: `d${String((i * 7919) % PAGING_DOCUMENTS).padStart(5, '0')}`,
    i,
    score: i % 100,
    group: i % 7,
  }));
}

function compareIds(left: string, right: string): number {
  if (left < right) {
    return -1;
  }

  return left > right ? 1 : 0;
}

function ids(documents: StoredDocument[]): string[] {
  return documents.map((document) => document.id);
}

export function queryContractTests(context: ContractContext): void {
  describe('query operators', () => {
    let collection: string;

    async function run(query: DocumentQuery): Promise<string[]> {
      const page = await context.store().queryDocuments(collection, query);

      return ids(page.documents);
    }

    beforeAll(async () => {
      collection = context.unique('typed');

      const writes: BatchWrite[] = Object.entries(TYPED_DOCUMENTS).map(([id, data]) => ({
        op: 'set',
        collection,
        id,
        data,
      }));

      await context.store().commitBatch(writes);
    });

    it.each<[string, DocumentQuery['where'], string[]]>([
      ['== number', [['n', '==', 1]], ['n1']],
      ['== float', [['n', '==', 3.5]], ['n3']],
      ['== string', [['n', '==', '5']], ['str']],
      ['== boolean', [['n', '==', true]], ['bool']],
      ['== null', [['n', '==', null]], ['nul']],
      ['== array', [['n', '==', [1, 2]]], ['arr']],
      ['== map', [['n', '==', { v: 1 }]], ['map']],
      ['== map, other key order', [['nested', '==', { y: 'a', x: 1 }]], ['n1']],
      ['== dotted path', [['nested.x', '==', 2]], ['n2']],
      ['== keeps types apart', [['n', '==', '1']], []],
      ['== boolean is not 1', [['b', '==', 1]], []],
      ['== missing field', [['missing', '==', null]], []],
      [
        '!= skips missing fields',
        [['n', '!=', 1]],
        ['arr', 'bool', 'map', 'n10', 'n2', 'n3', 'neg', 'nul', 'str'],
      ],
      ['!= null', [['b', '!=', null]], ['n1', 'n2', 'neg']],
      ['> number', [['n', '>', 2]], ['n10', 'n3']],
      ['>= number', [['n', '>=', 2]], ['n10', 'n2', 'n3']],
      ['< number', [['n', '<', 2]], ['n1', 'neg']],
      ['<= number', [['n', '<=', 2]], ['n1', 'n2', 'neg']],
      ['< string', [['n', '<', 'a']], ['str']],
      [
        '>= string',
        [['s', '>=', 'cherry']],
        ['arr', 'bool', 'map', 'n10', 'n3', 'neg', 'none', 'str'],
      ],
      ['in mixed types', [['n', 'in', [1, '5', null, 99]]], ['n1', 'nul', 'str']],
      ['in with a map', [['n', 'in', [{ v: 1 }]]], ['map']],
      ['array-contains string', [['tags', 'array-contains', 'red']], ['n1', 'n3']],
      ['array-contains number', [['tags', 'array-contains', 7]], ['n3']],
      ['array-contains map', [['tags', 'array-contains', { k: 'v' }]], ['n3']],
      ['array-contains no match', [['tags', 'array-contains', 'blue']], []],
      [
        'two clauses',
        [
          ['group', '==', 'g1'],
          ['n', '>', 1],
        ],
        ['n2'],
      ],
      [
        'array-contains and range',
        [
          ['tags', 'array-contains', 'red'],
          ['n', '<', 2],
        ],
        ['n1'],
      ],
    ])('%s', async (_label, where, expected) => {
      expect(await run({ where })).toEqual(expected);
    });

    it('orders across types', async () => {
      const ascending = ['nul', 'bool', 'neg', 'n1', 'n2', 'n3', 'n10', 'str', 'arr', 'map'];

      expect(await run({ orderBy: [['n', 'asc']] })).toEqual(ascending);
      expect(await run({ orderBy: [['n']] })).toEqual(ascending);
      expect(await run({ orderBy: [['n', 'desc']] })).toEqual([...ascending].reverse());
    });

    it('orders false before true', async () => {
      expect(await run({ orderBy: [['b', 'asc']] })).toEqual(['nul', 'n2', 'n1', 'neg']);
    });

    it('orders strings by code point', async () => {
      expect(await run({ orderBy: [['s', 'asc']] })).toEqual([
        'nul',
        'n1',
        'n2',
        'n3',
        'n10',
        'str',
        'bool',
        'arr',
        'map',
        'none',
        'neg',
      ]);
    });

    it('orders by several fields', async () => {
      expect(
        await run({
          orderBy: [
            ['group', 'asc'],
            ['n', 'desc'],
          ],
        }),
      ).toEqual(['n2', 'n1', 'n10', 'n3', 'str', 'neg', 'nul']);
    });

    it('default order is by id', async () => {
      expect(await run({})).toEqual(Object.keys(TYPED_DOCUMENTS).sort(compareIds));
    });

    it('filter and order together', async () => {
      expect(await run({ where: [['n', '>=', 1]], orderBy: [['n', 'desc']], limit: 2 })).toEqual([
        'n10',
        'n3',
      ]);
    });
  });

  describe('query ties', () => {
    it('ties break by document id', async () => {
      const store = context.store();
      const collection = context.unique('ties');

      await store.commitBatch(
        ['c', 'a', 'e', 'b', 'd'].map((id) => ({ op: 'set', collection, id, data: { v: 1 } })),
      );

      const ascending = await store.queryDocuments(collection, { orderBy: [['v', 'asc']] });
      const descending = await store.queryDocuments(collection, { orderBy: [['v', 'desc']] });

      expect(ids(ascending.documents)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(ids(descending.documents)).toEqual(['e', 'd', 'c', 'b', 'a']);
    });
  });

  describe('invalid queries', () => {
    it.each<[string, unknown]>([
      ['an unknown operator', { where: [['n', 'like', 1]] }],
      ['a clause that is not a triple', { where: [['n', '==']] }],
      ['where that is not an array', { where: { n: 1 } }],
      ['an empty field path', { where: [['', '==', 1]] }],
      ['an empty path segment', { where: [['a..b', '==', 1]] }],
      ['a dollar segment', { where: [['$where', '==', 1]] }],
      ['a quote in a path', { where: [['a"b', '==', 1]] }],
      ['a range over a boolean', { where: [['n', '>', true]] }],
      ['a range over null', { where: [['n', '<', null]] }],
      ['an empty in list', { where: [['n', 'in', []]] }],
      [
        'too many in values',
        { where: [['n', 'in', Array.from({ length: MAX_IN_VALUES + 1 }, (_, i) => i)]] },
      ],
      ['in without a list', { where: [['n', 'in', 1]] }],
      ['array-contains with an array', { where: [['tags', 'array-contains', ['red']]] }],
      ['a NaN operand', { where: [['n', '==', Number.NaN]] }],
      ['a bad direction', { orderBy: [['n', 'up']] }],
      ['a repeated orderBy field', { orderBy: [['n'], ['n', 'desc']] }],
      ['limit 0', { limit: 0 }],
      ['limit over the maximum', { limit: MAX_PAGE_SIZE + 1 }],
      ['a fractional limit', { limit: 1.5 }],
      ['a string limit', { limit: '10' }],
      ['an unknown property', { filter: [] }],
      ['a garbage cursor', { startAfter: 'not-a-cursor' }],
      ['a query that is an array', [['n', '==', 1]]],
    ])('query with %s is rejected', async (_label, query) => {
      const collection = context.unique('invalid');

      await expectDocStoreError(
        context.store().queryDocuments(collection, query as DocumentQuery),
        'INVALID_ARGUMENT',
      );
    });

    it('cursor of another query is rejected', async () => {
      const store = context.store();
      const collection = context.unique('cursors');

      await store.commitBatch(
        ['a', 'b', 'c'].map((id, n) => ({ op: 'set', collection, id, data: { n } })),
      );

      const page = await store.queryDocuments(collection, { orderBy: [['n', 'asc']], limit: 1 });

      expect(page.nextCursor).not.toBeNull();
      await expectDocStoreError(
        store.queryDocuments(collection, {
          orderBy: [['n', 'desc']],
          limit: 1,
          startAfter: page.nextCursor as string,
        }),
        'INVALID_ARGUMENT',
      );
      await expectDocStoreError(
        store.queryDocuments(context.unique('cursors'), {
          orderBy: [['n', 'asc']],
          startAfter: page.nextCursor as string,
        }),
        'INVALID_ARGUMENT',
      );
    });
  });

  describe('paging', () => {
    const documents = pagingDocuments();
    let collection: string;

    async function pageThrough(query: DocumentQuery): Promise<{ ids: string[]; pages: number[] }> {
      const seen: string[] = [];
      const pages: number[] = [];
      let startAfter: string | undefined;

      do {
        const page = await context.store().queryDocuments(collection, { ...query, startAfter });

        seen.push(...ids(page.documents));
        pages.push(page.documents.length);
        startAfter = page.nextCursor ?? undefined;
      } while (startAfter !== undefined && pages.length <= PAGING_DOCUMENTS);

      return { ids: seen, pages };
    }

    beforeAll(async () => {
      collection = context.unique('paging');

      for (let start = 0; start < documents.length; start += MAX_BATCH_WRITES) {
        const writes: BatchWrite[] = documents
          .slice(start, start + MAX_BATCH_WRITES)
          .map((document) => ({
            op: 'set',
            collection,
            id: document.id,
            data: { i: document.i, score: document.score, group: document.group },
          }));

        await context.store().commitBatch(writes);
      }
    }, 120_000);

    it('pages through 10,000 documents', async () => {
      const expected = [...documents]
        .sort((a, b) => a.score - b.score || compareIds(a.id, b.id))
        .map((document) => document.id);
      const result = await pageThrough({ orderBy: [['score', 'asc']], limit: 337 });

      expect(result.ids).toHaveLength(PAGING_DOCUMENTS);
      expect(new Set(result.ids).size).toBe(PAGING_DOCUMENTS);
      expect(result.ids).toEqual(expected);
      expect(result.pages).toHaveLength(Math.ceil(PAGING_DOCUMENTS / 337));
      expect(result.pages.slice(0, -1).every((size) => size === 337)).toBe(true);
    }, 120_000);

    it('pages by id without orderBy', async () => {
      const expected = documents.map((document) => document.id).sort(compareIds);
      const result = await pageThrough({ limit: MAX_PAGE_SIZE });

      expect(result.ids).toEqual(expected);
      expect(result.pages).toHaveLength(PAGING_DOCUMENTS / MAX_PAGE_SIZE);
    }, 120_000);

    it('pages a filtered descending query', async () => {
      const expected = documents
        .filter((document) => document.group === 3)
        .sort((a, b) => b.score - a.score || compareIds(b.id, a.id))
        .map((document) => document.id);
      const result = await pageThrough({
        where: [['group', '==', 3]],
        orderBy: [['score', 'desc']],
        limit: 100,
      });

      expect(result.ids).toEqual(expected);
    }, 120_000);

    it('pages mixed sort directions', async () => {
      const expected = [...documents]
        .sort((a, b) => a.group - b.group || b.score - a.score || compareIds(b.id, a.id))
        .map((document) => document.id);
      const result = await pageThrough({
        orderBy: [
          ['group', 'asc'],
          ['score', 'desc'],
        ],
        limit: 451,
      });

      expect(result.ids).toEqual(expected);
    }, 120_000);

    it('pages a range query', async () => {
      const expected = documents
        .filter((document) => document.score >= 90)
        .sort((a, b) => a.score - b.score || compareIds(a.id, b.id))
        .map((document) => document.id);
      const result = await pageThrough({
        where: [['score', '>=', 90]],
        orderBy: [['score', 'asc']],
        limit: 97,
      });

      expect(result.ids).toEqual(expected);
    }, 120_000);
  });
}
