import { type JsonMap } from '../doc-store';
import { normalizeQuery } from '../validation/query.util';
import { matchesClause } from './firestore-query';
import { compareJsonValues, compareStrings, jsonEquals } from './json-values.util';

function clause(where: [string, string, unknown]) {
  return normalizeQuery({ where: [where] }).where[0];
}

describe('residual clause matching', () => {
  const data: JsonMap = {
    n: 2,
    s: 'b',
    empty: null,
    tags: ['x', { k: 1 }],
    nested: { a: 1, b: [1, 2] },
  };

  it.each<[string, [string, string, unknown], boolean]>([
    ['== map in any key order', ['nested', '==', { b: [1, 2], a: 1 }], true],
    ['== across types', ['n', '==', '2'], false],
    ['!= matches null', ['empty', '!=', 1], true],
    ['!= skips a missing field', ['missing', '!=', 1], false],
    ['!= null on null', ['empty', '!=', null], false],
    ['> within numbers', ['n', '>', 1], true],
    ['> on a string field with a number', ['s', '>', 1], false],
    ['< within strings', ['s', '<', 'c'], true],
    ['in with null', ['empty', 'in', [null, 3]], true],
    ['array-contains a map', ['tags', 'array-contains', { k: 1 }], true],
    ['array-contains on a map field', ['nested', 'array-contains', 1], false],
    ['dotted path', ['nested.a', '==', 1], true],
    ['path through an array', ['tags.k', '==', 1], false],
  ])('%s', (_label, where, expected) => {
    expect(matchesClause(data, clause(where))).toBe(expected);
  });
});

describe('JSON value order', () => {
  it('ranks types like Firestore', () => {
    const ascending = [null, false, true, -1, 2.5, 'a', [1], { a: 1 }];

    for (let index = 1; index < ascending.length; index++) {
      expect(compareJsonValues(ascending[index - 1], ascending[index])).toBe(-1);
    }
  });

  it('orders strings by code point', () => {
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 code unit.
    expect(compareStrings('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
  });

  it('keeps booleans and numbers apart', () => {
    expect(jsonEquals(true, 1)).toBe(false);
    expect(jsonEquals(0, false)).toBe(false);
  });
});
