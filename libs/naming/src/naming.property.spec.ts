import * as fc from 'fast-check';
import { loadModule, parseSync } from 'libpg-query';

import { deriveColumnNames } from './column-names.util';
import { isLogicalName } from './logical-name.util';
import { POSTGRES_RESERVED_WORDS } from './reserved-words';
import { quoteIdent } from './sql-quote.util';
import { hasLoneSurrogate, utf8ByteLength } from './utf8.util';

/** Characters that exercise folding, case, marks, surrogates, digits and quoting. */
const trickyCharacters = [
  ...'aBxZéEßẞÆøΣςİıйД売がかहि𠀀𝒜_ -."\'\\1٣①１ﬁǅϒ🙂',
  '\u0301',
  '\u3099',
  '\u212A',
  '\u200D',
  '\uD800',
  '\uDC00',
  '\0',
  '\n',
];

const header = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...trickyCharacters), maxLength: 90 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({
    unit: fc.constantFrom('a', 'Q', 'é', '売', '𠀀', ' ', '9'),
    minLength: 50,
    maxLength: 80,
  }),
  fc.constantFrom(...POSTGRES_RESERVED_WORDS, '', 'email', 'Email', 'email_2', 'column_1', 'c_1'),
);

/** Header lists, half of them drawn from a small pool so that duplicates are common. */
const headerLists = fc.oneof(
  fc.array(header, { maxLength: 30 }),
  fc
    .tuple(fc.array(header, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }))
    .map(([pool, picks]) => picks.map((pick) => pool[pick % pool.length])),
);

interface ParsedTarget {
  ResTarget: { name?: string; val: { ColumnRef?: { fields: { String: { sval: string } }[] } } };
}

function selectTargets(sql: string): ParsedTarget[] {
  const [first] = parseSync(sql).stmts ?? [];
  const statement = first?.stmt as unknown as {
    SelectStmt: { targetList: ParsedTarget[] };
  };

  return statement.SelectStmt.targetList;
}

beforeAll(async () => {
  await loadModule();
});

describe('deriveColumnNames properties', () => {
  it('returns unique, non-empty names within 63 bytes', () => {
    fc.assert(
      fc.property(headerLists, (headers) => {
        const names = deriveColumnNames(headers).map((column) => column.name);

        expect(names).toHaveLength(headers.length);
        expect(new Set(names).size).toBe(names.length);

        for (const name of names) {
          expect(name.length).toBeGreaterThan(0);
          expect(utf8ByteLength(name)).toBeLessThanOrEqual(63);
          expect(hasLoneSurrogate(name)).toBe(false);
          expect(POSTGRES_RESERVED_WORDS.has(name)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('returns every header as its label', () => {
    fc.assert(
      fc.property(headerLists, (headers) => {
        expect(deriveColumnNames(headers).map((column) => column.label)).toEqual(headers);
      }),
      { numRuns: 300 },
    );
  });

  it('returns the same names for the same input', () => {
    fc.assert(
      fc.property(headerLists, (headers) => {
        expect(deriveColumnNames([...headers])).toEqual(deriveColumnNames(headers));
      }),
      { numRuns: 300 },
    );
  });

  it('returns names that are their own logical names', () => {
    fc.assert(
      fc.property(headerLists, (headers) => {
        for (const { name } of deriveColumnNames(headers)) {
          expect(isLogicalName(name)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('returns valid identifiers after quoting', () => {
    fc.assert(
      fc.property(headerLists, (headers) => {
        for (const { name } of deriveColumnNames(headers)) {
          const [target] = selectTargets(`SELECT 1 AS ${quoteIdent(name)}`);

          expect(target.ResTarget.name).toBe(name);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('returns names that parse unquoted as column references', () => {
    fc.assert(
      fc.property(headerLists, (headers) => {
        const names = deriveColumnNames(headers).map((column) => column.name);

        if (names.length === 0) {
          return;
        }

        const targets = selectTargets(`SELECT ${names.join(', ')} FROM t`);

        expect(
          targets.map((target) => target.ResTarget.val.ColumnRef?.fields[0].String.sval),
        ).toEqual(names);
      }),
      { numRuns: 300 },
    );
  });
});
