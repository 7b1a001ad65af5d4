import { claimUniqueName, deriveColumnNames } from './column-names.util';
import { utf8ByteLength } from './utf8.util';

describe('deriveColumnNames', () => {
  it.each([
    [
      ['id', 'email', '', 'email', 'Email'],
      ['id', 'email', 'column_3', 'email_2', 'email_3'],
    ],
    [
      ['a', 'a', 'a_2'],
      ['a', 'a_3', 'a_2'],
    ],
    [
      ['column_2', ''],
      ['column_2', 'column_2_2'],
    ],
    [
      ['Order', 'order'],
      ['order_', 'order_2'],
    ],
    [
      ['', ''],
      ['column_1', 'column_2'],
    ],
    [
      ['Name', 'name ', ' NAME'],
      ['name', 'name_2', 'name_3'],
    ],
    [[], []],
  ])('names %p as %p', (headers, expected) => {
    expect(deriveColumnNames(headers).map((column) => column.name)).toEqual(expected);
  });

  it('returns each header unchanged as its label', () => {
    const headers = ['  Customer Name ', '', 'e\u0301', 'x"y'];

    expect(deriveColumnNames(headers).map((column) => column.label)).toEqual(headers);
  });

  it('keeps numbered duplicates within 63 bytes', () => {
    const header = 'z'.repeat(63);
    const names = deriveColumnNames(Array.from({ length: 12 }, () => header)).map(
      (column) => column.name,
    );

    expect(names[0]).toBe(header);
    expect(names[1]).toBe(`${'z'.repeat(61)}_2`);
    expect(names[11]).toBe(`${'z'.repeat(60)}_12`);
    expect(new Set(names).size).toBe(12);
    expect(names.every((name) => utf8ByteLength(name) <= 63)).toBe(true);
  });

  it('cuts a numbered duplicate at a character boundary', () => {
    const header = 'й'.repeat(31);
    const names = deriveColumnNames([header, header]).map((column) => column.name);

    expect(names[0]).toBe(header);
    expect(names[1]).toBe(`${'й'.repeat(30)}_2`);
  });
});

describe('claimUniqueName', () => {
  it('takes the base name when free', () => {
    const taken = new Set<string>();

    expect(claimUniqueName('total', taken)).toBe('total');
    expect(taken.has('total')).toBe(true);
  });

  it('numbers from 2 and skips taken numbers', () => {
    const taken = new Set(['total', 'total_2']);

    expect(claimUniqueName('total', taken)).toBe('total_3');
    expect(claimUniqueName('total', taken)).toBe('total_4');
  });

  it('does not double the underscore of a reserved-word suffix', () => {
    expect(claimUniqueName('select_', new Set(['select_']))).toBe('select_2');
  });
});
