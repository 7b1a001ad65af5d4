import fc from 'fast-check';

import { type JsonMap } from './doc-store';
import { mergeDocumentData } from './merge.util';

const jsonMap = fc.dictionary(
  fc
    .string({ minLength: 1, maxLength: 3 })
    .filter((key) => !key.includes('.') && !key.startsWith('$') && !key.startsWith('__')),
  fc.oneof(
    fc.integer(),
    fc.string(),
    fc.constant(null),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.integer()),
  ),
  { maxKeys: 5 },
) as fc.Arbitrary<JsonMap>;

describe('mergeDocumentData', () => {
  it('merges nested maps and replaces the rest', () => {
    const base: JsonMap = { a: { x: 1, y: { deep: true } }, list: [1, 2], keep: 'k' };
    const patch: JsonMap = { a: { y: { other: 1 }, z: 3 }, list: [3] };

    expect(mergeDocumentData(base, patch)).toEqual({
      a: { x: 1, y: { deep: true, other: 1 }, z: 3 },
      list: [3],
      keep: 'k',
    });
  });

  it('leaves its inputs unchanged', () => {
    fc.assert(
      fc.property(jsonMap, jsonMap, (base, patch) => {
        const baseCopy = structuredClone(base);
        const patchCopy = structuredClone(patch);

        mergeDocumentData(base, patch);

        expect(base).toEqual(baseCopy);
        expect(patch).toEqual(patchCopy);
      }),
    );
  });

  it('empty patch is the identity', () => {
    fc.assert(fc.property(jsonMap, (base) => expect(mergeDocumentData(base, {})).toEqual(base)));
  });

  it('patch keys always win unless both are maps', () => {
    fc.assert(
      fc.property(jsonMap, jsonMap, (base, patch) => {
        const merged = mergeDocumentData(base, patch);

        for (const [key, value] of Object.entries(patch)) {
          const bothMaps =
            typeof value === 'object' &&
            value !== null &&
            typeof base[key] === 'object' &&
            base[key] !== null;

          if (!bothMaps) {
            expect(merged[key]).toEqual(value);
          }
        }

        expect(Object.keys(merged).sort()).toEqual(
          [...new Set([...Object.keys(base), ...Object.keys(patch)])].sort(),
        );
      }),
    );
  });

  it('returns keys in sorted order', () => {
    expect(Object.keys(mergeDocumentData({ b: 1, d: 2 }, { c: 3, a: 4 }))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });
});
