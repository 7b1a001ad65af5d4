import { detectEncoding, findInvalidUtf8 } from './detect-encoding.util';

function utf16le(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf16le'));
}

function utf16be(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf16le').swap16());
}

describe('detectEncoding', () => {
  it.each([
    ['UTF-8 with BOM', [0xef, 0xbb, 0xbf, 0x61], { encoding: 'utf-8', bom: true }],
    ['UTF-16LE with BOM', [0xff, 0xfe, 0x61, 0x00], { encoding: 'utf-16le', bom: true }],
    ['UTF-16BE with BOM', [0xfe, 0xff, 0x00, 0x61], { encoding: 'utf-16be', bom: true }],
    ['plain ASCII', [0x61, 0x2c, 0x62], { encoding: 'utf-8', bom: false }],
    ['UTF-8 without BOM', [...Buffer.from('café,€')], { encoding: 'utf-8', bom: false }],
    ['Windows-1252 bytes', [0x63, 0x61, 0x66, 0xe9, 0x2c, 0x80], { encoding: 'windows-1252', bom: false }],
  ])('detects %s', (_name, bytes, expected) => {
    expect(detectEncoding(new Uint8Array(bytes), true)).toEqual(expected);
  });

  it('detects UTF-16 without a BOM from its NUL bytes', () => {
    expect(detectEncoding(utf16le('id,name\n1,Ana\n'), true)).toEqual({ encoding: 'utf-16le', bom: false });
    expect(detectEncoding(utf16be('id,name\n1,Ana\n'), true)).toEqual({ encoding: 'utf-16be', bom: false });
  });

  it('accepts a character cut by the end of an incomplete sample', () => {
    const bytes = new Uint8Array([0x61, 0xe2, 0x82]);

    expect(detectEncoding(bytes, false).encoding).toBe('utf-8');
    expect(detectEncoding(bytes, true).encoding).toBe('windows-1252');
  });
});

describe('findInvalidUtf8', () => {
  it.each([
    ['valid text', [...Buffer.from('aé€😀')], -1],
    ['a stray continuation byte', [0x61, 0x80], 1],
    ['an overlong encoding', [0x61, 0xc0, 0xaf], 1],
    ['a surrogate', [0x61, 0x62, 0xed, 0xa0, 0x80], 2],
    ['a cut sequence in the middle', [0xe2, 0x82, 0x61], 0],
  ])('finds %s', (_name, bytes, expected) => {
    expect(findInvalidUtf8(new Uint8Array(bytes), true)).toBe(expected);
  });

  it('accepts a cut sequence at the end unless the bytes are complete', () => {
    expect(findInvalidUtf8(new Uint8Array([0x61, 0xf0, 0x9f]), false)).toBe(-1);
    expect(findInvalidUtf8(new Uint8Array([0x61, 0xf0, 0x9f]), true)).toBe(1);
  });
});
