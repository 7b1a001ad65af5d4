import { type Document, ObjectId } from 'bson';

import { CommandError, commandError } from '../command-error';
import { applyUpdate, type UpdateSpec, upsertDocument } from '../update-documents.util';
import { type WireCollection } from '../wire-collection';
import { cloneValue, isPlainDocument, keyOf } from '../wire-values.util';
import {
  type CommandContext,
  type CommandHandler,
  collectionName,
  optionalDocument,
  projectDocuments,
  sortDocuments,
} from './command-context';

interface WriteError {
  index: number;
  code: number;
  codeName: string;
  errmsg: string;
}

/** Statements of a write command, from its body or its document sequence (both end up in the body). */
function statements(command: Document, field: string): Document[] {
  const value: unknown = command[field];

  if (!Array.isArray(value) || !value.every((item) => isPlainDocument(item))) {
    throw commandError(
      'FailedToParse',
      `${Object.keys(command)[0]} needs an array of documents in "${field}".`,
    );
  }

  return value as Document[];
}

/**
 * Runs each statement, collecting write errors by index; an ordered command
 * (the default) stops at the first error, as mongod does.
 */
function runStatements(
  command: Document,
  items: Document[],
  run: (item: Document, index: number) => void,
): WriteError[] {
  const ordered = command.ordered !== false;
  const errors: WriteError[] = [];

  for (let index = 0; index < items.length; index++) {
    try {
      run(items[index], index);
    } catch (error) {
      if (!(error instanceof CommandError)) {
        throw error;
      }

      errors.push({ index, code: error.code, codeName: error.codeName, errmsg: error.message });

      if (ordered) {
        break;
      }
    }
  }

  return errors;
}

function withWriteErrors(reply: Document, errors: WriteError[]): Document {
  return errors.length === 0 ? { ...reply, ok: 1 } : { ...reply, writeErrors: errors, ok: 1 };
}

function targetCollection(command: Document, context: CommandContext): WireCollection {
  return context.store.ensureCollection(context.database, collectionName(command)).collection;
}

const insert: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  let inserted = 0;
  const errors = runStatements(command, statements(command, 'documents'), (document) => {
    const { _id: id, ...rest } = cloneValue(document);

    collection.insert({ _id: id ?? new ObjectId(), ...rest });
    inserted++;
  });

  return withWriteErrors({ n: inserted }, errors);
};

const update: CommandHandler = (command, context) => {
  const name = collectionName(command);
  let matchedCount = 0;
  let modifiedCount = 0;
  const upserted: Document[] = [];
  const errors = runStatements(command, statements(command, 'updates'), (statement, index) => {
    const filter = optionalDocument(statement, 'q') ?? {};
    const change = statement.u as UpdateSpec;
    const arrayFilters = statement.arrayFilters as Document[] | undefined;
    const collection = context.store.collection(context.database, name);
    const matched = collection?.match(filter) ?? [];
    const targets = statement.multi === true ? matched : matched.slice(0, 1);

    if (targets.length === 0) {
      if (statement.upsert === true) {
        const document = upsertDocument(filter, change, arrayFilters);

        targetCollection(command, context).insert(document);
        upserted.push({ index, _id: document._id });
      }

      return;
    }

    for (const target of targets) {
      const updated = applyUpdate(target, change, { arrayFilters });

      matchedCount++;

      if (keyOf(updated) !== keyOf(target)) {
        (collection as WireCollection).replace(updated);
        modifiedCount++;
      }
    }
  });
  const reply: Document = { n: matchedCount + upserted.length, nModified: modifiedCount };

  return withWriteErrors(upserted.length === 0 ? reply : { ...reply, upserted }, errors);
};

const deleteCommand: CommandHandler = (command, context) => {
  const collection = context.store.collection(context.database, collectionName(command));
  let deleted = 0;
  const errors = runStatements(command, statements(command, 'deletes'), (statement) => {
    const matched = collection?.match(optionalDocument(statement, 'q') ?? {}) ?? [];
    const targets = statement.limit === 1 ? matched.slice(0, 1) : matched;

    for (const target of targets) {
      if (collection?.remove(target) === true) {
        deleted++;
      }
    }
  });

  return withWriteErrors({ n: deleted }, errors);
};

const findAndModify: CommandHandler = (command, context) => {
  const name = collectionName(command);
  const collection = context.store.collection(context.database, name);
  const filter = optionalDocument(command, 'query') ?? {};
  const matched = sortDocuments(collection?.match(filter) ?? [], optionalDocument(command, 'sort'));
  const target = matched[0] as Document | undefined;
  const fields = optionalDocument(command, 'fields');
  const project = (document: Document | undefined): Document | null =>
    document === undefined ? null : projectDocuments([document], fields)[0];

  if (command.remove === true) {
    if (target !== undefined) {
      collection?.remove(target);
    }

    return { lastErrorObject: { n: target === undefined ? 0 : 1 }, value: project(target), ok: 1 };
  }

  const change = command.update as UpdateSpec | undefined;

  if (change === undefined) {
    throw commandError('FailedToParse', 'findAndModify needs "remove: true" or an "update".');
  }

  const arrayFilters = command.arrayFilters as Document[] | undefined;

  if (target !== undefined) {
    const updated = applyUpdate(target, change, { arrayFilters });

    if (keyOf(updated) !== keyOf(target)) {
      (collection as WireCollection).replace(updated);
    }

    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(command.new === true ? updated : target),
      ok: 1,
    };
  }

  if (command.upsert !== true) {
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  }

  const document = upsertDocument(filter, change, arrayFilters);

  targetCollection(command, context).insert(document);

  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: document._id },
    value: command.new === true ? project(document) : null,
    ok: 1,
  };
};

export const WRITE_COMMANDS: Record<string, CommandHandler> = {
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
};
