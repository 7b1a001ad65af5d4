import { readdirSync } from 'node:fs';
import path from 'node:path';

import { type JsonValue } from '@rokks/transform';

import { EtlError } from './etl.error';
import { previewFile } from './preview-file';
import { profileFile } from './profile-file';
import { runEtl } from './run-etl';
import { MemoryRejects } from './testing/memory-rejects';
import { RecordingLoadTarget } from './testing/recording-load-target';
import { SHARED_DATA, sharedFile } from './testing/shared-data.util';

const ragged = 'id,name,city\n1,Ana,Lisbon\n2,Bo,Oslo,extra\n3,Cy\n4,Di,Rome\n';
const numbers = 'id,amount\n1,1.5\n2,2.5\n3,3.5\n4,x\n5,5.5\n';
const castAmount = { op: 'cast', column: 'amount', type: 'float' };

describe('previewFile', () => {
  it('previews inline CSV text with the inferred types', async () => {
    const preview = await previewFile('id,amount,day\n1,1.5,2024-01-31\n2,,2024-02-01\n', { steps: [] });

    expect(preview).toEqual({
      columns: [
        { name: 'id', label: 'id', type: 'integer' },
        { name: 'amount', label: 'amount', type: 'float' },
        { name: 'day', label: 'day', type: 'date' },
      ],
      rows: [
        [1, 1.5, '2024-01-31'],
        [2, null, '2024-02-01'],
      ],
      errors: [],
      stats: { rowsIn: 2, rowsOut: 2, rowsRejected: 0, valuesNulled: 0 },
      failed: false,
      sampledRows: 2,
      complete: true,
    });
  });

  it('returns the first rows up to the limit and counts them all', async () => {
    const text = `n\n${Array.from({ length: 500 }, (_, index) => index).join('\n')}\n`;
    const preview = await previewFile(text, { steps: [{ op: 'filter', expr: 'n % 2 = 0' }] }, { limit: 3 });

    expect(preview.rows).toEqual([[0], [2], [4]]);
    expect(preview.stats).toEqual({ rowsIn: 500, rowsOut: 250, rowsRejected: 0, valuesNulled: 0 });
  });

  it('lists rejected rows with their lines under reject-row', async () => {
    const preview = await previewFile(numbers, { steps: [castAmount], onError: 'reject-row' });

    expect(preview.rows).toEqual([
      [1, 1.5],
      [2, 2.5],
      [3, 3.5],
      [5, 5.5],
    ]);
    expect(preview.errors).toEqual([
      { row: 5, line: 5, column: 'amount', value: 'x', message: 'cannot read as float: not a number', record: null },
    ]);
    expect(preview.stats.rowsRejected).toBe(1);
  });

  it('lists nulled values under null, up to maxErrors', async () => {
    const preview = await previewFile(ragged, { steps: [], onError: 'null' }, { maxErrors: 1 });

    expect(preview.rows).toEqual([
      [1, 'Ana', 'Lisbon'],
      [2, 'Bo', 'Oslo'],
      [3, 'Cy', null],
      [4, 'Di', 'Rome'],
    ]);
    expect(preview.errors).toEqual([
      { row: 3, line: 3, column: null, value: null, message: 'row has 4 values, expected 3', record: '2,Bo,Oslo,extra' },
    ]);
    expect(preview.stats).toEqual({ rowsIn: 4, rowsOut: 4, rowsRejected: 0, valuesNulled: 2 });
  });

  it('stops at the first problem under fail', async () => {
    const preview = await previewFile(numbers, { steps: [castAmount] });

    expect(preview.failed).toBe(true);
    expect(preview.rows).toEqual([]);
    expect(preview.errors).toEqual([
      { row: 5, line: 5, column: 'amount', value: 'x', message: 'cannot read as float: not a number', record: null },
    ]);
  });

  it('raises INVALID_SPEC with every spec error', async () => {
    const error = await previewFile(numbers, { steps: [{ op: 'drop', columns: ['amout'] }, { op: 'nope' }] }).catch(
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).code).toBe('INVALID_SPEC');
    expect((error as EtlError).specErrors.length).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [{ limit: -1 }, 'limit must be a non-negative integer, got -1'],
    [{ maxErrors: 2.5 }, 'maxErrors must be a non-negative integer, got 2.5'],
  ])('rejects options %j', async (options, message) => {
    await expect(previewFile(numbers, { steps: [] }, options)).rejects.toThrow(new EtlError('INVALID_OPTIONS', message));
  });
});

describe('preview and load agree', () => {
  const policies = ['fail', 'reject-row', 'null'] as const;
  const files = readdirSync(path.join(SHARED_DATA, 'cases')).filter((name) => name.endsWith('.csv'));

  const cases = files.flatMap((file) => policies.flatMap((policy) => [[file, policy, false] as const, [file, policy, true] as const]));

  // With `cast`, the first column is cast to integer, which most cases' first columns fail.
  it.each(cases)('%s under %s (cast: %s)', async (file, policy, cast) => {
    const source = sharedFile('cases', file);
    const first = (await profileFile(source())).columns[0].name;
    const spec = { steps: cast ? [{ op: 'cast', column: first, type: 'integer' }] : [], onError: policy };
    const preview = await previewFile(source(), spec, { limit: 10_000, maxErrors: 10_000 });
    const target = new RecordingLoadTarget();
    const rejects = new MemoryRejects();
    const loaded = await runEtl({
      source,
      spec,
      target: { table: 'agree', mode: 'create' },
      loadTarget: target,
      loadId: 'agree',
      rejects,
    }).catch((error: unknown) => error);
    const [load] = target.loads;

    if (preview.failed) {
      expect(loaded).toBeInstanceOf(EtlError);
      expect((loaded as EtlError).problems).toEqual(preview.errors);
      expect(load.state).toBe('aborted');

      return;
    }

    expect(load.state).toBe('committed');
    expect(load.rows).toEqual(preview.rows.map((row) => row.map(toCopyField)));
    expect(load.request.columns.map(({ name, label, type }) => ({ name, label, type }))).toEqual(preview.columns);
    expect(loaded).toMatchObject({ rowsLoaded: preview.stats.rowsOut, rowsRejected: preview.stats.rowsRejected });
    expect(rejectedLines(rejects)).toEqual(policy === 'reject-row' ? preview.errors.map((error) => error.line) : []);
  });

  function toCopyField(value: JsonValue): string | null {
    if (value === null) {
      return null;
    }

    if (typeof value === 'boolean') {
      return value ? 't' : 'f';
    }

    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  function rejectedLines(rejects: MemoryRejects): (number | null)[] {
    const text = rejects.files.get('rejects-1');

    return text === undefined ? [] : text.trim().split('\n').slice(1).map((line) => Number(line.split(',')[0]));
  }
});
