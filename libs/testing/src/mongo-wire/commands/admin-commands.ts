import { type Document } from 'bson';
import { find } from 'mingo';

import { commandError } from '../command-error';
import { type IndexSpec } from '../wire-collection';
import { MAX_BSON_OBJECT_BYTES, MAX_MESSAGE_BYTES } from '../wire-message';
import { isPlainDocument } from '../wire-values.util';
import {
  type CommandHandler,
  collectionName,
  optionalDocument,
  optionalNumber,
} from './command-context';

/** Wire version of MongoDB 7.0, which the server reports; the driver needs at least 9 (MongoDB 4.4). */
export const MAX_WIRE_VERSION = 21;

/** Server version that `buildInfo` reports, matching `MAX_WIRE_VERSION`. */
export const SERVER_VERSION = '7.0.0';

/**
 * Replies to `hello` and the legacy `isMaster` as a standalone server. The
 * reply has no `setName`, so the driver treats it as a single server without
 * transactions. It has no `topologyVersion`, so the driver polls instead of
 * streaming.
 */
const hello: CommandHandler = (command, context) => {
  const legacy = Object.hasOwn(command, 'isMaster') || Object.hasOwn(command, 'ismaster');

  return {
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    helloOk: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_BYTES,
    maxMessageSizeBytes: MAX_MESSAGE_BYTES,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
};

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  versionArray: SERVER_VERSION.split('.').map(Number).concat([0]),
  gitVersion: 'mongo-wire-test-server',
  bits: 64,
  maxBsonObjectSize: MAX_BSON_OBJECT_BYTES,
  ok: 1,
});

const ok: CommandHandler = () => ({ ok: 1 });

function collectionInfo(name: string, nameOnly: boolean): Document {
  if (nameOnly) {
    return { name, type: 'collection' };
  }

  return {
    name,
    type: 'collection',
    options: {},
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

const listCollections: CommandHandler = (command, context) => {
  const nameOnly = command.nameOnly === true;
  const entries = context.store
    .collections(context.database)
    .map((collection) => collectionInfo(collection.name, nameOnly));
  const filter = optionalDocument(command, 'filter') ?? {};
  const cursorOptions = optionalDocument(command, 'cursor') ?? {};

  return {
    cursor: context.cursors.open(
      `${context.database}.$cmd.listCollections`,
      find(entries, filter).all(),
      {
        batchSize: optionalNumber(cursorOptions, 'batchSize'),
      },
    ),
    ok: 1,
  };
};

const listDatabases: CommandHandler = (command, context) => {
  const databases = context.store
    .databaseNames()
    .map((name) => ({ name, sizeOnDisk: 0, empty: false }));

  return command.nameOnly === true
    ? { databases: databases.map(({ name }) => ({ name })), ok: 1 }
    : { databases, totalSize: 0, ok: 1 };
};

const create: CommandHandler = (command, context) => {
  const name = collectionName(command);

  if (!context.store.ensureCollection(context.database, name).created) {
    throw commandError('NamespaceExists', `Collection ${context.database}.${name} already exists.`);
  }

  return { ok: 1 };
};

const drop: CommandHandler = (command, context) => {
  const name = collectionName(command);
  const collection = context.store.collection(context.database, name);

  if (collection === undefined) {
    throw commandError('NamespaceNotFound', 'ns not found');
  }

  context.store.dropCollection(context.database, name);

  return { nIndexesWas: collection.indexes.length, ns: collection.namespace, ok: 1 };
};

const dropDatabase: CommandHandler = (_command, context) => {
  context.store.dropDatabase(context.database);

  return { dropped: context.database, ok: 1 };
};

const createIndexes: CommandHandler = (command, context) => {
  const indexes: unknown = command.indexes;

  if (!Array.isArray(indexes) || indexes.length === 0) {
    throw commandError(
      'BadValue',
      'createIndexes needs a non-empty array of index specifications in "indexes".',
    );
  }

  const { collection, created } = context.store.ensureCollection(
    context.database,
    collectionName(command),
  );
  const before = collection.indexes.length;

  for (const index of indexes as unknown[]) {
    if (!isPlainDocument(index) || !isPlainDocument(index.key) || typeof index.name !== 'string') {
      throw commandError(
        'BadValue',
        `Invalid index specification ${JSON.stringify(index)}: expected { key, name }.`,
      );
    }

    const spec: IndexSpec = { v: 2, key: index.key, name: index.name };

    if (index.unique === true) {
      spec.unique = true;
    }

    if (isPlainDocument(index.partialFilterExpression)) {
      spec.partialFilterExpression = index.partialFilterExpression;
    }

    collection.createIndex(spec);
  }

  const after = collection.indexes.length;
  const reply: Document = {
    createdCollectionAutomatically: created,
    numIndexesBefore: before,
    numIndexesAfter: after,
  };

  return after === before
    ? { ...reply, note: 'all indexes already exist', ok: 1 }
    : { ...reply, ok: 1 };
};

const listIndexes: CommandHandler = (command, context) => {
  const collection = context.store.collection(context.database, collectionName(command));

  if (collection === undefined) {
    throw commandError(
      'NamespaceNotFound',
      `ns does not exist: ${context.database}.${collectionName(command)}`,
    );
  }

  const cursorOptions = optionalDocument(command, 'cursor') ?? {};

  return {
    cursor: context.cursors.open(
      collection.namespace,
      collection.indexes.map((spec) => ({ ...spec })),
      {
        batchSize: optionalNumber(cursorOptions, 'batchSize'),
      },
    ),
    ok: 1,
  };
};

const dropIndexes: CommandHandler = (command, context) => {
  const collection = context.store.collection(context.database, collectionName(command));

  if (collection === undefined) {
    throw commandError('NamespaceNotFound', 'ns not found');
  }

  const before = collection.indexes.length;
  const target: unknown = command.index;
  const names =
    target === '*'
      ? collection.indexes.filter((spec) => spec.name !== '_id_').map((spec) => spec.name)
      : Array.isArray(target)
        ? (target as string[])
        : typeof target === 'string'
          ? [target]
          : collection.indexes
              .filter((spec) => JSON.stringify(spec.key) === JSON.stringify(target))
              .map((spec) => spec.name);

  for (const name of names) {
    if (!collection.dropIndex(name)) {
      throw commandError('IndexNotFound', `index not found with name [${name}]`);
    }
  }

  return { nIndexesWas: before, ok: 1 };
};

export const ADMIN_COMMANDS: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  endSessions: ok,
  listCollections,
  listDatabases,
  create,
  drop,
  dropDatabase,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
