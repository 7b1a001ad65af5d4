import { readDelimitedText } from './delimited-text.util';

describe('readDelimitedText', () => {
  it('reads a header and rows', () => {
    expect(readDelimitedText('a,b\n1,2\n3,4\n')).toEqual({ columns: ['a', 'b'], rows: [['1', '2'], ['3', '4']] });
  });

  it('drops a byte order mark and CRLF line ends', () => {
    expect(readDelimitedText('\ufeffid,name\r\n1,Ana\r\n')).toEqual({ columns: ['id', 'name'], rows: [['1', 'Ana']] });
  });

  it('reads quoted fields with doubled quotes and line breaks', () => {
    const table = readDelimitedText('id,comment\r\nr1,"Line ""with quoted"" text\n\nFoo"\r\nr2,"a,b"\r\n');

    expect(table.rows).toEqual([
      ['r1', 'Line "with quoted" text\n\nFoo'],
      ['r2', 'a,b'],
    ]);
  });

  it('tells an empty field from an empty quoted one', () => {
    expect(readDelimitedText('a,b,c\n,"",x\n').rows).toEqual([[null, '', 'x']]);
  });

  it('keeps a trailing empty field', () => {
    expect(readDelimitedText('a|b|\n1|2|\n', '|')).toEqual({ columns: ['a', 'b', ''], rows: [['1', '2', null]] });
  });

  it('reads the last record without a line end', () => {
    expect(readDelimitedText('a\tb\n1\t2', '\t').rows).toEqual([['1', '2']]);
  });

  it('keeps ragged records as they are', () => {
    expect(readDelimitedText('a,b\n1,2,3\n4\n').rows).toEqual([['1', '2', '3'], ['4']]);
  });

  it('keeps white space inside unquoted fields', () => {
    expect(readDelimitedText('a,b\n  ,x y \n').rows).toEqual([['  ', 'x y ']]);
  });

  it.each([
    ['a\n"open', 'is not closed'],
    ['a\n"x"y', 'Unexpected text after a closing quote'],
  ])('rejects %p', (text, message) => {
    expect(() => readDelimitedText(text)).toThrow(message);
  });

  it('rejects a quote as the delimiter', () => {
    expect(() => readDelimitedText('a', '"')).toThrow('Invalid delimiter');
  });
});
