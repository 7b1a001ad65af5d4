import { openTestEngine, type TestBackendKind, type TestEngine } from './testing/test-databases';

async function* chunks<T>(...items: T[]): AsyncIterable<T> {
  for (const item of items) {
    yield item;
  }
}

describe.each<TestBackendKind>(['postgres', 'pglite'])('SqlEngine on %s', (kind) => {
  let test: TestEngine;

  beforeAll(async () => {
    test = await openTestEngine(kind);
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it('creates, loads and queries a table', async () => {
    const { engine } = test;
    const result = await engine.load(
      {
        workspace: 'alpha',
        table: 'weather',
        loadId: 'load-1',
        mode: 'create',
        columns: [
          { name: 'day', type: 'date' },
          { name: 'city', type: 'text' },
          { name: 'temp', type: 'float' },
          { name: 'rain', type: 'integer' },
        ],
      },
      chunks([
        ['2024-01-01', 'Berlin', 1.5, 3n],
        ['2024-01-02', 'Berlin\ttab', -2, null],
      ]),
    );

    expect(result.rowsLoaded).toBe(2);

    const query = await engine.query({ workspace: 'alpha', userId: 'u1', sql: 'SELECT * FROM weather ORDER BY day' });

    expect(query).toEqual({
      columns: [
        { name: 'day', type: 'date' },
        { name: 'city', type: 'text' },
        { name: 'temp', type: 'float' },
        { name: 'rain', type: 'integer' },
      ],
      rows: [
        ['2024-01-01', 'Berlin', 1.5, 3],
        ['2024-01-02', 'Berlin\ttab', -2, null],
      ],
      rowCount: 2,
      truncated: false,
    });
  });
});
