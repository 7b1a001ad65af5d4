import { resolveRequestId } from './request-id.util';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveRequestId', () => {
  it('keeps a sane caller id', () => {
    expect(resolveRequestId('01HZX3-trace.id:7')).toBe('01HZX3-trace.id:7');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with spaces', 'a b'],
    ['with a line break', 'abc\r\nset-cookie: x=1'],
    ['too long', 'a'.repeat(129)],
    ['repeated header', ['one', 'two']],
  ])('generates a UUID when %s', (_case, header) => {
    expect(resolveRequestId(header)).toMatch(UUID);
  });
});
