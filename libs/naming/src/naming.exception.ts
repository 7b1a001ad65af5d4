/** Code for the reason a naming or SQL-building call rejected its input. */
export type NamingErrorCode =
  | 'INVALID_TABLE_ID'
  | 'INVALID_COLUMN_ID'
  | 'INVALID_IDENTIFIER'
  | 'INVALID_LITERAL'
  | 'INVALID_DEFINITION'
  | 'UNKNOWN_COLUMN_TYPE'
  | 'COLUMN_ID_SPACE_EXHAUSTED'
  | 'RANDOM_SOURCE_MISSING';

/** The one error type this library throws; `code` is stable, `message` names the offending value. */
export class NamingError extends Error {
  override readonly name = 'NamingError';

  constructor(
    readonly code: NamingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Renders a value for an error message so that control characters and quotes stay visible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }

  if (value === undefined) {
    return 'undefined';
  }

  return JSON.stringify(value) ?? String(value);
}
