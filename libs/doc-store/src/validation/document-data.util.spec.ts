import { MAX_NESTING_DEPTH } from '../doc-store.limits';
import { checkDocumentData } from './document-data.util';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};

  for (let level = 1; level < depth; level++) {
    value = { child: value };
  }

  return value;
}

describe('checkDocumentData', () => {
  it('sorts keys so equal maps have equal JSON', () => {
    const left = checkDocumentData({ b: 1, a: { d: 2, c: 3 } }, 'c/left');
    const right = checkDocumentData({ a: { c: 3, d: 2 }, b: 1 }, 'c/right');

    expect(left.json).toBe(right.json);
    expect(left.bytes).toBe(Buffer.byteLength(left.json));
  });

  it('counts UTF-8 bytes', () => {
    expect(checkDocumentData({ s: 'é' }, 'c/d').bytes).toBe('{"s":"é"}'.length + 1);
  });

  it('accepts the depth limit and not one more', () => {
    expect(() => checkDocumentData(nested(MAX_NESTING_DEPTH), 'c/d')).not.toThrow();
    expect(() => checkDocumentData(nested(MAX_NESTING_DEPTH + 1), 'c/d')).toThrow(
      /deeper than 20/u,
    );
  });

  it('names the offending field', () => {
    expect(() => checkDocumentData({ outer: { list: [1, { bad: Number.NaN }] } }, 'c/d')).toThrow(
      'Invalid field "outer.list[1].bad": NaN is not a JSON number.',
    );
  });

  it('rejects __proto__ keys', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;

    expect(() => checkDocumentData(data, 'c/d')).toThrow(/reserved/u);
  });

  it('accepts a null-prototype object', () => {
    const data = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });

    expect(checkDocumentData(data, 'c/d').data).toEqual({ a: 1 });
  });
});
