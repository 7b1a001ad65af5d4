import { type Document } from 'bson';
import { aggregate } from 'mingo';

import { commandError } from '../command-error';
import { cloneValue, isPlainDocument, keyOf } from '../wire-values.util';
import {
  type CommandHandler,
  collectionName,
  optionalDocument,
  optionalNumber,
  projectDocuments,
  sortDocuments,
} from './command-context';

function skipAndLimit(
  documents: Document[],
  skip: number | undefined,
  limit: number | undefined,
): Document[] {
  const start = skip ?? 0;
  // A limit of 0 means no limit, as in mongod.
  const end = limit === undefined || limit === 0 ? undefined : start + Math.abs(limit);

  return documents.slice(start, end);
}

const find: CommandHandler = (command, context) => {
  const name = collectionName(command);
  const collection = context.store.collection(context.database, name);
  const matched = collection?.match(optionalDocument(command, 'filter')) ?? [];
  const sorted = sortDocuments(matched, optionalDocument(command, 'sort'));
  const limit = optionalNumber(command, 'limit');
  const page = skipAndLimit(sorted, optionalNumber(command, 'skip'), limit);
  const documents = projectDocuments(page, optionalDocument(command, 'projection'));

  return {
    cursor: context.cursors.open(`${context.database}.${name}`, documents, {
      batchSize: optionalNumber(command, 'batchSize'),
      singleBatch: command.singleBatch === true || (limit !== undefined && limit < 0),
    }),
    ok: 1,
  };
};

const getMore: CommandHandler = (command, context) => {
  const collection = command.collection as unknown;

  if (typeof collection !== 'string') {
    throw commandError('BadValue', 'getMore needs the collection name in "collection".');
  }

  return {
    cursor: context.cursors.more(command.getMore, collection, optionalNumber(command, 'batchSize')),
    ok: 1,
  };
};

const killCursors: CommandHandler = (command, context) => {
  const ids: unknown = command.cursors;

  if (!Array.isArray(ids)) {
    throw commandError('BadValue', 'killCursors needs an array of cursor ids in "cursors".');
  }

  const { killed, notFound } = context.cursors.kill(ids);

  return {
    cursorsKilled: killed,
    cursorsNotFound: notFound,
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
};

// Stages that write elsewhere or need server internals.
const UNSUPPORTED_STAGES = new Set([
  '$out',
  '$merge',
  '$lookup',
  '$graphLookup',
  '$unionWith',
  '$collStats',
  '$indexStats',
]);

const aggregateCommand: CommandHandler = (command, context) => {
  const target: unknown = command.aggregate;
  const pipeline: unknown = command.pipeline;

  if (!Array.isArray(pipeline) || !pipeline.every((stage) => isPlainDocument(stage))) {
    throw commandError('FailedToParse', 'aggregate needs a pipeline: an array of stage documents.');
  }

  for (const stage of pipeline as Document[]) {
    const [stageName] = Object.keys(stage);

    if (UNSUPPORTED_STAGES.has(stageName)) {
      throw commandError('BadValue', `The test server does not support the ${stageName} stage.`);
    }
  }

  if (typeof target !== 'string') {
    throw commandError(
      'BadValue',
      'aggregate needs a collection name; database-level pipelines are not supported.',
    );
  }

  const collection = context.store.collection(context.database, target);
  const stages = pipeline as Document[];
  // A leading $match goes through the collection, which reads `_id` lookups directly.
  const leadingMatch =
    stages.length > 0 && isPlainDocument(stages[0].$match)
      ? (stages[0].$match as Document)
      : undefined;
  const source = collection?.match(leadingMatch) ?? [];
  const rest = leadingMatch === undefined ? stages : stages.slice(1);
  // Pipelines build new documents, but stages such as $set may write into their input.
  const results =
    rest.length === 0
      ? source
      : aggregate(
          source.map((document) => cloneValue(document)),
          rest,
        );
  const cursorOptions = optionalDocument(command, 'cursor') ?? {};

  return {
    cursor: context.cursors.open(`${context.database}.${target}`, results, {
      batchSize: optionalNumber(cursorOptions, 'batchSize'),
    }),
    ok: 1,
  };
};

const count: CommandHandler = (command, context) => {
  const collection = context.store.collection(context.database, collectionName(command));
  const matched = collection?.match(optionalDocument(command, 'query')) ?? [];
  const counted = skipAndLimit(
    matched,
    optionalNumber(command, 'skip'),
    optionalNumber(command, 'limit'),
  );

  return { n: counted.length, ok: 1 };
};

const distinct: CommandHandler = (command, context) => {
  const collection = context.store.collection(context.database, collectionName(command));
  const key: unknown = command.key;

  if (typeof key !== 'string') {
    throw commandError('BadValue', 'distinct needs a field path in "key".');
  }

  const values = new Map<string, unknown>();

  for (const document of collection?.match(optionalDocument(command, 'query')) ?? []) {
    const found = aggregate([document], [{ $project: { _id: 0, value: `$${key}` } }])[0]?.value;

    for (const value of Array.isArray(found) ? (found as unknown[]) : [found]) {
      if (value !== undefined) {
        values.set(keyOf(value), value);
      }
    }
  }

  return { values: [...values.values()], ok: 1 };
};

export const READ_COMMANDS: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  aggregate: aggregateCommand,
  count,
  distinct,
};
