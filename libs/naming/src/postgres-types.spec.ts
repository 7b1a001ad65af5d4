import { COLUMN_TYPES, type ColumnType } from '@rokks/transform';

import { POSTGRES_TYPES, toPostgresType } from './postgres-types';

describe('toPostgresType', () => {
  it.each([
    ['text', 'text'],
    ['integer', 'bigint'],
    ['float', 'double precision'],
    ['numeric', 'numeric'],
    ['boolean', 'boolean'],
    ['date', 'date'],
    ['timestamp', 'timestamp'],
    ['timestamptz', 'timestamptz'],
    ['json', 'jsonb'],
  ] as const)('maps %s to %s', (type, expected) => {
    expect(toPostgresType(type)).toBe(expected);
  });

  it('covers every transform column type', () => {
    expect(Object.keys(POSTGRES_TYPES).sort()).toEqual([...COLUMN_TYPES].sort());
  });

  it.each(['varchar', 'toString', '', 'TEXT'])('rejects %p', (type) => {
    expect(() => toPostgresType(type as ColumnType)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_COLUMN_TYPE' }) as Error,
    );
  });
});
