/** Code for the reason the reader stopped; a problem with one record is a `RowError` instead. */
export type FileReaderErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_TEXT'
  | 'RECORD_TOO_LARGE'
  | 'INVALID_JSON'
  | 'UNSUPPORTED_FORMAT'
  | 'ALREADY_READ';

/** The one error type this library throws; `code` is stable, `message` names the value and the fix. */
export class FileReaderError extends Error {
  override readonly name = 'FileReaderError';

  constructor(
    readonly code: FileReaderErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
