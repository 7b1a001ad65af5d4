import { documentCollectionName } from './mongo-names.util';

describe('documentCollectionName', () => {
  it('keeps short ids readable', () => {
    expect(documentCollectionName('dashboards')).toBe('doc.dashboards');
    expect(documentCollectionName('dots.in.id')).toBe('doc.dots.in.id');
    expect(documentCollectionName('café ☕')).toBe('doc.café ☕');
  });

  it('hashes ids MongoDB cannot name', () => {
    const dollar = documentCollectionName('price$');
    const long = documentCollectionName('x'.repeat(101));

    expect(dollar).toMatch(/^dochash\.[0-9a-f]{64}$/u);
    expect(long).toMatch(/^dochash\.[0-9a-f]{64}$/u);
    expect(dollar).not.toBe(long);
  });

  it('hashes by UTF-8 length, not characters', () => {
    // 51 two-byte characters are 102 bytes, over the 100-byte limit.
    expect(documentCollectionName('é'.repeat(50))).toBe(`doc.${'é'.repeat(50)}`);
    expect(documentCollectionName('é'.repeat(51))).toMatch(/^dochash\./u);
  });
});
