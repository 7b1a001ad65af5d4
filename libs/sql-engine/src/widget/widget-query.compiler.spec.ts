import { type TableInfo, type WorkspaceInfo } from '../catalog/catalog.types';
import { compileWidgetQuery } from './widget-query.compiler';

const workspace: WorkspaceInfo = {
  workspace: 'alpha',
  viewSchema: 'ws_alpha',
  dataSchema: 'wsd_alpha',
  role: 'rokks_00000000_alpha',
};

const table: TableInfo = {
  id: 't_0123456789abcdef0123456789abcdef',
  workspace: 'alpha',
  name: 'sales',
  columns: [
    { id: 'f_00000001', name: 'sold_at', label: 'Sold at', type: 'timestamptz', position: 1 },
    { id: 'f_00000002', name: 'city', label: 'City', type: 'text', position: 2 },
    { id: 'f_00000003', name: 'amount', label: 'Amount', type: 'numeric', position: 3 },
    { id: 'f_00000004', name: 'units', label: 'Units', type: 'integer', position: 4 },
  ],
  timeColumn: 'f_00000001',
  rowCount: 0,
  createdAt: '',
  updatedAt: '',
  version: 1,
};

describe('compileWidgetQuery', () => {
  it('names outputs bucket, dimensions, then measures', () => {
    const compiled = compileWidgetQuery(
      {
        table: 'sales',
        measures: [{ agg: 'count' }, { column: 'amount', agg: 'sum' }, { column: 'f_00000004', agg: 'avg', as: 'mean_units' }],
        dimensions: ['city'],
        timeBucket: { column: 'sold_at', interval: '1 day', timezone: 'Europe/Berlin' },
      },
      table,
      workspace,
      null,
    );

    expect(compiled.columns).toEqual(['bucket', 'city', 'count', 'sum_amount', 'mean_units']);
    expect(compiled.sql).toContain('FROM "ws_alpha"."sales"');
    expect(compiled.sql).toContain('GROUP BY 1, 2');
    expect(compiled.sql).toContain('ORDER BY 1 ASC, 2 ASC');
    expect(compiled.sql).toContain('date_bin(');
    expect(compiled.params).toEqual(['Europe/Berlin', '1 days']);
  });

  it('uses time_bucket on TimescaleDB', () => {
    const compiled = compileWidgetQuery(
      { table: 'sales', measures: [{ agg: 'count' }], timeBucket: { column: 'sold_at', interval: '15 minutes' } },
      table,
      workspace,
      'public',
    );

    expect(compiled.sql).toContain('"public".time_bucket($1::interval, "sold_at")');
    expect(compiled.params).toEqual(['15 minutes']);
  });

  it('passes every filter value as a parameter', () => {
    const hostile = "x'); DROP TABLE sales; --";
    const compiled = compileWidgetQuery(
      {
        table: 'sales',
        measures: [{ agg: 'count' }],
        filters: [
          { column: 'city', op: '=', value: hostile },
          { column: 'units', op: 'in', value: [1, 2, 3] },
          { column: 'amount', op: 'between', value: ['1.5', 10] },
          { column: 'city', op: 'contains', value: 'er' },
          { column: 'sold_at', op: 'not_null' },
        ],
      },
      table,
      workspace,
      null,
    );

    expect(compiled.sql).not.toContain(hostile);
    expect(compiled.sql).toContain('"city" = $1::text');
    expect(compiled.sql).toContain('"units" IN ($2::bigint, $3::bigint, $4::bigint)');
    expect(compiled.sql).toContain('"amount" BETWEEN $5::numeric AND $6::numeric');
    expect(compiled.sql).toContain('strpos("city"::text, $7::text) > 0');
    expect(compiled.sql).toContain('"sold_at" IS NOT NULL');
    expect(compiled.params).toEqual([hostile, '1', '2', '3', '1.5', '10', 'er']);
  });

  it.each([
    [{ table: 'sales', measures: [{ column: 'nope', agg: 'sum' }] }, 'NOT_FOUND', 'column "nope" not found in table sales'],
    [{ table: 'sales', measures: [{ column: 'city', agg: 'sum' }] }, 'INVALID_INPUT', 'needs a numeric column'],
    [{ table: 'sales', measures: [{ agg: 'median' }] }, 'INVALID_INPUT', 'invalid aggregate "median"'],
    [{ table: 'sales', measures: [{ agg: 'sum' }] }, 'INVALID_INPUT', 'needs a column'],
    [{ table: 'sales', measures: [] }, 'INVALID_INPUT', 'at least one measure'],
    [
      { table: 'sales', measures: [{ agg: 'count' }], timeBucket: { column: 'sold_at', interval: '1 fortnight' } },
      'INVALID_INPUT',
      'invalid bucket interval',
    ],
    [
      { table: 'sales', measures: [{ agg: 'count' }], timeBucket: { column: 'sold_at', interval: '1 day', timezone: 'Mars/Base' } },
      'INVALID_INPUT',
      'unknown time zone "Mars/Base"',
    ],
    [{ table: 'sales', measures: [{ agg: 'count' }], timeBucket: { column: 'city', interval: '1 day' } }, 'INVALID_INPUT', 'has type text'],
    [{ table: 'sales', measures: [{ agg: 'count' }], filters: [{ column: 'city', op: 'like', value: 'a' }] }, 'INVALID_INPUT', 'invalid filter operator'],
    [{ table: 'sales', measures: [{ agg: 'count' }], filters: [{ column: 'city', op: '=', value: null }] }, 'INVALID_INPUT', 'use is_null'],
    [{ table: 'sales', measures: [{ agg: 'count' }], filters: [{ column: 'units', op: 'in', value: [] }] }, 'INVALID_INPUT', 'array of 1 to'],
    [{ table: 'sales', measures: [{ agg: 'count' }], filters: [{ column: 'city', op: '=', value: { a: 1 } }] }, 'INVALID_INPUT', 'invalid value'],
    [{ table: 'sales', measures: [{ agg: 'count' }], orderBy: [{ column: 'amount' }] }, 'INVALID_INPUT', 'cannot order by "amount"'],
    [{ table: 'sales', measures: [{ agg: 'count' }, { agg: 'count' }] }, 'INVALID_INPUT', 'must be unique'],
  ])('rejects bad input %#', (query, code, fragment) => {
    expect(() => compileWidgetQuery(query as never, table, workspace, null)).toThrow(
      expect.objectContaining({ code, message: expect.stringContaining(fragment) }),
    );
  });
});
