import { type Document, ObjectId } from 'bson';
import { aggregate, update as applyOperators } from 'mingo';

import { commandError } from './command-error';
import { cloneValue, isPlainDocument, keyOf, setPath } from './wire-values.util';

/** An update as the `update` and `findAndModify` commands take it: operators, a replacement or a pipeline. */
export type UpdateSpec = Document | Document[];

function isOperatorUpdate(update: Document): boolean {
  const keys = Object.keys(update);

  return keys.length > 0 && keys.every((key) => key.startsWith('$'));
}

/** Puts `_id` first, as mongod stores it. */
function idFirst(document: Document, id: unknown): Document {
  const { _id: _ignored, ...rest } = document;

  return { _id: id, ...rest };
}

/**
 * Returns the document after `update`, leaving `document` unchanged.
 * `$setOnInsert` applies only when `inserting` is set. Raises
 * ImmutableField when the update would change `_id`.
 */
export function applyUpdate(
  document: Document,
  update: UpdateSpec,
  options: { arrayFilters?: Document[]; inserting?: boolean } = {},
): Document {
  let updated: Document;

  if (Array.isArray(update)) {
    updated = aggregate([cloneValue(document)], update)[0] ?? {};
  } else if (isOperatorUpdate(update)) {
    rejectIdChange(document, update);
    updated = cloneValue(document);
    applyOperators(updated, operatorsFor(update, options.inserting === true), options.arrayFilters);
  } else {
    if (Object.keys(update).some((key) => key.startsWith('$'))) {
      throw commandError('FailedToParse', 'An update mixes operators ($…) with plain fields.');
    }

    updated = idFirst(cloneValue(update), update._id ?? document._id);
  }

  if (document._id !== undefined && keyOf(updated._id) !== keyOf(document._id)) {
    throw commandError(
      'ImmutableField',
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }

  return idFirst(updated, updated._id ?? document._id);
}

/** Raises ImmutableField for an operator that writes `_id` (mingo would raise a plain error). */
function rejectIdChange(document: Document, update: Document): void {
  for (const [operator, fields] of Object.entries(update)) {
    if (!isPlainDocument(fields) || (operator === '$setOnInsert' && document._id !== undefined)) {
      continue;
    }

    for (const [path, value] of Object.entries(fields)) {
      const writesId = path === '_id' || path.startsWith('_id.');
      const unchanged =
        path === '_id' && operator === '$set' && keyOf(value) === keyOf(document._id);

      if (writesId && !unchanged && document._id !== undefined) {
        throw commandError(
          'ImmutableField',
          "Performing an update on the path '_id' would modify the immutable field '_id'",
        );
      }
    }
  }
}

/** Turns `$setOnInsert` into `$set` fields for an insert, and drops it otherwise. */
function operatorsFor(update: Document, inserting: boolean): Document {
  const { $setOnInsert: onInsert, ...operators } = update;

  if (!inserting || !isPlainDocument(onInsert)) {
    return operators;
  }

  const set: Document = isPlainDocument(operators.$set) ? { ...operators.$set } : {};

  for (const [path, value] of Object.entries(onInsert)) {
    set[path] = value;
  }

  return { ...operators, $set: set };
}

/**
 * Builds the document an upsert inserts: the equality fields of `filter`
 * (`{ a: 1 }`, `{ a: { $eq: 1 } }` and those inside `$and`), then the
 * update, and a new ObjectId when neither gives an `_id`.
 */
export function upsertDocument(
  filter: Document,
  update: UpdateSpec,
  arrayFilters?: Document[],
): Document {
  const seed: Document = {};

  collectEqualities(filter, seed);

  if (!Array.isArray(update) && !isOperatorUpdate(update)) {
    return applyUpdate({ _id: update._id ?? seed._id ?? new ObjectId() }, update, {
      inserting: true,
    });
  }

  const inserted = applyUpdate(seed, update, { arrayFilters, inserting: true });

  return inserted._id === undefined ? idFirst(inserted, new ObjectId()) : inserted;
}

function collectEqualities(filter: Document, target: Document): void {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const part of condition) {
        if (isPlainDocument(part)) {
          collectEqualities(part, target);
        }
      }

      continue;
    }

    if (key.startsWith('$')) {
      continue;
    }

    if (isPlainDocument(condition) && Object.keys(condition).some((name) => name.startsWith('$'))) {
      if (Object.hasOwn(condition, '$eq')) {
        setPath(target, key, cloneValue(condition.$eq));
      }

      continue;
    }

    setPath(target, key, cloneValue(condition));
  }
}
