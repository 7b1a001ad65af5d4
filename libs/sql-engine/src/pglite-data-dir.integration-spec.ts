import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { SqlEngine } from './sql-engine';

async function* rows(): AsyncIterable<(string | bigint)[][]> {
  yield [
    ['a', 1n],
    ['b', 2n],
  ];
}

describe('PGlite with a data directory', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rokks-pglite-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps tables and load ids across a reopen', async () => {
    const first = await SqlEngine.open({ backend: { kind: 'pglite', dataDir } });

    await first.load(
      {
        workspace: 'alpha',
        table: 'letters',
        loadId: 'letters-1',
        mode: 'create',
        columns: [
          { name: 'letter', type: 'text' },
          { name: 'n', type: 'integer' },
        ],
      },
      rows(),
    );
    await first.close();

    const second = await SqlEngine.open({ backend: { kind: 'pglite', dataDir } });

    try {
      const result = await second.query({ workspace: 'alpha', userId: 'u1', sql: 'SELECT * FROM letters ORDER BY n' });
      const retry = await second.load(
        {
          workspace: 'alpha',
          table: 'letters',
          loadId: 'letters-1',
          mode: 'append',
          columns: [
            { name: 'letter', type: 'text' },
            { name: 'n', type: 'integer' },
          ],
        },
        rows(),
      );

      expect(result.rows).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
      expect(retry.alreadyApplied).toBe(true);
      expect((await second.getTable('alpha', 'letters')).rowCount).toBe(2);
    } finally {
      await second.close();
    }
  });
});
