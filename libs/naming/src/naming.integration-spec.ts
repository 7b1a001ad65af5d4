import { Client } from 'pg';

import { deriveColumnNames } from './column-names.util';
import {
  buildAddColumnsSql,
  buildCreateTableSql,
  buildCreateViewSql,
  buildRenamePlan,
} from './ddl.util';
import { generateColumnIds, generateTableId } from './ids.util';
import { toLogicalName } from './logical-name.util';
import { POSTGRES_RESERVED_WORDS } from './reserved-words';
import { quoteIdent, quoteLiteral, quoteQualifiedName } from './sql-quote.util';

const connection = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const databaseName = `naming_test_${generateTableId().slice(2, 18)}`;
const schema = 'data';

let admin: Client;
let client: Client;

beforeAll(async () => {
  admin = new Client({ ...connection, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(databaseName)}`);

  client = new Client({ ...connection, database: databaseName });
  await client.connect();
  await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
});

afterAll(async () => {
  await client.end();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseName)} WITH (FORCE)`);
  await admin.end();
});

async function viewColumnNames(viewName: string): Promise<string[]> {
  const result = await client.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [quoteQualifiedName(schema, viewName)],
  );

  return result.rows.map((row) => row.attname);
}

describe('reserved word list', () => {
  it('matches the server key word table', async () => {
    const result = await client.query<{ word: string }>(
      `SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T') ORDER BY word`,
    );
    const serverWords = result.rows.map((row) => row.word);
    const onlyInList = [...POSTGRES_RESERVED_WORDS].filter((word) => !serverWords.includes(word));

    expect(serverWords.filter((word) => !POSTGRES_RESERVED_WORDS.has(word))).toEqual([]);
    // system_user is reserved from PostgreSQL 16; an older server does not know it.
    expect(onlyInList.filter((word) => word !== 'system_user')).toEqual([]);
  });

  it('leaves no key word name that fails unquoted', async () => {
    const result = await client.query<{ word: string }>(
      `SELECT word FROM pg_get_keywords() ORDER BY word`,
    );
    const columns = deriveColumnNames(result.rows.map((row) => row.word));
    const ids = generateColumnIds(columns.length);
    const tableId = generateTableId();

    await client.query(
      buildCreateTableSql({ schema, tableId, columns: ids.map((id) => ({ id, type: 'text' })) }),
    );
    await client.query(
      buildCreateViewSql({
        schema,
        tableId,
        viewName: 'key_words',
        columns: columns.map((column, index) => ({ id: ids[index], name: column.name })),
      }),
    );

    const names = columns.map((column) => column.name);
    const selected = await client.query(
      `SELECT ${names.join(', ')} FROM ${schema}.key_words WHERE ${names[0]} IS NULL ORDER BY ${names.at(-1)}`,
    );

    expect(selected.fields.map((field) => field.name)).toEqual(names);
  });
});

describe('physical table and logical view', () => {
  const headers = [
    'id',
    'E-mail',
    '',
    'email',
    'Order',
    'Durée (h)',
    'Имя "клиента"',
    `${'long '.repeat(15)}a`,
    `${'long '.repeat(15)}b`,
  ];
  const columns = deriveColumnNames(headers);
  const ids = generateColumnIds(columns.length);
  const tableId = generateTableId();
  const types = [
    'integer',
    'text',
    'text',
    'text',
    'numeric',
    'float',
    'json',
    'date',
    'timestamptz',
  ] as const;

  async function physicalTableState(): Promise<{
    oid: number;
    relfilenode: number;
    attributes: string[];
  }> {
    const relation = await client.query<{ oid: number; relfilenode: number }>(
      `SELECT oid::int, relfilenode::int FROM pg_class WHERE oid = $1::regclass`,
      [quoteQualifiedName(schema, tableId)],
    );
    const attributes = await client.query<{ attribute: string }>(
      `SELECT attname || ' ' || format_type(atttypid, atttypmod) AS attribute FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [quoteQualifiedName(schema, tableId)],
    );

    return { ...relation.rows[0], attributes: attributes.rows.map((row) => row.attribute) };
  }

  beforeAll(async () => {
    await client.query(
      buildCreateTableSql({
        schema,
        tableId,
        columns: ids.map((id, index) => ({ id, type: types[index] })),
      }),
    );
    await client.query(
      `INSERT INTO ${quoteQualifiedName(schema, tableId)} VALUES (1, 'a@x', 'blank', 'b@x', 2.50, 1.5, '{"k": 1}', '2024-02-29', '2024-01-01T00:00:00Z')`,
    );
    await client.query(
      buildCreateViewSql({
        schema,
        tableId,
        viewName: 'customers',
        columns: columns.map((column, index) => ({ id: ids[index], name: column.name })),
      }),
    );
  });

  it('creates the physical columns with mapped types', async () => {
    const state = await physicalTableState();

    expect(state.attributes).toEqual([
      `${ids[0]} bigint`,
      `${ids[1]} text`,
      `${ids[2]} text`,
      `${ids[3]} text`,
      `${ids[4]} numeric`,
      `${ids[5]} double precision`,
      `${ids[6]} jsonb`,
      `${ids[7]} date`,
      `${ids[8]} timestamp with time zone`,
    ]);
  });

  it('shows the logical names in the view', async () => {
    expect(await viewColumnNames('customers')).toEqual(columns.map((column) => column.name));
  });

  it('reads rows through the logical names', async () => {
    const result = await client.query<Record<string, unknown>>(
      `SELECT id, e_mail, column_3, email, order_, ${quoteIdent(columns[6].name)} FROM data.customers`,
    );

    expect(result.rows).toEqual([
      {
        id: '1',
        e_mail: 'a@x',
        column_3: 'blank',
        email: 'b@x',
        order_: '2.50',
        [columns[6].name]: { k: 1 },
      },
    ]);
  });

  it('renames through the plan without touching the table', async () => {
    const before = await physicalTableState();
    const renamed = columns.map((column, index) => ({
      id: ids[index],
      name: index === 1 ? 'contact_email' : column.name,
    }));

    await client.query('BEGIN');

    for (const statement of buildRenamePlan(
      { schema, name: 'customers' },
      { schema, tableId, viewName: 'clients', columns: renamed },
    )) {
      await client.query(statement);
    }

    await client.query('COMMIT');

    expect(await physicalTableState()).toEqual(before);
    expect(await viewColumnNames('clients')).toEqual(renamed.map((column) => column.name));

    const oldView = await client.query(`SELECT to_regclass('data.customers') AS relation`);

    expect(oldView.rows[0]).toEqual({ relation: null });

    const rows = await client.query(`SELECT contact_email FROM data.clients`);

    expect(rows.rows).toEqual([{ contact_email: 'a@x' }]);
  });

  it('leaves the view intact when a dependent view blocks the drop', async () => {
    await client.query(`CREATE VIEW data.dependent AS SELECT contact_email FROM data.clients`);

    const plan = buildRenamePlan(
      { schema, name: 'clients' },
      { schema, tableId, viewName: 'clients_2', columns: [{ id: ids[0], name: 'id' }] },
    );

    await client.query('BEGIN');
    await expect(
      (async () => {
        for (const statement of plan) {
          await client.query(statement);
        }
      })(),
    ).rejects.toThrow(/depend/);
    await client.query('ROLLBACK');
    await client.query(`DROP VIEW data.dependent`);

    expect(await viewColumnNames('clients')).toHaveLength(columns.length);
  });

  it('adds columns that a later load brings', async () => {
    const [newId] = generateColumnIds(1, ids);

    await client.query(
      buildAddColumnsSql({ schema, tableId, columns: [{ id: newId, type: 'boolean' }] }),
    );

    const state = await physicalTableState();

    expect(state.attributes.at(-1)).toBe(`${newId} boolean`);
  });
});

describe('quoting against the server', () => {
  it.each([
    ['double quotes', 'say "hi"'],
    ['reserved word', 'select'],
    ['upper case', 'Email'],
    ['63 bytes', `${'é'.repeat(31)}x`],
    ['spaces and symbols', ' a;b--c/*d*/ '],
    ['astral letter', '𠀀'],
  ])('keeps an identifier with %s', async (_case, identifier) => {
    const result = await client.query(`SELECT 1 AS ${quoteIdent(identifier)}`);

    expect(result.fields[0].name).toBe(identifier);
  });

  it.each([
    ['single quotes', "it's ''quoted''"],
    ['backslashes', 'C:\\temp\\new'],
    ['quote after backslash', "\\'"],
    ['non-ASCII', 'durée 売 𠀀'],
    ['line breaks', 'a\r\nb'],
  ])('keeps a literal with %s', async (_case, value) => {
    for (const conforming of ['on', 'off']) {
      await client.query(`SET standard_conforming_strings = ${conforming}`);

      const result = await client.query<{ value: string }>(
        `SELECT ${quoteLiteral(value)}::text AS value`,
      );

      expect(result.rows[0].value).toBe(value);
    }

    await client.query('RESET standard_conforming_strings');
  });

  it('gives names the server does not cut', async () => {
    const header = `${'Ж'.repeat(40)} total`;
    const name = toLogicalName(header, 1);
    const result = await client.query(`SELECT 1 AS ${quoteIdent(name)}`);

    expect(result.fields[0].name).toBe(name);
  });
});
