import { type EdgeRoute, resolveRoute } from './route-table';

function route(method: string, path: string): EdgeRoute {
  return resolveRoute(method, path.slice(1).split('/'));
}

function access(method: string, path: string): string {
  const resolved = route(method, path);

  if (resolved.kind !== 'forward') {
    return resolved.kind;
  }

  return resolved.access.kind === 'role' ? resolved.access.role : resolved.access.kind;
}

describe('resolveRoute', () => {
  it.each([
    ['POST', '/auth/login', 'public'],
    ['POST', '/auth/refresh', 'public'],
    ['GET', '/auth/oidc/google/callback', 'public'],
    ['GET', '/auth/me', 'authenticated'],
    ['GET', '/auth/users', 'admin'],
    ['PATCH', '/auth/users/42', 'admin'],
    ['GET', '/api/sql/tables', 'viewer'],
    ['HEAD', '/api/doc/blobs/a/b', 'viewer'],
    ['POST', '/api/sql/query', 'viewer'],
    ['POST', '/api/sql/widget-query', 'viewer'],
    ['POST', '/api/doc/orders/query', 'viewer'],
    ['POST', '/api/transform/preview', 'viewer'],
    ['POST', '/api/doc/blobs/query', 'editor'],
    ['POST', '/api/sql/query/', 'editor'],
    ['POST', '/api/sql/QUERY', 'editor'],
    ['PATCH', '/api/sql/tables/t_1', 'editor'],
    ['DELETE', '/api/sql/tables/t_1', 'editor'],
    ['POST', '/api/transform/runs', 'editor'],
    ['POST', '/api/jobs/j1/cancel', 'editor'],
    ['PUT', '/api/doc/orders/o1', 'editor'],
    ['GET', '/api/audit', 'admin'],
    ['GET', '/api/ai/settings', 'admin'],
    ['PUT', '/api/sql/settings/timeouts', 'admin'],
    ['GET', '/api/doc/settings/theme', 'viewer'],
  ])('%s %s needs %s', (method, path, expected) => {
    expect(access(method, path)).toBe(expected);
  });

  it('sends each prefix to its service', () => {
    const services = [
      '/api/doc/x',
      '/api/sql/x',
      '/api/ai/x',
      '/api/jobs',
      '/api/audit',
      '/api/transform/x',
      '/auth/login',
    ].map((path) => {
      const resolved = route('GET', path);

      return resolved.kind === 'forward' ? resolved.service : resolved.kind;
    });

    expect(services).toEqual([
      'doc-gateway',
      'sql-gateway',
      'ai',
      'worker',
      'worker',
      'data-transform',
      'auth',
    ]);
  });

  it('classes uploads', () => {
    expect(route('POST', '/api/transform/files')).toMatchObject({ bodyClass: 'upload' });
    expect(route('PUT', '/api/doc/blobs/a/b.csv')).toMatchObject({ bodyClass: 'upload' });
    expect(route('POST', '/api/sql/query')).toMatchObject({ bodyClass: 'api' });
    expect(route('POST', '/auth/login')).toMatchObject({ bodyClass: 'auth' });
  });

  it('serves the edge routes and the SPA', () => {
    expect(route('GET', '/api/health')).toEqual({ kind: 'health' });
    expect(route('GET', '/api/docs')).toEqual({ kind: 'docs' });
    expect(route('GET', '/')).toEqual({ kind: 'spa' });
    expect(route('GET', '/dashboards/1')).toEqual({ kind: 'spa' });
  });

  it('finds no route for unknown or miscased prefixes', () => {
    expect(route('GET', '/api/unknown/x').kind).toBe('not-found');
    expect(route('GET', '/api').kind).toBe('not-found');
    expect(route('GET', '/API/sql/tables').kind).toBe('not-found');
    expect(route('GET', '/Auth/me').kind).toBe('not-found');
  });

  it('allows only known methods', () => {
    expect(route('OPTIONS', '/api/sql/query')).toMatchObject({ kind: 'method-not-allowed' });
    expect(route('TRACE', '/auth/login')).toMatchObject({ kind: 'method-not-allowed' });
    expect(route('POST', '/api/health')).toMatchObject({
      kind: 'method-not-allowed',
      allowed: ['GET', 'HEAD'],
    });
    expect(route('PUT', '/index.html')).toMatchObject({ kind: 'method-not-allowed' });
  });
});
