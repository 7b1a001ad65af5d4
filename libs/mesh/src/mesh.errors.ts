export type MeshErrorCode =
  | 'INVALID_SERVICE_NAME'
  | 'INVALID_CERTIFICATE'
  | 'INVALID_PRIVATE_KEY'
  | 'INVALID_LIFETIME'
  | 'INSECURE_URL';

/** Error raised by `@rokks/mesh`; `code` is stable, the message is for people. */
export class MeshError extends Error {
  override readonly name = 'MeshError';

  constructor(
    readonly code: MeshErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
