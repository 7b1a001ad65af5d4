import { type Document } from 'bson';

/**
 * A command failure that the server reports as `{ ok: 0, errmsg, code,
 * codeName }`, with the code and name that mongod uses for the same case
 * (MongoDB's `error_codes.yml`), so driver code that checks codes behaves alike.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName };
  }
}

export const ERROR_CODES = {
  BadValue: 2,
  FailedToParse: 9,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  IndexNotFound: 27,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
} as const;

export type ErrorCodeName = keyof typeof ERROR_CODES;

export function commandError(codeName: ErrorCodeName, message: string): CommandError {
  return new CommandError(ERROR_CODES[codeName], codeName, message);
}
