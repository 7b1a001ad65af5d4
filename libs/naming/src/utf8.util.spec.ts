import { fnv1a32Hex, hasLoneSurrogate, truncateUtf8, utf8ByteLength } from './utf8.util';

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['売', 3],
    ['𠀀', 4],
    ['\uD800', 3],
  ])('counts %p as %p bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
  });
});

describe('truncateUtf8', () => {
  it.each([
    ['abcdef', 4, 'abcd'],
    ['abcdef', 10, 'abcdef'],
    ['aé', 2, 'a'],
    ['aé', 3, 'aé'],
    ['a売', 3, 'a'],
    ['a売', 4, 'a売'],
    ['a𠀀b', 4, 'a'],
    ['a𠀀b', 5, 'a𠀀'],
    ['abc', 0, ''],
  ])('cuts %p to %p bytes as %p', (text, maxBytes, expected) => {
    expect(truncateUtf8(text, maxBytes)).toBe(expected);
  });

  it('never splits a surrogate pair', () => {
    const text = '𠀀'.repeat(10);

    for (let maxBytes = 0; maxBytes <= 40; maxBytes += 1) {
      const cut = truncateUtf8(text, maxBytes);

      expect(hasLoneSurrogate(cut)).toBe(false);
      expect(utf8ByteLength(cut)).toBeLessThanOrEqual(maxBytes);
      expect(utf8ByteLength(cut)).toBeGreaterThan(maxBytes - 4);
    }
  });
});

describe('hasLoneSurrogate', () => {
  it.each([
    ['abc', false],
    ['𠀀', false],
    ['a\uD800', true],
    ['\uDC00a', true],
    ['\uDC00\uD800', true],
  ])('%p is %p', (text, expected) => {
    expect(hasLoneSurrogate(text)).toBe(expected);
  });
});

describe('fnv1a32Hex', () => {
  // Published FNV-1a 32-bit test vectors.
  it.each([
    ['', '811c9dc5'],
    ['a', 'e40c292c'],
    ['foobar', 'bf9cf968'],
  ])('hashes %p to %p', (text, expected) => {
    expect(fnv1a32Hex(text)).toBe(expected);
  });

  it('hashes the UTF-8 bytes', () => {
    expect(fnv1a32Hex('é')).not.toBe(fnv1a32Hex('e\u0301'));
    expect(fnv1a32Hex('é')).toMatch(/^[0-9a-f]{8}$/);
  });
});
