import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { SqlEngine, type SqlEngineOptions } from '../sql-engine';

/** Connection settings of the test server: PostgreSQL 15 on loopback, trust authentication. */
export const TEST_SERVER = {
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
};

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ ...TEST_SERVER, database: 'postgres' });

  await client.connect();

  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file, `rokks_test_<random>`. */
export interface TestDatabase {
  name: string;
  connection: { host: string; port: number; user: string; database: string };
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rokks_test_${randomBytes(6).toString('hex')}`;

  await adminQuery(`CREATE DATABASE ${name}`);

  return {
    name,
    connection: { ...TEST_SERVER, database: name },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export type TestBackendKind = 'postgres' | 'pglite';

/** An engine on a fresh database of the given kind; `dispose` drops its workspaces, roles and database. */
export interface TestEngine {
  engine: SqlEngine;
  database: TestDatabase | null;
  dispose(): Promise<void>;
}

export async function openTestEngine(
  kind: TestBackendKind,
  options: Omit<SqlEngineOptions, 'backend'> = {},
): Promise<TestEngine> {
  const database = kind === 'postgres' ? await createTestDatabase() : null;
  const engine = await SqlEngine.open({
    ...options,
    backend:
      database === null
        ? { kind: 'pglite' }
        : { kind: 'postgres', connection: { ...database.connection, max: 8 } },
  });

  return {
    engine,
    database,
    async dispose() {
      // Workspace roles belong to the whole server: drop them with the workspaces.
      for (const workspace of await engine.listWorkspaces()) {
        await engine.dropWorkspace(workspace.workspace);
      }

      await engine.close();
      await database?.drop();
    },
  };
}
