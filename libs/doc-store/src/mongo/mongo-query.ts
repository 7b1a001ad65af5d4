import { type Document } from 'mongodb';

import {
  type NormalizedOrderBy,
  type NormalizedQuery,
  type NormalizedWhere,
} from '../validation/query.util';

// Queries run as one aggregation: native filters first (so an index on the
// field can serve them), then sort keys computed per document, because the
// contract's order (null < booleans < numbers < strings < arrays < maps,
// arrays never expanded) differs from MongoDB's BSON order, which puts
// booleans after maps and sorts an array by its smallest element.

/** `$type` names of the values a document holds, with their rank in the contract's sort order. */
const TYPE_NAMES = [
  'missing',
  'null',
  'bool',
  'int',
  'long',
  'double',
  'decimal',
  'string',
  'array',
  'object',
];
const TYPE_RANKS = [-1, 0, 1, 2, 2, 2, 2, 3, 4, 5];

/** First rank whose values sort by rank alone (arrays and maps). */
const RANK_WITHOUT_VALUE = 4;

/** Returns the path of a data field in the stored document, `data.<path>`. */
export function dataPath(segments: string[]): string {
  return `data.${segments.join('.')}`;
}

function notArray(path: string): Document {
  return { [path]: { $not: { $type: 'array' } } };
}

/**
 * Conditions that stop MongoDB from looking inside arrays on the way to a
 * field: in the contract, `a.b` names a key of the map `a`, and a document
 * whose `a` is an array has no `a.b`.
 */
function prefixGuards(segments: string[]): Document[] {
  return segments.slice(0, -1).map((_, index) => notArray(dataPath(segments.slice(0, index + 1))));
}

const RANGE_OPERATORS = { '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' } as const;

/**
 * Compiles one where clause to MongoDB query conditions (all must match).
 * MongoDB compares inside arrays (`{ n: 1 }` matches `n: [1, 2]`) and lets
 * `null` match a missing field, so each clause adds the guards that keep the
 * contract's rules: no array expansion, and a missing field never matches.
 * Range operators need no type guard: MongoDB compares numbers only with
 * numbers and strings only with strings.
 */
export function compileWhere(clause: NormalizedWhere): Document[] {
  const path = dataPath(clause.field.segments);
  const guards = prefixGuards(clause.field.segments);
  const value = clause.value;

  switch (clause.operator) {
    case '==':
      if (Array.isArray(value)) {
        // Arrays never directly contain arrays, so only an equal array matches.
        return [...guards, { [path]: { $eq: value } }];
      }

      return [
        ...guards,
        value === null ? { [path]: { $type: 'null' } } : { [path]: { $eq: value } },
        notArray(path),
      ];
    case '!=':
      if (Array.isArray(value)) {
        return [...guards, { [path]: { $exists: true, $ne: value } }];
      }

      // An array never equals a scalar or a map, whatever it contains.
      return [
        ...guards,
        { [path]: { $exists: true } },
        { $or: [{ [path]: { $type: 'array' } }, { [path]: { $ne: value } }] },
      ];
    case '<':
    case '<=':
    case '>':
    case '>=':
      return [...guards, { [path]: { [RANGE_OPERATORS[clause.operator]]: value } }, notArray(path)];
    case 'in':
      // `in` values are never arrays; `$exists` stops a null value from matching a missing field.
      return [...guards, { [path]: { $in: value, $exists: true } }, notArray(path)];
    case 'array-contains':
      return [...guards, { [path]: { $type: 'array' } }, { [path]: { $eq: value } }];
  }
}

function rankField(index: number): string {
  return `__rank${index}`;
}

function valueField(index: number): string {
  return `__value${index}`;
}

/** Names of the computed sort key fields, to remove them from the results. */
export function sortKeyFields(orderBy: NormalizedOrderBy[]): string[] {
  return orderBy.flatMap((_, index) => [rankField(index), valueField(index)]);
}

/** Number of values in a cursor of this query: rank and value per sort field, then the id. */
export function cursorKeyCount(query: NormalizedQuery): number {
  return query.orderBy.length * 2 + 1;
}

function and(conditions: Document[]): Document {
  if (conditions.length === 0) {
    return {};
  }

  return conditions.length === 1 ? conditions[0] : { $and: conditions };
}

/**
 * Returns the condition "after the cursor" over the sort keys: a document
 * comes later when its first differing key is greater (or smaller for a
 * descending field), with the id in the last field's direction as the final key.
 */
function afterCursor(orderBy: NormalizedOrderBy[], keys: unknown[]): Document {
  const branches: Document[] = [];
  const equal: Document = {};

  orderBy.forEach((order, index) => {
    const rank = keys[index * 2];
    const value = keys[index * 2 + 1];
    const after = order.direction === 'asc' ? '$gt' : '$lt';

    branches.push({ ...equal, [rankField(index)]: { [after]: rank } });

    if (value !== null) {
      branches.push({
        ...equal,
        [rankField(index)]: rank,
        [valueField(index)]: { [after]: value },
      });
    }

    equal[rankField(index)] = rank;
    equal[valueField(index)] = value;
  });

  const idAfter = (orderBy.at(-1)?.direction ?? 'asc') === 'asc' ? '$gt' : '$lt';

  branches.push({ ...equal, _id: { [idAfter]: keys.at(-1) } });

  return branches.length === 1 ? branches[0] : { $or: branches };
}

/**
 * Builds the aggregation pipeline of one page: filters, computed sort keys
 * (documents without a sort field are left out), the position after the
 * cursor `keys`, the sort and `limit + 1` documents, so the caller knows
 * whether another page follows.
 */
export function buildQueryPipeline(query: NormalizedQuery, keys: unknown[] | null): Document[] {
  const filters = query.where.flatMap((clause) => compileWhere(clause));
  const sortGuards = query.orderBy.flatMap((order) => prefixGuards(order.field.segments));
  const pipeline: Document[] = [];
  const first = and([...filters, ...sortGuards]);

  if (Object.keys(first).length > 0) {
    pipeline.push({ $match: first });
  }

  if (query.orderBy.length > 0) {
    const ranks: Document = {};
    const values: Document = {};
    const present: Document = {};

    query.orderBy.forEach((order, index) => {
      const field = `$${dataPath(order.field.segments)}`;

      ranks[rankField(index)] = {
        $arrayElemAt: [TYPE_RANKS, { $indexOfArray: [TYPE_NAMES, { $type: field }] }],
      };
      present[rankField(index)] = { $gte: 0 };
      values[valueField(index)] = {
        $cond: [{ $gte: [`$${rankField(index)}`, RANK_WITHOUT_VALUE] }, null, field],
      };
    });
    pipeline.push({ $addFields: ranks }, { $match: present }, { $addFields: values });
  }

  if (keys !== null) {
    pipeline.push({ $match: afterCursor(query.orderBy, keys) });
  }

  const lastDirection = (query.orderBy.at(-1)?.direction ?? 'asc') === 'asc' ? 1 : -1;
  const sort: Document = {};

  query.orderBy.forEach((order, index) => {
    const direction = order.direction === 'asc' ? 1 : -1;

    sort[rankField(index)] = direction;
    sort[valueField(index)] = direction;
  });
  sort._id = lastDirection;
  pipeline.push({ $sort: sort }, { $limit: query.limit + 1 });

  return pipeline;
}
