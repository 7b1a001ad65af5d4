import { spawn } from 'node:child_process';
import path from 'node:path';

import { SqlEngine } from './sql-engine';
import { createTestDatabase, type TestDatabase } from './testing/test-databases';

const REPO_ROOT = path.resolve(__dirname, '../../..');

async function* rows(count: number, source: string): AsyncIterable<(bigint | string)[][]> {
  yield Array.from({ length: count }, (_, index) => [BigInt(index), source]);
}

describe('a load killed halfway on PostgreSQL', () => {
  let database: TestDatabase;
  let engine: SqlEngine;
  const columns = [
    { name: 'n', type: 'integer' as const },
    { name: 'source', type: 'text' as const },
  ];
  const count = async () =>
    (await engine.query({ workspace: 'alpha', userId: 'test', sql: 'SELECT source, count(*) FROM events GROUP BY 1' })).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    engine = await SqlEngine.open({ backend: { kind: 'postgres', connection: database.connection } });
    await engine.load({ workspace: 'alpha', table: 'events', loadId: 'base', mode: 'create', columns }, rows(10, 'base'));
  });

  afterAll(async () => {
    await engine?.dropWorkspace('alpha');
    await engine?.close();
    await database?.drop();
  });

  it('leaves no partial rows, and the retried load applies once', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', path.join(__dirname, 'testing/slow-load.child.ts'), database.name, 'killed-load', '10'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TS_NODE_TRANSPILE_ONLY: 'true',
        TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.spec.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';

    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });

    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));

    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        if (data.toString().includes('half')) {
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`the child load ended before half way: ${stderr}`)));
    });

    // Half the chunks are in the staging table of an open transaction: invisible.
    expect(await count()).toEqual([['base', 10]]);

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The server notices the closed socket and rolls the transaction back.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const sessions = await engine.database.query(
        "SELECT count(*)::text FROM pg_stat_activity WHERE application_name = 'rokks-slow-load'",
      );

      if (sessions.rows[0][0] === '0') {
        break;
      }

      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await count()).toEqual([['base', 10]]);
    expect(
      (await engine.database.query('SELECT count(*)::text FROM rokks_catalog.applied_loads WHERE load_id = $1', ['killed-load'])).rows,
    ).toEqual([['0']]);
    expect((await engine.getTable('alpha', 'events')).rowCount).toBe(10);

    const retried = await engine.load({ workspace: 'alpha', table: 'events', loadId: 'killed-load', mode: 'append', columns }, rows(7, 'retry'));
    const again = await engine.load({ workspace: 'alpha', table: 'events', loadId: 'killed-load', mode: 'append', columns }, rows(7, 'retry'));

    expect(retried).toMatchObject({ alreadyApplied: false, rowsLoaded: 7, rowCount: 17 });
    expect(again).toMatchObject({ alreadyApplied: true, rowsLoaded: 7 });
    expect(await count()).toEqual(expect.arrayContaining([['base', 10], ['retry', 7]]));
    expect((await count()).length).toBe(2);
  }, 120_000);
});
