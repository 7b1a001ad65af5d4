import { mapHeadersToColumns, type ExistingColumn } from './column-mapping.util';

const existing: ExistingColumn[] = [
  { id: 'f_00000001', name: 'id', label: 'id' },
  { id: 'f_00000002', name: 'email', label: 'email' },
  { id: 'f_00000003', name: 'column_3', label: '' },
  { id: 'f_00000004', name: 'email_2', label: 'email' },
  { id: 'f_00000005', name: 'contact_email', label: 'Email' },
];

describe('mapHeadersToColumns', () => {
  it('maps the same headers to the same columns', () => {
    const result = mapHeadersToColumns(['id', 'email', '', 'email', 'Email'], existing);

    expect(result.headers.map((header) => header.columnId)).toEqual(
      existing.map((column) => column.id),
    );
    expect(result.headers.map((header) => header.name)).toEqual(
      existing.map((column) => column.name),
    );
    expect(result.headers.every((header) => header.matchedBy === 'label')).toBe(true);
    expect(result.unmatchedColumns).toEqual([]);
  });

  it('matches by label in any header order', () => {
    const result = mapHeadersToColumns(['Email', 'id'], existing);

    expect(result.headers.map((header) => header.columnId)).toEqual(['f_00000005', 'f_00000001']);
    expect(result.headers.map((header) => header.position)).toEqual([1, 2]);
    expect(result.unmatchedColumns.map((column) => column.id)).toEqual([
      'f_00000002',
      'f_00000003',
      'f_00000004',
    ]);
  });

  it('falls back to the logical name', () => {
    const result = mapHeadersToColumns(['ID', 'Contact-Email'], existing);

    expect(result.headers[0]).toEqual({
      position: 1,
      label: 'ID',
      name: 'id',
      columnId: 'f_00000001',
      matchedBy: 'name',
    });
    expect(result.headers[1].columnId).toBe('f_00000005');
    expect(result.headers[1].matchedBy).toBe('name');
  });

  it('prefers a label match over an earlier name match', () => {
    const columns: ExistingColumn[] = [
      { id: 'f_0000000a', name: 'total', label: 'Total' },
      { id: 'f_0000000b', name: 'sum', label: 'total' },
    ];
    const result = mapHeadersToColumns(['TOTAL', 'total'], columns);

    expect(result.headers.map((header) => header.columnId)).toEqual(['f_0000000a', 'f_0000000b']);
    expect(result.headers.map((header) => header.matchedBy)).toEqual(['name', 'label']);
  });

  it('matches each column at most once', () => {
    const result = mapHeadersToColumns(['id', 'id'], existing);

    expect(result.headers[0].columnId).toBe('f_00000001');
    expect(result.headers[1].columnId).toBeNull();
    expect(result.headers[1].name).toBe('id_2');
  });

  it('maps known headers and adds new ones', () => {
    const result = mapHeadersToColumns(
      ['id', 'Phone', 'column 3', 'contact email!'],
      [...existing.slice(0, 1), ...existing.slice(2)],
    );

    expect(result.headers.map((header) => [header.name, header.columnId])).toEqual([
      ['id', 'f_00000001'],
      ['phone', null],
      ['column_3', 'f_00000003'],
      ['contact_email', 'f_00000005'],
    ]);
  });

  it('keeps a new column name unique when an existing column holds it', () => {
    const columns: ExistingColumn[] = [{ id: 'f_0000000c', name: 'phone', label: 'Telephone' }];
    const result = mapHeadersToColumns(['Telephone', 'phone'], columns);

    expect(result.headers.map((header) => [header.name, header.columnId])).toEqual([
      ['phone', 'f_0000000c'],
      ['phone_2', null],
    ]);
  });

  it('returns the header text as the label', () => {
    const result = mapHeadersToColumns(['  New Header '], existing);

    expect(result.headers[0].label).toBe('  New Header ');
    expect(result.headers[0].name).toBe('new_header');
  });
});
