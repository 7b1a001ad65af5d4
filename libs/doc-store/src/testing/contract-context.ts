import { createHash, randomBytes } from 'node:crypto';
import { type Readable } from 'node:stream';

import { type DocStore, type JsonMap } from '../doc-store';
import { DOC_STORE_ERROR_STATUS, DocStoreError, type DocStoreErrorCode } from '../doc-store.errors';

/** Backend under test and helpers, shared by the parts of the contract suite. */
export interface ContractContext {
  /** The backend, created once per suite in `beforeAll`. */
  store(): DocStore;
  /** Returns a name no other test or run uses, so tests can share one backend (and a cloud project). */
  unique(prefix: string): string;
  /** The blob size limit the backend was created with. */
  maxBlobBytes: number;
}

export function createContext(store: () => DocStore, maxBlobBytes: number): ContractContext {
  const run = randomBytes(4).toString('hex');
  let counter = 0;

  return {
    store,
    unique: (prefix) => `${prefix}_${run}_${++counter}`,
    maxBlobBytes,
  };
}

/** Awaits a call that must fail with a `DocStoreError` of `code` and the matching HTTP status; returns the error. */
export async function expectDocStoreError(
  call: Promise<unknown>,
  code: DocStoreErrorCode,
): Promise<DocStoreError> {
  const outcome = await call.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );

  if (outcome.resolved) {
    throw new Error(
      `Expected the call to fail with ${code}, but it resolved with ${JSON.stringify(outcome.value)}.`,
    );
  }

  expect(outcome.error).toBeInstanceOf(DocStoreError);

  const error = outcome.error as DocStoreError;

  expect(error.code).toBe(code);
  expect(error.status).toBe(DOC_STORE_ERROR_STATUS[code]);

  return error;
}

/**
 * Returns `{ text: "x…" }` whose size in the store's own measure
 * (`measureDocument`) is exactly `size` bytes, so each backend is tested
 * at its own limit.
 */
export function dataOfSize(store: DocStore, collection: string, id: string, size: number): JsonMap {
  const overhead = store.measureDocument(collection, id, { text: '' }).size;
  const data = { text: 'x'.repeat(size - overhead) };

  // One ASCII character adds one byte in every measure that the backends use.
  expect(store.measureDocument(collection, id, data).size).toBe(size);

  return data;
}

export async function readStream(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];

  for await (const chunk of stream) {
    chunks.push(Buffer.from(chunk as Uint8Array));
  }

  return Buffer.concat(chunks);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
