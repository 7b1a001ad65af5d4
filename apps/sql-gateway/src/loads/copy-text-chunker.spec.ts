import fc from 'fast-check';

import { isSqlEngineError, type SqlEngineError } from '@rokks/sql-engine';

import { CopyTextChunker, FLUSH_BYTES, MAX_ROW_BYTES } from './copy-text-chunker';

/** Feeds `chunks` through a chunker and returns every text it hands out, the rest included. */
function runChunker(chunks: Buffer[]): string[] {
  const chunker = new CopyTextChunker('t');
  const texts: string[] = [];

  for (const chunk of chunks) {
    const text = chunker.push(chunk);

    if (text !== null) {
      texts.push(text);
    }
  }

  const rest = chunker.takeRest();

  if (rest !== null) {
    texts.push(rest);
  }

  return texts;
}

/** Cuts `bytes` at the given offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;

  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }

  chunks.push(bytes.subarray(start));

  return chunks;
}

describe('CopyTextChunker', () => {
  it('returns whole rows only', () => {
    const chunker = new CopyTextChunker('t');
    const row = `${'a'.repeat(1000)}\t1\n`;
    const big = Buffer.from(row.repeat(Math.ceil(FLUSH_BYTES / row.length)));

    expect(chunker.push(Buffer.from('1\tpart'))).toBeNull();
    expect(chunker.push(Buffer.from('ial\n2\tb'))).toBeNull();

    const text = chunker.push(big);

    expect(text?.startsWith('1\tpartial\n2\tb')).toBe(true);
    expect(text?.endsWith('\n')).toBe(true);
    expect(chunker.takeRows()).toBeNull();
    expect(chunker.takeRest()).toBeNull();
  });

  it('adds the final newline', () => {
    expect(runChunker([Buffer.from('1\ta\n2\t'), Buffer.from('b')])).toEqual(['1\ta\n2\tb\n']);
  });

  it('never splits a character', () => {
    const text = `1\t${'ü€𝄞'.repeat(40_000)}\n2\tend\n`;
    const bytes = Buffer.from(text);
    // Cut inside the three- and four-byte sequences.
    const chunks = cut(bytes, [3, 4, 5, 6, 7, FLUSH_BYTES + 1, FLUSH_BYTES + 2]);

    expect(runChunker(chunks).join('')).toBe(text);
  });

  it('any cut gives back the same rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (values, offsets) => {
          const text = values.map((value) => `${value.replace(/[\n\t\\]/g, ' ')}\n`).join('');
          const texts = runChunker(cut(Buffer.from(text), offsets));

          expect(texts.join('')).toBe(text);

          for (const piece of texts) {
            expect(piece.endsWith('\n')).toBe(true);
          }
        },
      ),
    );
  });

  it('rejects invalid UTF-8', () => {
    const chunker = new CopyTextChunker('people');

    expect(() => chunker.push(Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('\n'.repeat(FLUSH_BYTES))]))).toThrow(
      /people is not valid UTF-8 between bytes 0 and/,
    );
  });

  it('rejects a row longer than the maximum', () => {
    const chunker = new CopyTextChunker('wide');
    const block = Buffer.alloc(1024 * 1024, 'a');
    let thrown: unknown;

    try {
      for (let size = 0; size <= MAX_ROW_BYTES; size += block.length) {
        chunker.push(block);
      }
    } catch (error) {
      thrown = error;
    }

    expect(isSqlEngineError(thrown)).toBe(true);
    expect((thrown as SqlEngineError).code).toBe('TOO_LARGE');
  });
});
