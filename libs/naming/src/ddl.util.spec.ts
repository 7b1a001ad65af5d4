import {
  buildAddColumnsSql,
  buildCreateTableSql,
  buildCreateViewSql,
  buildRenamePlan,
  type LogicalViewDefinition,
} from './ddl.util';

const tableId = 't_0123456789abcdef0123456789abcdef';

const view: LogicalViewDefinition = {
  schema: 'data',
  tableId,
  viewName: 'orders',
  columns: [
    { id: 'f_0000000a', name: 'id' },
    { id: 'f_0000000b', name: 'select_' },
    { id: 'f_0000000c', name: 'say "hi"' },
  ],
};

describe('buildCreateTableSql', () => {
  it('creates the schema-qualified physical table', () => {
    const sql = buildCreateTableSql({
      schema: 'data',
      tableId,
      columns: [
        { id: 'f_0000000a', type: 'integer' },
        { id: 'f_0000000b', type: 'float' },
        { id: 'f_0000000c', type: 'json' },
      ],
    });

    expect(sql).toBe(
      `CREATE TABLE "data"."${tableId}" ("f_0000000a" bigint, "f_0000000b" double precision, "f_0000000c" jsonb)`,
    );
  });

  it.each([
    [
      'a bad table id',
      { schema: 'data', tableId: 'orders', columns: [{ id: 'f_0000000a', type: 'text' }] },
      'INVALID_TABLE_ID',
    ],
    [
      'a bad column id',
      { schema: 'data', tableId, columns: [{ id: 'email', type: 'text' }] },
      'INVALID_COLUMN_ID',
    ],
    ['no columns', { schema: 'data', tableId, columns: [] }, 'INVALID_DEFINITION'],
    [
      'a repeated column id',
      {
        schema: 'data',
        tableId,
        columns: [
          { id: 'f_0000000a', type: 'text' },
          { id: 'f_0000000a', type: 'date' },
        ],
      },
      'INVALID_DEFINITION',
    ],
    [
      'an unknown type',
      { schema: 'data', tableId, columns: [{ id: 'f_0000000a', type: 'varchar' }] },
      'UNKNOWN_COLUMN_TYPE',
    ],
    [
      'an empty schema',
      { schema: '', tableId, columns: [{ id: 'f_0000000a', type: 'text' }] },
      'INVALID_IDENTIFIER',
    ],
  ])('rejects %s', (_case, definition, code) => {
    expect(() =>
      buildCreateTableSql(definition as Parameters<typeof buildCreateTableSql>[0]),
    ).toThrow(expect.objectContaining({ code }) as Error);
  });
});

describe('buildAddColumnsSql', () => {
  it('adds each column to the physical table', () => {
    expect(
      buildAddColumnsSql({
        schema: 'data',
        tableId,
        columns: [
          { id: 'f_0000000d', type: 'timestamptz' },
          { id: 'f_0000000e', type: 'boolean' },
        ],
      }),
    ).toBe(
      `ALTER TABLE "data"."${tableId}" ADD COLUMN "f_0000000d" timestamptz, ADD COLUMN "f_0000000e" boolean`,
    );
  });
});

describe('buildCreateViewSql', () => {
  it('selects each physical column under its logical name', () => {
    expect(buildCreateViewSql(view)).toBe(
      `CREATE VIEW "data"."orders" AS SELECT "f_0000000a" AS "id", "f_0000000b" AS "select_", ` +
        `"f_0000000c" AS "say ""hi""" FROM "data"."${tableId}"`,
    );
  });

  it('creates the view in viewSchema when given', () => {
    expect(buildCreateViewSql({ ...view, viewSchema: 'public' })).toMatch(
      new RegExp(`^CREATE VIEW "public"\\."orders" AS .* FROM "data"\\."${tableId}"$`),
    );
  });

  it.each([
    [
      'a repeated name',
      [
        { id: 'f_0000000a', name: 'x' },
        { id: 'f_0000000b', name: 'x' },
      ],
      'INVALID_DEFINITION',
    ],
    [
      'a repeated column id',
      [
        { id: 'f_0000000a', name: 'x' },
        { id: 'f_0000000a', name: 'y' },
      ],
      'INVALID_DEFINITION',
    ],
    ['an empty name', [{ id: 'f_0000000a', name: '' }], 'INVALID_IDENTIFIER'],
    ['a name over 63 bytes', [{ id: 'f_0000000a', name: 'n'.repeat(64) }], 'INVALID_IDENTIFIER'],
    ['a bad column id', [{ id: 'f_a', name: 'x' }], 'INVALID_COLUMN_ID'],
    ['no columns', [], 'INVALID_DEFINITION'],
  ])('rejects %s', (_case, columns, code) => {
    expect(() => buildCreateViewSql({ ...view, columns })).toThrow(
      expect.objectContaining({ code }) as Error,
    );
  });

  it('names the repeated name in the error', () => {
    expect(() =>
      buildCreateViewSql({
        ...view,
        columns: [
          { id: 'f_0000000a', name: 'x' },
          { id: 'f_0000000b', name: 'x' },
        ],
      }),
    ).toThrow('logical name "x" is used twice in view "orders"');
  });
});

describe('buildRenamePlan', () => {
  const renamed: LogicalViewDefinition = {
    ...view,
    viewName: 'sales',
    columns: [
      { id: 'f_0000000a', name: 'order_id' },
      { id: 'f_0000000c', name: 'greeting' },
    ],
  };

  it('drops the old view, then creates the new one', () => {
    expect(buildRenamePlan({ schema: 'data', name: 'orders' }, renamed)).toEqual([
      'DROP VIEW IF EXISTS "data"."orders"',
      `CREATE VIEW "data"."sales" AS SELECT "f_0000000a" AS "order_id", "f_0000000c" AS "greeting" FROM "data"."${tableId}"`,
    ]);
  });

  it('never alters the physical table', () => {
    const plan = buildRenamePlan({ schema: 'data', name: 'orders' }, renamed);

    for (const statement of plan) {
      expect(statement).toMatch(/^(DROP VIEW|CREATE VIEW) /);
      expect(statement.startsWith(`DROP VIEW IF EXISTS "data"."${tableId}"`)).toBe(false);
    }
  });

  it('checks the new view before returning any statement', () => {
    expect(() =>
      buildRenamePlan(
        { schema: 'data', name: 'orders' },
        { ...renamed, columns: [{ id: 'f_0000000a', name: '' }] },
      ),
    ).toThrow(expect.objectContaining({ code: 'INVALID_IDENTIFIER' }) as Error);
    expect(() => buildRenamePlan({ schema: 'data', name: '' }, renamed)).toThrow(
      expect.objectContaining({ code: 'INVALID_IDENTIFIER' }) as Error,
    );
  });
});
