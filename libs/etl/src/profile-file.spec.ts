import { EtlError } from './etl.error';
import { type ReadProgressEvent } from './etl.types';
import { profileFile } from './profile-file';
import { generateCsv, newCounter } from './testing/generated-csv';

describe('profileFile', () => {
  it('reads only the sample of a large file and reports progress', async () => {
    const counter = newCounter();
    const progress: ReadProgressEvent[] = [];
    const profile = await profileFile(generateCsv({ rows: 100_000 }, counter), {
      onProgress: (event) => progress.push(event),
      sample: { maxRows: 2500 },
      read: { chunkRows: 1000 },
    });

    expect(profile).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ',', header: true, sampledRows: 2500, complete: false });
    expect(profile.columns.map((column) => [column.name, column.inferredType, column.position])).toEqual([
      ['id', 'integer', 1],
      ['name', 'text', 2],
      ['amount', 'float', 3],
      ['day', 'date', 4],
      ['note', 'text', 5],
    ]);
    expect(profile.columns[1]).toMatchObject({ nullCount: 0, distinctEstimate: 997, sample: ['name_1', 'name_2', 'name_3', 'name_4', 'name_5'] });
    expect(profile.rows).toHaveLength(100);
    expect(profile.rows[0]).toEqual({ id: '1', name: 'name_1', amount: '0.25', day: '2024-02-02', note: 'note 1, with a comma' });
    expect(counter.rows).toBeLessThan(10_000);
    expect(counter.closed).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)?.rowsRead).toBeGreaterThanOrEqual(2500);

    for (let index = 1; index < progress.length; index += 1) {
      expect(progress[index].bytesRead).toBeGreaterThanOrEqual(progress[index - 1].bytesRead);
    }
  });

  it('keys rows by unique column names', async () => {
    const profile = await profileFile(['__proto__,a,a,\n1,2,3,4\n']);

    expect(profile.columns.map((column) => [column.name, column.label])).toEqual([
      ['proto', '__proto__'],
      ['a', 'a'],
      ['a_2', 'a'],
      ['column_4', ''],
    ]);
    expect(profile.rows).toEqual([{ proto: '1', a: '2', a_2: '3', column_4: '4' }]);
    expect(profile.complete).toBe(true);
  });

  it('writes big JSON integers in raw rows as strings', async () => {
    const profile = await profileFile(['[{"id": 9007199254740993, "tags": [{"n": 12345678901234567890}]}]']);

    expect(profile.format).toBe('json');
    expect(profile.rows).toEqual([{ id: '9007199254740993', tags: [{ n: '12345678901234567890' }] }]);
    expect(JSON.parse(JSON.stringify(profile.rows))).toEqual(profile.rows);
  });

  it('names columns after the existing table', async () => {
    const profile = await profileFile(['Cost Total $,Note\n5,x\n'], {
      existingColumns: [{ id: 'f_00000001', name: 'total_cost', label: 'Cost Total $', type: 'float' }],
    });

    expect(profile.columns.map((column) => [column.name, column.columnId])).toEqual([
      ['total_cost', 'f_00000001'],
      ['note', null],
    ]);
  });

  it('describes an empty file with no columns', async () => {
    const profile = await profileFile([]);

    expect(profile).toMatchObject({ columns: [], rows: [], sampledRows: 0, complete: true });
  });

  it('reports a file it cannot read as READ_FAILED', async () => {
    const error = await profileFile(['{\n"a": 1}\n']).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(EtlError);
    expect(error).toMatchObject({ code: 'READ_FAILED' });
  });

  it('stops when the signal fires and closes the source', async () => {
    const counter = newCounter();
    const controller = new AbortController();

    controller.abort();

    const error = await profileFile(generateCsv({ rows: 10 }, counter), { signal: controller.signal }).catch(
      (thrown: unknown) => thrown,
    );

    expect(error).toMatchObject({ code: 'ABORTED' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(counter.closed).toBe(true);
  });
});
