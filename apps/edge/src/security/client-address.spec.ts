import { resolveClient } from './client-address';

describe('resolveClient', () => {
  it('ignores forwarding headers from untrusted peers', () => {
    expect(
      resolveClient(
        '198.51.100.1',
        { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https' },
        [],
      ),
    ).toEqual({
      address: '198.51.100.1',
      protocol: 'http',
    });
  });

  it('reads the client behind a trusted proxy', () => {
    expect(
      resolveClient(
        '10.0.0.2',
        { 'x-forwarded-for': '6.6.6.6, 203.0.113.5', 'x-forwarded-proto': 'https' },
        ['10.0.0.2'],
      ),
    ).toEqual({ address: '203.0.113.5', protocol: 'https' });
  });

  it('skips a chain of trusted proxies', () => {
    expect(
      resolveClient('10.0.0.2', { 'x-forwarded-for': '203.0.113.5, 10.0.0.3' }, [
        '10.0.0.2',
        '10.0.0.3',
      ]),
    ).toEqual({
      address: '203.0.113.5',
      protocol: 'http',
    });
  });

  it('stops at a value that is not an address', () => {
    expect(resolveClient('10.0.0.2', { 'x-forwarded-for': 'junk' }, ['10.0.0.2'])).toMatchObject({
      address: '10.0.0.2',
    });
  });

  it('writes IPv4-mapped addresses as IPv4', () => {
    expect(resolveClient('::ffff:127.0.0.1', {}, [])).toMatchObject({ address: '127.0.0.1' });
  });
});
