import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

import {
  compareValues,
  isNaNValue,
  parseFieldPath,
  type PlainValue,
  plainFields,
  plainValue,
  type ProtoValue,
  setValueAt,
  valueAt,
  valuesEqual,
  valueTypeClass,
} from './loopback-firestore-values';

// gRPC status codes (google.rpc.Code).
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;
const ABORTED = 10;
const UNIMPLEMENTED = 12;
const INVALID_ARGUMENT = 3;
const INTERNAL = 13;

/** Time a transaction may hold the write lock without committing or rolling back before the server drops it. */
const TRANSACTION_LEASE_MS = 60_000;

interface Timestamp {
  seconds: number;
  nanos: number;
}

interface StoredDocument {
  name: string;
  fields: Record<string, PlainValue>;
  createTime: Timestamp;
  updateTime: Timestamp;
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  get details(): string {
    return this.message;
  }
}

// Minimal views of the generated request messages of @firestore-emulator/proto.
interface ProtoDocument {
  name: string;
  fields: Map<string, ProtoValue>;
}

interface ProtoPrecondition {
  has_exists: boolean;
  exists: boolean;
  has_update_time: boolean;
  update_time: Timestamp;
}

interface ProtoWrite {
  has_update: boolean;
  update: ProtoDocument;
  has_delete: boolean;
  delete: string;
  has_transform: boolean;
  has_update_mask: boolean;
  update_mask: { field_paths: string[] };
  update_transforms: unknown[];
  has_current_document: boolean;
  current_document: ProtoPrecondition;
}

interface ProtoTransactionOptions {
  has_read_only: boolean;
}

interface ProtoFieldReference {
  field_path: string;
}

interface ProtoFilter {
  has_composite_filter: boolean;
  composite_filter: { op: number; filters: ProtoFilter[] };
  has_field_filter: boolean;
  field_filter: { field: ProtoFieldReference; op: number; value: ProtoValue };
  has_unary_filter: boolean;
  unary_filter: { op: number; field: ProtoFieldReference };
}

interface ProtoCursor {
  values: ProtoValue[];
  before: boolean;
}

interface ProtoStructuredQuery {
  from: { collection_id: string; all_descendants: boolean }[];
  has_where: boolean;
  where: ProtoFilter;
  order_by: { field: ProtoFieldReference; direction: number }[];
  has_start_at: boolean;
  start_at: ProtoCursor;
  has_end_at: boolean;
  end_at: ProtoCursor;
  offset: number;
  has_limit: boolean;
  limit: { value: number };
}

interface ReadConsistency {
  consistency_selector: string;
  transaction: Uint8Array;
  has_new_transaction?: boolean;
  new_transaction?: ProtoTransactionOptions;
}

interface StreamCall<TRequest> {
  request: TRequest;
  write(message: unknown): boolean;
  end(): void;
  emit(event: 'error', error: unknown): boolean;
}

interface UnaryCall<TRequest> {
  request: TRequest;
}

type UnaryCallback = (error: RpcError | null, response?: unknown) => void;

interface MessageClass {
  fromObject(data: unknown): unknown;
}

interface GrpcServer {
  addService(definition: unknown, implementation: Record<string, unknown>): void;
  bindAsync(
    address: string,
    credentials: unknown,
    callback: (error: Error | null, port: number) => void,
  ): void;
  forceShutdown(): void;
}

// Directions and operators of google.firestore.v1.StructuredQuery.
const DESCENDING = 2;
const AND = 1;
const FIELD_OPERATORS = {
  lessThan: 1,
  lessThanOrEqual: 2,
  greaterThan: 3,
  greaterThanOrEqual: 4,
  equal: 5,
  notEqual: 6,
  arrayContains: 7,
  in: 8,
  arrayContainsAny: 9,
  notIn: 10,
} as const;
const UNARY_OPERATORS = { isNaN: 2, isNull: 3, isNotNaN: 4, isNotNull: 5 } as const;
const INEQUALITY_OPERATORS = new Set<number>([
  FIELD_OPERATORS.lessThan,
  FIELD_OPERATORS.lessThanOrEqual,
  FIELD_OPERATORS.greaterThan,
  FIELD_OPERATORS.greaterThanOrEqual,
  FIELD_OPERATORS.notEqual,
  FIELD_OPERATORS.notIn,
]);

interface SortedDocument {
  document: StoredDocument;
  /** Values of the sort keys, in order. */
  values: PlainValue[];
}

interface SortKey {
  segments: string[] | null;
  descending: boolean;
}

function parentPath(name: string): string {
  return name.slice(0, name.lastIndexOf('/'));
}

function fieldValue(document: StoredDocument, segments: string[] | null): PlainValue | undefined {
  return segments === null
    ? { reference_value: document.name }
    : valueAt(document.fields, segments);
}

function fieldSegments(path: string): string[] | null {
  return path === '__name__' ? null : parseFieldPath(path);
}

function matchesFieldFilter(
  value: PlainValue | undefined,
  operator: number,
  operand: PlainValue,
): boolean {
  if (value === undefined) {
    return false;
  }

  const operandList = 'array_value' in operand ? operand.array_value.values : [];
  const elements = 'array_value' in value ? value.array_value.values : [];

  switch (operator) {
    case FIELD_OPERATORS.lessThan:
    case FIELD_OPERATORS.lessThanOrEqual:
    case FIELD_OPERATORS.greaterThan:
    case FIELD_OPERATORS.greaterThanOrEqual: {
      if (valueTypeClass(value) !== valueTypeClass(operand) || isNaNValue(value)) {
        return false;
      }

      const order = compareValues(value, operand);

      if (operator === FIELD_OPERATORS.lessThan) {
        return order < 0;
      }

      if (operator === FIELD_OPERATORS.lessThanOrEqual) {
        return order <= 0;
      }

      return operator === FIELD_OPERATORS.greaterThan ? order > 0 : order >= 0;
    }

    case FIELD_OPERATORS.equal:
      return valuesEqual(value, operand);

    case FIELD_OPERATORS.notEqual:
      return !('null_value' in value) && !valuesEqual(value, operand);

    case FIELD_OPERATORS.arrayContains:
      return elements.some((element) => valuesEqual(element, operand));

    case FIELD_OPERATORS.in:
      return operandList.some((candidate) => valuesEqual(value, candidate));

    case FIELD_OPERATORS.arrayContainsAny:
      return elements.some((element) =>
        operandList.some((candidate) => valuesEqual(element, candidate)),
      );

    case FIELD_OPERATORS.notIn:
      return (
        !('null_value' in value) && !operandList.some((candidate) => valuesEqual(value, candidate))
      );

    default:
      throw new RpcError(INVALID_ARGUMENT, `Unknown field filter operator ${operator}.`);
  }
}

function matchesFilter(document: StoredDocument, filter: ProtoFilter): boolean {
  if (filter.has_composite_filter) {
    const results = filter.composite_filter.filters.map((inner) => matchesFilter(document, inner));

    return filter.composite_filter.op === AND ? results.every(Boolean) : results.some(Boolean);
  }

  if (filter.has_field_filter) {
    const { field, op, value } = filter.field_filter;

    return matchesFieldFilter(
      fieldValue(document, fieldSegments(field.field_path)),
      op,
      plainValue(value),
    );
  }

  if (filter.has_unary_filter) {
    const value = fieldValue(document, fieldSegments(filter.unary_filter.field.field_path));

    if (value === undefined) {
      return false;
    }

    switch (filter.unary_filter.op) {
      case UNARY_OPERATORS.isNull:
        return 'null_value' in value;

      case UNARY_OPERATORS.isNotNull:
        return !('null_value' in value);

      case UNARY_OPERATORS.isNaN:
        return isNaNValue(value);

      case UNARY_OPERATORS.isNotNaN:
        return !isNaNValue(value) && !('null_value' in value);

      default:
        throw new RpcError(
          INVALID_ARGUMENT,
          `Unknown unary filter operator ${filter.unary_filter.op}.`,
        );
    }
  }

  return true;
}

/** Field paths of the inequality filters, which Firestore sorts by after the explicit orderBy. */
function inequalityFields(filter: ProtoFilter, paths: Set<string>): Set<string> {
  if (filter.has_composite_filter) {
    filter.composite_filter.filters.forEach((inner) => inequalityFields(inner, paths));
  } else if (filter.has_field_filter && INEQUALITY_OPERATORS.has(filter.field_filter.op)) {
    paths.add(filter.field_filter.field.field_path);
  } else if (
    filter.has_unary_filter &&
    (filter.unary_filter.op === UNARY_OPERATORS.isNotNull ||
      filter.unary_filter.op === UNARY_OPERATORS.isNotNaN)
  ) {
    paths.add(filter.unary_filter.field.field_path);
  }

  return paths;
}

/**
 * Returns the full sort order of a query: the explicit orderBy, then the
 * inequality fields that it leaves out (in field path order), then the
 * document name in the direction of the last explicit field.
 */
function sortKeys(query: ProtoStructuredQuery): SortKey[] {
  const keys: SortKey[] = query.order_by.map((order) => ({
    segments: fieldSegments(order.field.field_path),
    descending: order.direction === DESCENDING,
  }));
  const ordered = new Set(query.order_by.map((order) => order.field.field_path));
  const inequalities = query.has_where
    ? inequalityFields(query.where, new Set())
    : new Set<string>();

  for (const path of [...inequalities].sort()) {
    if (!ordered.has(path) && path !== '__name__') {
      keys.push({ segments: fieldSegments(path), descending: false });
    }
  }

  if (!ordered.has('__name__')) {
    keys.push({ segments: null, descending: keys.at(-1)?.descending ?? false });
  }

  return keys;
}

/**
 * Compares two documents by their sort values, or a document with a
 * cursor, which may hold fewer values than the sort order has keys.
 */
function compareSortValues(keys: SortKey[], left: PlainValue[], right: PlainValue[]): number {
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const order = compareValues(left[index], right[index]);

    if (order !== 0) {
      return keys[index].descending ? -order : order;
    }
  }

  return 0;
}

function plainList(values: ProtoValue[]): PlainValue[] {
  return values.map(plainValue);
}

/**
 * A Firestore server for tests, in this process on 127.0.0.1, speaking the
 * Firestore v1 gRPC API with the generated messages of
 * `@firestore-emulator/proto`. It serves what the Firestore backend sends:
 * BatchGetDocuments, RunQuery (field, unary and composite filters, orderBy
 * with `__name__`, cursors, offset and limit), BeginTransaction, Commit
 * (updates with or without a mask, deletes, preconditions) and Rollback.
 * Other calls fail with UNIMPLEMENTED.
 *
 * Read-write transactions are serialized by one lock, taken at the
 * transaction's first read and released at its commit or rollback, so
 * concurrent transactions see each other's writes as on Firestore, where
 * locks do the same.
 * NOTE: collection group queries, field transforms and read times in the
 * past are not served, Firestore's size limits are not enforced, and no
 * composite index is ever required.
 */
export class LoopbackFirestore {
  private readonly collections = new Map<string, Map<string, StoredDocument>>();
  private lockHolder: string | null = null;
  private lockTimer: NodeJS.Timeout | null = null;
  private readonly lockQueue: (() => void)[] = [];
  private lastCommit = 0;

  private constructor(
    private readonly server: GrpcServer,
    private readonly messages: Record<string, MessageClass>,
    readonly host: string,
  ) {}

  /** Starts the server on a free port of 127.0.0.1. */
  static async start(): Promise<LoopbackFirestore> {
    // The server and its credentials must come from one copy of @grpc/grpc-js: the emulator package's.
    const packageRequire = createRequire(
      createRequire(__filename).resolve('@firestore-emulator/server'),
    );
    const grpc = packageRequire('@grpc/grpc-js') as {
      Server: new () => GrpcServer;
      ServerCredentials: { createInsecure(): unknown };
    };
    const protoRequire = createRequire(
      packageRequire.resolve('@firestore-emulator/proto/package.json'),
    );
    const firestoreMessages = protoRequire('./dist/google/firestore/v1/firestore.js') as Record<
      string,
      MessageClass & { definition?: unknown }
    >;
    const emptyMessages = protoRequire('./dist/google/protobuf/empty.js') as Record<
      string,
      MessageClass
    >;
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(error),
      );
    });
    const firestore = new LoopbackFirestore(
      server,
      { ...firestoreMessages, Empty: emptyMessages.Empty },
      `127.0.0.1:${port}`,
    );

    server.addService(
      firestoreMessages.UnimplementedFirestoreService.definition,
      firestore.handlers(),
    );

    return firestore;
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();

    if (this.lockTimer !== null) {
      clearTimeout(this.lockTimer);
    }
  }

  private handlers(): Record<string, unknown> {
    return {
      BatchGetDocuments: (call: StreamCall<ReadConsistency & { documents: string[] }>) =>
        this.stream(call, () => this.batchGet(call)),
      RunQuery: (
        call: StreamCall<
          ReadConsistency & { parent: string; structured_query: ProtoStructuredQuery }
        >,
      ) => this.stream(call, () => this.runQuery(call)),
      BeginTransaction: (
        call: UnaryCall<{ options: ProtoTransactionOptions; has_options: boolean }>,
        callback: UnaryCallback,
      ) =>
        this.unary(callback, async () => {
          const transaction = await this.begin(
            call.request.has_options ? call.request.options : null,
          );

          return this.message('BeginTransactionResponse', { transaction });
        }),
      Commit: (
        call: UnaryCall<{ writes: ProtoWrite[]; transaction: Uint8Array }>,
        callback: UnaryCallback,
      ) =>
        this.unary(callback, async () =>
          this.commit(call.request.writes, call.request.transaction),
        ),
      Rollback: (call: UnaryCall<{ transaction: Uint8Array }>, callback: UnaryCallback) =>
        this.unary(callback, async () => {
          this.release(Buffer.from(call.request.transaction).toString('hex'));

          return this.message('Empty', {});
        }),
    };
  }

  private message(type: string, data: unknown): unknown {
    return this.messages[type].fromObject(data);
  }

  private stream<T>(call: StreamCall<T>, run: () => Promise<void>): void {
    run().then(
      () => call.end(),
      (error: unknown) => call.emit('error', toRpcError(error)),
    );
  }

  private unary(callback: UnaryCallback, run: () => Promise<unknown>): void {
    run().then(
      (response) => callback(null, response),
      (error: unknown) => callback(toRpcError(error)),
    );
  }

  /** Starts a transaction; a read-write one waits for the lock. Returns its id. */
  private async begin(options: ProtoTransactionOptions | null): Promise<Uint8Array> {
    const id = randomBytes(16);

    if (options?.has_read_only !== true) {
      await this.acquire(id.toString('hex'));
    }

    return id;
  }

  private async acquire(id: string): Promise<void> {
    while (this.lockHolder !== null) {
      await new Promise<void>((resolve) => this.lockQueue.push(resolve));
    }

    this.lockHolder = id;
    // A client that gave up on a transaction without a rollback must not block the others forever.
    this.lockTimer = setTimeout(() => this.release(id), TRANSACTION_LEASE_MS);
    this.lockTimer.unref();
  }

  private release(id: string): void {
    if (this.lockHolder !== id) {
      return;
    }

    this.lockHolder = null;

    if (this.lockTimer !== null) {
      clearTimeout(this.lockTimer);
      this.lockTimer = null;
    }

    this.lockQueue.shift()?.();
  }

  /** Returns the id of a new transaction that a read starts, or null. */
  private async startForRead(request: ReadConsistency): Promise<Uint8Array | null> {
    if (request.consistency_selector !== 'new_transaction') {
      return null;
    }

    return this.begin(request.new_transaction ?? null);
  }

  private readTime(): Timestamp {
    return toTimestamp(Date.now() * 1000);
  }

  private document(name: string): StoredDocument | undefined {
    return this.collections.get(parentPath(name))?.get(name);
  }

  private documentObject(document: StoredDocument): unknown {
    return {
      name: document.name,
      fields: document.fields,
      create_time: document.createTime,
      update_time: document.updateTime,
    };
  }

  private async batchGet(
    call: StreamCall<ReadConsistency & { documents: string[] }>,
  ): Promise<void> {
    const transaction = await this.startForRead(call.request);
    const readTime = this.readTime();

    call.request.documents.forEach((name, index) => {
      const document = this.document(name);

      call.write(
        this.message('BatchGetDocumentsResponse', {
          ...(document === undefined
            ? { missing: name }
            : { found: this.documentObject(document) }),
          read_time: readTime,
          ...(index === 0 && transaction !== null ? { transaction } : {}),
        }),
      );
    });

    if (call.request.documents.length === 0 && transaction !== null) {
      call.write(this.message('BatchGetDocumentsResponse', { transaction, read_time: readTime }));
    }
  }

  private async runQuery(
    call: StreamCall<ReadConsistency & { parent: string; structured_query: ProtoStructuredQuery }>,
  ): Promise<void> {
    const transaction = await this.startForRead(call.request);
    const readTime = this.readTime();
    const documents = this.query(call.request.parent, call.request.structured_query);

    documents.forEach((document, index) => {
      call.write(
        this.message('RunQueryResponse', {
          document: this.documentObject(document),
          read_time: readTime,
          ...(index === 0 && transaction !== null ? { transaction } : {}),
        }),
      );
    });

    call.write(
      this.message('RunQueryResponse', {
        read_time: readTime,
        done: true,
        ...(documents.length === 0 && transaction !== null ? { transaction } : {}),
      }),
    );
  }

  private query(parent: string, query: ProtoStructuredQuery): StoredDocument[] {
    if (query.from.length !== 1 || query.from[0].all_descendants) {
      throw new RpcError(
        UNIMPLEMENTED,
        'The loopback Firestore serves only queries of one collection, not collection groups.',
      );
    }

    const keys = sortKeys(query);
    const collection = this.collections.get(`${parent}/${query.from[0].collection_id}`);
    const matches: SortedDocument[] = [];

    // Firestore leaves out documents that lack a field of the sort order.
    for (const document of collection?.values() ?? []) {
      const values = keys.map((key) => fieldValue(document, key.segments));

      if (
        values.every((value): value is PlainValue => value !== undefined) &&
        (!query.has_where || matchesFilter(document, query.where))
      ) {
        matches.push({ document, values });
      }
    }

    matches.sort((left, right) => compareSortValues(keys, left.values, right.values));

    let selected = matches;

    if (query.has_start_at) {
      const cursor = plainList(query.start_at.values);
      const before = query.start_at.before;

      selected = selected.filter((match) => {
        const order = compareSortValues(keys, match.values, cursor);

        return before ? order >= 0 : order > 0;
      });
    }

    if (query.has_end_at) {
      const cursor = plainList(query.end_at.values);
      const before = query.end_at.before;

      selected = selected.filter((match) => {
        const order = compareSortValues(keys, match.values, cursor);

        return before ? order < 0 : order <= 0;
      });
    }

    selected = selected.slice(query.offset);

    return (query.has_limit ? selected.slice(0, query.limit.value) : selected).map(
      (match) => match.document,
    );
  }

  private async commit(writes: ProtoWrite[], transactionBytes: Uint8Array): Promise<unknown> {
    const transaction = Buffer.from(transactionBytes).toString('hex');

    if (transaction !== '' && this.lockHolder !== transaction) {
      throw new RpcError(
        ABORTED,
        'The transaction is not active: it expired or was rolled back. Retry it.',
      );
    }

    try {
      return this.apply(writes);
    } finally {
      this.release(transaction);
    }
  }

  /** Applies every write or, when one fails its precondition, none. */
  private apply(writes: ProtoWrite[]): unknown {
    const commitTime = this.nextCommitTime();
    const changed = new Map<string, StoredDocument | null>();
    const current = (name: string): StoredDocument | undefined =>
      changed.has(name) ? (changed.get(name) ?? undefined) : this.document(name);

    for (const write of writes) {
      if (write.has_transform || write.update_transforms.length > 0) {
        throw new RpcError(
          UNIMPLEMENTED,
          'The loopback Firestore does not apply field transforms.',
        );
      }

      const name = write.has_update ? write.update.name : write.delete;
      const before = current(name);

      if (write.has_current_document) {
        checkPrecondition(name, before, write.current_document);
      }

      if (write.has_delete) {
        changed.set(name, null);
        continue;
      }

      const incoming = plainFields(write.update.fields);
      let fields = incoming;

      if (write.has_update_mask) {
        fields = structuredClone(before?.fields ?? {});

        for (const path of write.update_mask.field_paths) {
          const segments = parseFieldPath(path);

          setValueAt(fields, segments, valueAt(incoming, segments));
        }
      }

      changed.set(name, {
        name,
        fields,
        createTime: before?.createTime ?? commitTime,
        updateTime: commitTime,
      });
    }

    for (const [name, document] of changed) {
      const collection = parentPath(name);

      if (document === null) {
        this.collections.get(collection)?.delete(name);
      } else {
        const documents = this.collections.get(collection) ?? new Map<string, StoredDocument>();

        documents.set(name, document);
        this.collections.set(collection, documents);
      }
    }

    return this.message('CommitResponse', {
      commit_time: commitTime,
      write_results: writes.map(() => ({ update_time: commitTime })),
    });
  }

  /** Returns a commit time later than every earlier one, in microseconds as Firestore keeps them. */
  private nextCommitTime(): Timestamp {
    this.lastCommit = Math.max(this.lastCommit + 1, Date.now() * 1000);

    return toTimestamp(this.lastCommit);
  }
}

function toTimestamp(microseconds: number): Timestamp {
  return {
    seconds: Math.floor(microseconds / 1_000_000),
    nanos: (microseconds % 1_000_000) * 1000,
  };
}

function checkPrecondition(
  name: string,
  document: StoredDocument | undefined,
  precondition: ProtoPrecondition,
): void {
  if (precondition.has_exists && precondition.exists && document === undefined) {
    throw new RpcError(NOT_FOUND, `No document to update: ${name}`);
  }

  if (precondition.has_exists && !precondition.exists && document !== undefined) {
    throw new RpcError(ALREADY_EXISTS, `Document already exists: ${name}`);
  }

  if (
    precondition.has_update_time &&
    (document === undefined ||
      document.updateTime.seconds !== Number(precondition.update_time.seconds) ||
      document.updateTime.nanos !== precondition.update_time.nanos)
  ) {
    throw new RpcError(
      FAILED_PRECONDITION,
      `The update time of ${name} does not match the precondition.`,
    );
  }
}

function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) {
    return error;
  }

  return new RpcError(INTERNAL, error instanceof Error ? error.message : String(error));
}
