import { sniffDelimiter } from './sniff-delimiter.util';

describe('sniffDelimiter', () => {
  it.each([
    ['comma', 'a,b,c\n1,2,3\n', ','],
    ['semicolon with decimal commas', 'sensor;min;max\ns1;1,1;2,2\ns2;0,5;10\n', ';'],
    ['tab', 'id\trate\n1001\t.097\n', '\t'],
    ['pipe with a trailing pipe', 'a|b|c|\n1|2|3|\n', '|'],
    ['commas inside quoted fields', 'id;text\n1;"a, b, c"\n2;"d, e"\n3;"f"\n', ';'],
    ['semicolons inside quoted fields', 'id,text\n1,"a; b; c"\n2,"d; e"\n', ','],
    ['a quoted field across lines', 'id|text\n1|"x,y\nz,w,v"\n2|plain\n', '|'],
    ['a ragged row', 'id,name,city\n1,Ana,Lisbon\n2,Bo,Oslo,extra\n3,Cy\n4,Di,Rome\n', ','],
  ])('detects %s', (_name, sample, expected) => {
    expect(sniffDelimiter(sample, '"', true)).toBe(expected);
  });

  it('falls back to a comma for one column', () => {
    expect(sniffDelimiter('name\nAna\nBo\n', '"', true)).toBe(',');
  });

  it('prefers the candidate with more fields when both are consistent', () => {
    expect(sniffDelimiter('a;b,c;d\n1;2,3;4\n', '"', true)).toBe(';');
  });

  it('ignores the cut record at the end of an incomplete sample', () => {
    expect(sniffDelimiter('a;b;c\n1;2;3\n4;5', '"', false)).toBe(';');
  });
});
