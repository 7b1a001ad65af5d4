import { findNonJson } from './json.util';

describe('findNonJson', () => {
  it('accepts plain JSON values', () => {
    const values: unknown[] = [
      null,
      true,
      0,
      -1.5,
      'text',
      [],
      {},
      { a: [1, { b: null }] },
      Object.create(null),
    ];

    expect(values.map((value) => findNonJson(value, 'value'))).toEqual(values.map(() => null));
  });

  it('names the path and the reason of the first non-JSON value', () => {
    const cases: [unknown, string][] = [
      [undefined, 'value is of type undefined'],
      [{ a: { b: Number.NaN } }, 'value.a.b is NaN, which JSON cannot represent'],
      [[1, Infinity], 'value[1] is Infinity, which JSON cannot represent'],
      [{ at: new Date(0) }, 'value.at is a Date, not a plain object'],
      [{ f: () => 1 }, 'value.f is of type function'],
      [{ n: 1n }, 'value.n is of type bigint'],
      // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
      [[1, , 3], 'value[1] is a hole in a sparse array'],
    ];

    expect(cases.map(([value]) => findNonJson(value, 'value'))).toEqual(
      cases.map(([, reason]) => reason),
    );
  });

  it('rejects nesting deeper than 100 levels', () => {
    let deep: unknown = 'leaf';

    for (let level = 0; level < 150; level += 1) {
      deep = [deep];
    }

    expect(findNonJson(deep, 'value')).toMatch(/deeper than 100 levels/u);
  });
});
