import { mergeDocuments, type OpenApiDocument } from './openapi-merger';

function document(paths: string[], schemas: Record<string, unknown>): OpenApiDocument {
  return {
    openapi: '3.0.0',
    info: { title: 'x', version: '1' },
    paths: Object.fromEntries(
      paths.map((path) => [
        path,
        {
          get: {
            security: [{ 'internal-secret': [] }, { 'access-token': [] }],
            responses: {
              200: {
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Table' } } },
              },
            },
          },
        },
      ]),
    ),
    components: { schemas },
  };
}

describe('mergeDocuments', () => {
  const merged = mergeDocuments([
    {
      service: 'sql-gateway',
      document: document(['/api/sql/tables', '/health', '/docs-json', '/internal/x'], {
        Table: { type: 'object' },
      }),
    },
    {
      service: 'worker',
      document: document(['/api/jobs', '/api/audit', '/api/sql/tables-not-mine'], {
        Table: { type: 'string' },
      }),
    },
    { service: 'auth', document: document(['/auth/login', '/authx'], {}) },
    { service: 'ai', document: undefined },
  ]);

  it('keeps only the paths the edge forwards to each service', () => {
    expect(Object.keys(merged.paths).sort()).toEqual([
      '/api/audit',
      '/api/docs',
      '/api/health',
      '/api/jobs',
      '/api/sql/tables',
      '/auth/login',
    ]);
  });

  it('renames clashing schemas and their references', () => {
    expect(merged.components?.schemas).toEqual({
      Table: { type: 'object' },
      'worker.Table': { type: 'string' },
    });
    expect(JSON.stringify(merged.paths['/api/jobs'])).toContain(
      '#/components/schemas/worker.Table',
    );
    expect(JSON.stringify(merged.paths['/api/sql/tables'])).toContain(
      '#/components/schemas/Table"',
    );
  });

  it('drops the internal secret as a way in', () => {
    expect((merged.paths['/api/jobs'].get as { security: unknown[] }).security).toEqual([
      { 'access-token': [] },
    ]);
  });

  it('lists unreachable services', () => {
    expect(merged['x-rokks-unavailable']).toEqual(['ai']);
  });
});
