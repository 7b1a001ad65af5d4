import { LineAlignedPieces } from './line-aligned-pieces';

/** Passes `pieces` through an aligner and returns each piece it gives, as text, and the rest at the end. */
function align(pieces: string[]): string[] {
  const aligner = new LineAlignedPieces();
  const out: string[] = [];

  for (const piece of pieces) {
    // Decoded at once, because the aligner may reuse the memory of what it returned.
    out.push(Buffer.from(aligner.take(Buffer.from(piece, 'latin1'))).toString('latin1'));
  }

  out.push(Buffer.from(aligner.rest()).toString('latin1'));

  return out;
}

describe('LineAlignedPieces', () => {
  it('cuts each piece after its last line feed', () => {
    expect(align(['a,b\nc,', 'd\ne', ',f\n'])).toEqual(['a,b\n', 'c,d\n', 'e,f\n', '']);
  });

  it('passes a piece without a line feed on whole, after the carried bytes', () => {
    expect(align(['a\nbb', 'cc', 'dd\nee'])).toEqual(['a\n', 'bbcc', 'dd\n', 'ee']);
  });

  it('gives the bytes after the last line feed at the end', () => {
    expect(align(['x,y\nlast'])).toEqual(['x,y\n', 'last']);
  });

  it('keeps every byte in order for every cut of a text', () => {
    const text = 'h1,h2\r\n"a\nb",c\n\nd,"e\r\n"\nf,g';

    for (let first = 0; first <= text.length; first += 1) {
      for (let second = first; second <= text.length; second += 1) {
        const pieces = [text.slice(0, first), text.slice(first, second), text.slice(second)].filter((piece) => piece !== '');
        const aligned = align(pieces);

        expect(aligned.join('')).toBe(text);

        // A piece with a line feed comes out ending with one; a piece without comes out whole.
        pieces.forEach((piece, index) => {
          expect(aligned[index].endsWith('\n') || !piece.includes('\n')).toBe(true);
        });
      }
    }
  });

  it('keeps carried bytes apart from later changes to the source memory', () => {
    const aligner = new LineAlignedPieces();
    const source = Buffer.from('a\nbc', 'latin1');

    aligner.take(source);
    source.fill(0x7a);

    expect(Buffer.from(aligner.take(Buffer.from('d\n', 'latin1'))).toString('latin1')).toBe('bcd\n');
  });
});
