import { formatCsv, formatTable } from './output-format';

const COLUMNS = [
  { name: 'zip_code', type: 'text' },
  { name: 'population', type: 'integer' },
];

describe('formatTable', () => {
  it('aligns columns and right-aligns numbers', () => {
    expect(formatTable(COLUMNS, [['00501', 5], ['10001', 21102]])).toBe(
      ['zip_code  population', '--------  ----------', '00501              5', '10001          21102', ''].join('\n'),
    );
  });

  it('prints null as an empty cell', () => {
    expect(formatTable(COLUMNS, [[null, null]]).split('\n')[2]).toBe('');
  });
});

describe('formatCsv', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(formatCsv([{ name: 'note', type: 'text' }], [['a, "b"'], ['two\nlines'], [null]])).toBe(
      'note\r\n"a, ""b"""\r\n"two\nlines"\r\n\r\n',
    );
  });
});
