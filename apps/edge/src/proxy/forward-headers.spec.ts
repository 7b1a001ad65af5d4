import { browserResponseHeaders, upstreamRequestHeaders } from './forward-headers';

const context = {
  requestId: 'req-1',
  clientAddress: '203.0.113.5',
  protocol: 'http' as const,
  internalSecret: 'the-internal-secret-of-the-mesh-0123456789',
  keepCookies: false,
};

describe('upstreamRequestHeaders', () => {
  it('replaces forwarding headers and adds the secret', () => {
    const headers = upstreamRequestHeaders(
      {
        host: 'localhost:3000',
        authorization: 'Bearer a.b.c',
        'x-forwarded-for': '6.6.6.6',
        'x-request-id': 'chosen-by-browser',
        'x-rokks-internal': 'forged',
        'x-rokks-anything': 'forged',
        cookie: 'rokks_refresh=x',
        connection: 'keep-alive, x-custom-hop',
        'x-custom-hop': '1',
        'transfer-encoding': 'chunked',
        'content-type': 'application/json',
      },
      context,
    );

    expect(headers).toEqual({
      authorization: 'Bearer a.b.c',
      'content-type': 'application/json',
      'x-request-id': 'req-1',
      'x-forwarded-for': '203.0.113.5',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'localhost:3000',
      'x-rokks-internal': context.internalSecret,
    });
  });

  it('keeps cookies for the auth service', () => {
    expect(
      upstreamRequestHeaders({ cookie: 'rokks_refresh=x' }, { ...context, keepCookies: true })
        .cookie,
    ).toBe('rokks_refresh=x');
  });
});

describe('browserResponseHeaders', () => {
  it('drops internal, hop-by-hop and CORS headers', () => {
    expect(
      browserResponseHeaders(
        {
          'content-type': 'application/json',
          'content-length': '2',
          connection: 'keep-alive',
          'keep-alive': 'timeout=5',
          'x-rokks-debug': '1',
          'access-control-allow-origin': '*',
          'set-cookie': ['a=1'],
          'x-request-id': 'backend-id',
          'cache-control': 'max-age=60',
        },
        { keepCookies: false },
      ),
    ).toEqual({
      'content-type': 'application/json',
      'content-length': '2',
      'cache-control': 'max-age=60',
    });
  });

  it('passes cookies from auth and defaults to no-store', () => {
    expect(browserResponseHeaders({ 'set-cookie': ['a=1'] }, { keepCookies: true })).toEqual({
      'set-cookie': ['a=1'],
      'cache-control': 'no-store',
    });
  });
});
