import { calculateObjectSize, type Document, Long } from 'bson';

import { commandError } from './command-error';

/** First batch size when the command sets none, as mongod does. */
const DEFAULT_FIRST_BATCH = 101;

/** Reply size at which a batch stops growing, as mongod does (16 MiB). */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

interface OpenCursor {
  namespace: string;
  documents: Document[];
  position: number;
}

/**
 * Open cursors of the server. A cursor keeps the whole result, computed when
 * it opened, and returns it in batches through `getMore`.
 */
export class WireCursorRegistry {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1;

  get openCount(): number {
    return this.cursors.size;
  }

  /** Returns the `cursor` field of a find or aggregate reply, opening a cursor when more results remain. */
  open(
    namespace: string,
    documents: Document[],
    options: { batchSize?: number; singleBatch?: boolean } = {},
  ): Document {
    const cursor: OpenCursor = { namespace, documents, position: 0 };
    const firstBatch = takeBatch(cursor, options.batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;

    if (cursor.position < documents.length && options.singleBatch !== true) {
      id = this.nextId++;
      this.cursors.set(String(id), cursor);
    }

    return { id: Long.fromNumber(id), ns: namespace, firstBatch };
  }

  /** Returns the `cursor` field of a getMore reply; the cursor closes after its last batch. */
  more(id: unknown, collection: string, batchSize: number | undefined): Document {
    const key = String(id);
    const cursor = this.cursors.get(key);

    if (cursor === undefined) {
      throw commandError('CursorNotFound', `cursor id ${key} not found`);
    }

    if (!cursor.namespace.endsWith(`.${collection}`)) {
      throw commandError(
        'BadValue',
        `getMore of cursor ${key} names collection ${collection}, but the cursor belongs to ${cursor.namespace}`,
      );
    }

    const nextBatch = takeBatch(cursor, batchSize ?? Number.MAX_SAFE_INTEGER);
    const exhausted = cursor.position >= cursor.documents.length;

    if (exhausted) {
      this.cursors.delete(key);
    }

    return { id: Long.fromNumber(exhausted ? 0 : Number(key)), ns: cursor.namespace, nextBatch };
  }

  /** Closes cursors; returns the ids that were open and those that were not. */
  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];

    for (const id of ids) {
      const key = String(id);

      (this.cursors.delete(key) ? killed : notFound).push(Long.fromString(key));
    }

    return { killed, notFound };
  }

  clear(): void {
    this.cursors.clear();
  }
}

/** Takes up to `count` documents, stopping early at 16 MiB but always taking at least one. */
function takeBatch(cursor: OpenCursor, count: number): Document[] {
  const batch: Document[] = [];
  let bytes = 0;

  while (batch.length < count && cursor.position < cursor.documents.length) {
    const document = cursor.documents[cursor.position];
    const size = calculateObjectSize(document);

    if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) {
      break;
    }

    batch.push(document);
    bytes += size;
    cursor.position++;
  }

  return batch;
}
