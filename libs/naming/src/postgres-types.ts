import type { ColumnType } from '@rokks/transform';

import { describeValue, NamingError } from './naming.exception';

/** The PostgreSQL column type each transform column type is stored as. */
export const POSTGRES_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'text',
  integer: 'bigint',
  float: 'double precision',
  numeric: 'numeric',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  json: 'jsonb',
};

/** Returns the PostgreSQL type for a transform column type; throws `UNKNOWN_COLUMN_TYPE` for any other value. */
export function toPostgresType(type: ColumnType): string {
  if (typeof type !== 'string' || !Object.hasOwn(POSTGRES_TYPES, type)) {
    throw new NamingError(
      'UNKNOWN_COLUMN_TYPE',
      `unknown column type ${describeValue(type)}: expected one of ${Object.keys(POSTGRES_TYPES).join(', ')}`,
    );
  }

  return POSTGRES_TYPES[type];
}
