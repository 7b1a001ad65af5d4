import { FileReaderError } from '../file-reader.error';
import { type TextEncodingName } from '../file-reader.types';
import { createChunkDecoder } from './chunk-decoder';

function decodeInPieces(bytes: Uint8Array, encoding: TextEncodingName, cuts: number[]): string {
  const decoder = createChunkDecoder(encoding);
  let text = '';
  let start = 0;

  for (const cut of [...cuts, bytes.length]) {
    text += decoder.decode(bytes.subarray(start, cut));
    start = cut;
  }

  return text + decoder.end();
}

const SAMPLE = 'a,é\n€,😀\n北海道,x';

const ENCODED: [TextEncodingName, Uint8Array][] = [
  ['utf-8', new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(SAMPLE, 'utf8')])],
  ['utf-16le', new Uint8Array([0xff, 0xfe, ...Buffer.from(SAMPLE, 'utf16le')])],
  ['utf-16be', new Uint8Array([0xfe, 0xff, ...Buffer.from(SAMPLE, 'utf16le').swap16()])],
];

describe('createChunkDecoder', () => {
  it.each(ENCODED)('decodes %s cut at every pair of positions', (encoding, bytes) => {
    for (let first = 0; first <= bytes.length; first += 1) {
      for (let second = first; second <= bytes.length; second += 1) {
        expect(decodeInPieces(bytes, encoding, [first, second])).toBe(SAMPLE);
      }
    }
  });

  it('drops the byte order mark only at the start', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xef, 0xbb, 0xbf, 0x62]);

    expect(decodeInPieces(bytes, 'utf-8', [4])).toBe('a\ufeffb');
  });

  it('rejects a file that is only part of a byte order mark', () => {
    expect(() => decodeInPieces(new Uint8Array([0xef, 0xbb]), 'utf-8', [1])).toThrow('The file is not valid UTF-8 at byte 0');
  });

  it('decodes Windows-1252 bytes 0x80 to 0x9F by the standard table', () => {
    const bytes = new Uint8Array([0x80, 0x20, 0x93, 0x71, 0x94, 0x20, 0x99, 0x20, 0x8a, 0xe9, 0x81]);

    expect(decodeInPieces(bytes, 'windows-1252', [3])).toBe('€ “q” ™ Šé\u0081');
  });

  it('names the byte offset of invalid UTF-8', () => {
    const bytes = new Uint8Array([...Buffer.from('abc,déf\n'), 0xff, 0x61]);

    expect(() => decodeInPieces(bytes, 'utf-8', [4])).toThrow(FileReaderError);
    expect(() => decodeInPieces(bytes, 'utf-8', [4])).toThrow('The file is not valid UTF-8 at byte 9');
  });

  it('names the start of a bad sequence cut between pieces', () => {
    const bytes = new Uint8Array([0x61, 0x62, 0xe2, 0x82, 0x41, 0x43]);

    expect(() => decodeInPieces(bytes, 'utf-8', [3, 4])).toThrow('The file is not valid UTF-8 at byte 2');
  });

  it('rejects a file that ends inside a character', () => {
    expect(() => decodeInPieces(new Uint8Array([0x61, 0xe2, 0x82]), 'utf-8', [2])).toThrow(
      'The file is not valid UTF-8 at byte 1',
    );
  });

  it('decodes ASCII pieces between other characters cut at every position', () => {
    const text = 'ab,cd\né,x\nplain,ascii\n€,😀\nmore,ascii\n';
    const bytes = new Uint8Array(Buffer.from(text, 'utf8'));

    for (let first = 0; first <= bytes.length; first += 1) {
      for (let second = first; second <= bytes.length; second += 1) {
        expect(decodeInPieces(bytes, 'utf-8', [first, second, Math.max(second, bytes.length - 3)])).toBe(text);
      }
    }
  });

  it('keeps a byte order mark that follows ASCII pieces', () => {
    const bytes = new Uint8Array([0x61, 0x62, 0xef, 0xbb, 0xbf, 0x63]);

    expect(decodeInPieces(bytes, 'utf-8', [1, 2])).toBe('ab\ufeffc');
  });

  it('drops a byte order mark before ASCII pieces', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x62, 0x63]);

    expect(decodeInPieces(bytes, 'utf-8', [3, 4])).toBe('abc');
  });

  it('names the offset of invalid UTF-8 after ASCII pieces', () => {
    const bytes = new Uint8Array([0x61, 0x62, 0x63, 0x64, 0xff, 0x65]);

    expect(() => decodeInPieces(bytes, 'utf-8', [1, 2, 3])).toThrow('The file is not valid UTF-8 at byte 4');
  });

  it('reports cut sequence after buffer reuse', () => {
    const decoder = createChunkDecoder('utf-8');
    const buffer = Buffer.from([0x61, 0x62, 0xe2]);

    decoder.decode(buffer);
    buffer.fill(0x41);

    expect(() => decoder.decode(new Uint8Array([0x82, 0x41]))).toThrow('The file is not valid UTF-8 at byte 2');
  });

  it('rejects an unpaired UTF-16 surrogate', () => {
    const bytes = new Uint8Array([0x61, 0x00, 0x00, 0xd8, 0x61, 0x00]);

    expect(() => decodeInPieces(bytes, 'utf-16le', [3])).toThrow('The file is not valid utf-16le');
  });
});
