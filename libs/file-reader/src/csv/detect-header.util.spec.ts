import { looksLikeHeader } from './detect-header.util';

describe('looksLikeHeader', () => {
  it('finds names above numbers', () => {
    expect(looksLikeHeader([['id', 'price'], ['1', '9.5'], ['2', '10']])).toBe(true);
  });

  it('rejects numbers above numbers', () => {
    expect(looksLikeHeader([['1', '9.5'], ['2', '10'], ['3', '7']])).toBe(false);
  });

  it('finds names above fixed-length codes', () => {
    expect(looksLikeHeader([['zip', 'city'], ['AB123', 'Oslo'], ['CD345', 'Rome x']])).toBe(true);
  });

  it('rejects a first row like the codes below it', () => {
    expect(looksLikeHeader([['AB12', 'Oslo'], ['CD34', 'Rome'], ['EF56', 'Lima']])).toBe(false);
  });

  it('takes text-only rows as a header', () => {
    expect(looksLikeHeader([['name', 'city'], ['Ana', 'Lisbon'], ['Bo', 'Oslo']])).toBe(true);
  });

  it('takes a lone text record as header', () => {
    expect(looksLikeHeader([['name', 'city']])).toBe(true);
  });

  it('takes a lone numeric record as data', () => {
    expect(looksLikeHeader([['1', '2']])).toBe(false);
  });

  it('ignores empty values', () => {
    expect(looksLikeHeader([['id', 'note'], ['1', null], ['2', 'x']])).toBe(true);
  });
});
