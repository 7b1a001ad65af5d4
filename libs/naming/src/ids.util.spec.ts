import {
  assertColumnId,
  assertTableId,
  generateColumnId,
  generateColumnIds,
  generateTableId,
  isColumnId,
  isTableId,
} from './ids.util';
import { NamingError } from './naming.exception';

describe('generateTableId', () => {
  it('returns t_ and 32 lowercase hex digits', () => {
    for (let run = 0; run < 100; run += 1) {
      expect(generateTableId()).toMatch(/^t_[0-9a-f]{32}$/);
    }
  });

  it('returns a different id each call', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateTableId()));

    expect(ids.size).toBe(1000);
  });

  it('draws from crypto.getRandomValues', () => {
    const spy = jest.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation((array) => {
      (array as Uint8Array).fill(0xab);

      return array;
    });

    try {
      expect(generateTableId()).toBe(`t_${'ab'.repeat(16)}`);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('generateColumnId', () => {
  it('returns f_ and 8 lowercase hex digits', () => {
    for (let run = 0; run < 100; run += 1) {
      expect(generateColumnId()).toMatch(/^f_[0-9a-f]{8}$/);
    }
  });

  it('skips ids already used in the table', () => {
    const draws = [0x00, 0x00, 0x11];
    const spy = jest.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation((array) => {
      (array as Uint8Array).fill(draws.shift() ?? 0xff);

      return array;
    });

    try {
      expect(generateColumnId(['f_00000000'])).toBe('f_11111111');
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('fails when every draw is taken', () => {
    const spy = jest
      .spyOn(globalThis.crypto, 'getRandomValues')
      .mockImplementation((array) => array);

    try {
      expect(() => generateColumnId(new Set(['f_00000000']))).toThrow(
        expect.objectContaining({ code: 'COLUMN_ID_SPACE_EXHAUSTED' }) as Error,
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps 10,000 ids in one table unique', () => {
    const used = new Set<string>();

    for (let index = 0; index < 10_000; index += 1) {
      const id = generateColumnId(used);

      expect(used.has(id)).toBe(false);
      used.add(id);
    }

    expect(used.size).toBe(10_000);
    expect([...used].every((id) => isColumnId(id))).toBe(true);
  });
});

describe('generateColumnIds', () => {
  it('returns 10,000 unique well-formed ids', () => {
    const ids = generateColumnIds(10_000);

    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    expect(ids.every((id) => isColumnId(id))).toBe(true);
  });

  it('avoids the used ids it is given', () => {
    const used = generateColumnIds(500);
    const more = generateColumnIds(500, used);

    expect(new Set([...used, ...more]).size).toBe(1000);
  });

  it.each([-1, 1.5, Number.NaN])('rejects count %p', (count) => {
    expect(() => generateColumnIds(count)).toThrow(NamingError);
  });
});

describe('id validators', () => {
  const tableId = 't_0123456789abcdef0123456789abcdef';

  it.each([
    [tableId, true],
    ['t_0123456789ABCDEF0123456789ABCDEF', false],
    ['t_0123456789abcdef0123456789abcde', false],
    ['t_0123456789abcdef0123456789abcdef0', false],
    ['t_0123456789abcdef0123456789abcdeg', false],
    [`${tableId}\n`, false],
    ['f_01234567', false],
    ['', false],
    [42, false],
    [null, false],
  ])('isTableId(%p) is %p', (value, expected) => {
    expect(isTableId(value)).toBe(expected);
  });

  it.each([
    ['f_01234567', true],
    ['f_abcdef09', true],
    ['f_ABCDEF09', false],
    ['f_0123456', false],
    ['f_012345678', false],
    ['f_0123456z', false],
    ['t_01234567', false],
    [' f_01234567', false],
    [undefined, false],
  ])('isColumnId(%p) is %p', (value, expected) => {
    expect(isColumnId(value)).toBe(expected);
  });

  it('assertTableId names the value', () => {
    expect(() => assertTableId('t_xyz')).toThrow('invalid table id "t_xyz"');
    expect(() => assertTableId('t_xyz')).toThrow(
      expect.objectContaining({ code: 'INVALID_TABLE_ID' }) as Error,
    );
    expect(() => assertTableId(tableId)).not.toThrow();
  });

  it('assertColumnId names the value', () => {
    expect(() => assertColumnId('f_1')).toThrow('invalid column id "f_1"');
    expect(() => assertColumnId(7)).toThrow('invalid column id 7');
    expect(() => assertColumnId('f_1')).toThrow(
      expect.objectContaining({ code: 'INVALID_COLUMN_ID' }) as Error,
    );
    expect(() => assertColumnId('f_0000abcd')).not.toThrow();
  });
});
