import {
  compareValues,
  parseFieldPath,
  type PlainValue,
  setValueAt,
  valueAt,
} from './loopback-firestore-values';

describe('LoopbackFirestore values', () => {
  it('parses quoted field paths', () => {
    expect(parseFieldPath('a.b')).toEqual(['a', 'b']);
    expect(parseFieldPath('`$version`')).toEqual(['$version']);
    expect(parseFieldPath('a.`b.c`.d')).toEqual(['a', 'b.c', 'd']);
    expect(parseFieldPath('`a\\`b`.`c\\\\d`')).toEqual(['a`b', 'c\\d']);
  });

  it('orders values across types', () => {
    const ascending: PlainValue[] = [
      { null_value: 0 },
      { boolean_value: false },
      { boolean_value: true },
      { double_value: Number.NaN },
      { integer_value: -1 },
      { double_value: 0.5 },
      { integer_value: 2 },
      { string_value: '' },
      { string_value: 'Z' },
      { string_value: 'a' },
      { string_value: '\uffff' },
      { string_value: '\u{1f600}' },
      { array_value: { values: [] } },
      { array_value: { values: [{ integer_value: 1 }] } },
      { map_value: { fields: {} } },
      { map_value: { fields: { a: { integer_value: 1 } } } },
    ];

    for (let index = 1; index < ascending.length; index++) {
      const pair = [ascending[index - 1], ascending[index]];

      expect([pair, Math.sign(compareValues(pair[0], pair[1]))]).toEqual([pair, -1]);
      expect([pair, Math.sign(compareValues(pair[1], pair[0]))]).toEqual([pair, 1]);
    }
  });

  it('compares integers and doubles numerically', () => {
    expect(compareValues({ integer_value: 1 }, { double_value: 1 })).toBe(0);
    expect(compareValues({ integer_value: 2 }, { double_value: 1.5 })).toBeGreaterThan(0);
  });

  it('compares maps regardless of key order', () => {
    const left: PlainValue = {
      map_value: { fields: { a: { integer_value: 1 }, b: { integer_value: 2 } } },
    };
    const right: PlainValue = {
      map_value: { fields: { b: { integer_value: 2 }, a: { integer_value: 1 } } },
    };

    expect(compareValues(left, right)).toBe(0);
  });

  it('sets and deletes nested fields', () => {
    const fields: Record<string, PlainValue> = {};

    setValueAt(fields, ['a', 'b'], { string_value: 'x' });
    expect(valueAt(fields, ['a', 'b'])).toEqual({ string_value: 'x' });

    setValueAt(fields, ['a', 'b'], undefined);
    expect(valueAt(fields, ['a', 'b'])).toBeUndefined();
    expect(valueAt(fields, ['a'])).toEqual({ map_value: { fields: {} } });

    setValueAt(fields, ['missing', 'c'], undefined);
    expect(fields.missing).toBeUndefined();
  });
});
