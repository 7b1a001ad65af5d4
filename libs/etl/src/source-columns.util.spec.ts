import { type InferredColumn, type OutputColumn, type TransformSpec } from '@rokks/transform';

import { nameSourceColumns, toInputColumns, toLoadColumns } from './source-columns.util';

function inferred(name: string, partial: Partial<InferredColumn> = {}): InferredColumn {
  return {
    name,
    inferredType: 'text',
    castOptions: {},
    nullCount: 0,
    distinctEstimate: 0,
    sample: [],
    ambiguous: false,
    alternatives: [],
    ...partial,
  };
}

describe('nameSourceColumns', () => {
  it('derives logical names and keeps headers as labels', () => {
    expect(nameSourceColumns(['Cost Total $', '', 'email', 'email'])).toEqual([
      { position: 1, label: 'Cost Total $', name: 'cost_total', columnId: null, existingType: null },
      { position: 2, label: '', name: 'column_2', columnId: null, existingType: null },
      { position: 3, label: 'email', name: 'email', columnId: null, existingType: null },
      { position: 4, label: 'email', name: 'email_2', columnId: null, existingType: null },
    ]);
  });

  it('maps onto existing columns by label, then by name', () => {
    const existing = [
      { id: 'f_00000001', name: 'total_cost', label: 'Cost Total $', type: 'integer' as const },
      { id: 'f_00000002', name: 'item', label: 'Item name', type: 'text' as const },
    ];

    expect(nameSourceColumns(['item', 'Cost Total $', 'Extra'], existing)).toEqual([
      { position: 1, label: 'item', name: 'item', columnId: 'f_00000002', existingType: 'text' },
      { position: 2, label: 'Cost Total $', name: 'total_cost', columnId: 'f_00000001', existingType: 'integer' },
      { position: 3, label: 'Extra', name: 'extra', columnId: null, existingType: null },
    ]);
  });
});

describe('toInputColumns', () => {
  it('uses the existing type, with the cast options inferred for it', () => {
    const columns = nameSourceColumns(['when', 'amount', 'note'], [
      { id: 'f_00000001', name: 'when', label: 'when', type: 'timestamptz' },
      { id: 'f_00000002', name: 'amount', label: 'amount', type: 'float' },
    ]);
    const inputs = toInputColumns(columns, [
      inferred('when', {
        inferredType: 'integer',
        alternatives: [{ type: 'timestamptz', castOptions: { format: 'epoch_s' } }],
      }),
      inferred('amount', { inferredType: 'integer', castOptions: { thousandsSeparator: ',' } }),
      inferred('note', { inferredType: 'date', castOptions: { format: 'dd/MM/yyyy' } }),
    ]);

    expect(inputs).toEqual([
      { name: 'when', type: 'timestamptz', castOptions: { format: 'epoch_s' } },
      { name: 'amount', type: 'float', castOptions: {} },
      { name: 'note', type: 'date', castOptions: { format: 'dd/MM/yyyy' } },
    ]);
  });
});

describe('toLoadColumns', () => {
  const source = nameSourceColumns(['Full Name', 'Cost Total $', 'Qty']);

  function label(spec: TransformSpec, output: OutputColumn[]): [string, string][] {
    return toLoadColumns(spec, source, output).map((column) => [column.name, column.label]);
  }

  it('follows renames, including a chain', () => {
    const spec: TransformSpec = {
      steps: [
        { op: 'rename', from: 'cost_total', to: 'cost' },
        { op: 'rename', from: 'cost', to: 'total' },
      ],
    };

    expect(label(spec, [{ name: 'total', type: 'integer' }])).toEqual([['total', 'Cost Total $']]);
  });

  it('labels derived and split columns', () => {
    const spec: TransformSpec = {
      steps: [
        { op: 'derive', column: 'qty', expr: 'qty + 1' },
        { op: 'derive', column: 'twice', expr: 'qty * 2' },
        { op: 'split', column: 'full_name', separator: ' ', into: ['first', 'full_name'] },
      ],
    };

    expect(
      label(spec, [
        { name: 'first', type: 'text' },
        { name: 'full_name', type: 'text' },
        { name: 'qty', type: 'integer' },
        { name: 'twice', type: 'integer' },
      ]),
    ).toEqual([
      ['first', 'first'],
      ['full_name', 'full_name'],
      ['qty', 'Qty'],
      ['twice', 'twice'],
    ]);
  });

  it('sets the id of an existing column with the same name', () => {
    const columns = toLoadColumns({ steps: [] }, source, [{ name: 'qty', type: 'integer' }], [
      { id: 'f_0000000a', name: 'qty', label: 'Quantity' },
    ]);

    expect(columns).toEqual([{ name: 'qty', label: 'Qty', type: 'integer', columnId: 'f_0000000a' }]);
  });
});
