import { calculateObjectSize, type Document } from 'bson';
import { Query } from 'mingo';

import { commandError } from './command-error';
import { MAX_BSON_OBJECT_BYTES } from './wire-message';
import { getPath, isPlainDocument, keyOf } from './wire-values.util';

/** An index as `listIndexes` returns it. */
export interface IndexSpec {
  v: 2;
  name: string;
  key: Document;
  unique?: boolean;
  partialFilterExpression?: Document;
}

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

interface UniqueIndex {
  spec: IndexSpec;
  filter: Query | null;
  /** Index key → key of the `_id` of the document that has it. */
  entries: Map<string, string>;
}

/**
 * One collection: documents in insertion order, keyed by `_id`. Unique
 * indexes are enforced; other indexes are only recorded, since every query
 * scans the documents.
 */
export class WireCollection {
  private readonly documents = new Map<string, Document>();
  /** Insertion number of each `_id` key, for natural order. */
  private readonly sequence = new Map<string, number>();
  private nextSequence = 0;
  private readonly indexSpecs: IndexSpec[] = [ID_INDEX];
  private readonly uniqueIndexes: UniqueIndex[] = [];

  constructor(
    readonly database: string,
    readonly name: string,
  ) {}

  get namespace(): string {
    return `${this.database}.${this.name}`;
  }

  get size(): number {
    return this.documents.size;
  }

  get indexes(): readonly IndexSpec[] {
    return this.indexSpecs;
  }

  /** Returns every document in natural (insertion) order; the caller must not modify them. */
  all(): Document[] {
    return [...this.documents.values()];
  }

  getById(id: unknown): Document | undefined {
    return this.documents.get(keyOf(id));
  }

  /**
   * Returns the documents that match `filter`, in natural order. A filter on
   * `_id` by value or `$in` reads those documents directly instead of scanning.
   */
  match(filter: Document | undefined): Document[] {
    const query = new Query(filter ?? {});
    const candidates = this.candidatesById(filter) ?? this.documents.values();
    const matched: Document[] = [];

    for (const document of candidates) {
      if (query.test(document)) {
        matched.push(document);
      }
    }

    return matched;
  }

  private candidatesById(filter: Document | undefined): Document[] | undefined {
    if (filter === undefined || !Object.hasOwn(filter, '_id')) {
      return undefined;
    }

    const condition: unknown = filter._id;
    let ids: unknown[];

    if (isPlainDocument(condition)) {
      const operators = Object.keys(condition);

      if (operators.length === 1 && operators[0] === '$eq') {
        ids = [condition.$eq];
      } else if (operators.length === 1 && operators[0] === '$in' && Array.isArray(condition.$in)) {
        ids = condition.$in as unknown[];
      } else {
        return undefined;
      }
    } else if (condition instanceof RegExp || Array.isArray(condition)) {
      return undefined;
    } else {
      ids = [condition];
    }

    // Natural order, like a scan would return them.
    return [...new Set(ids.map((id) => keyOf(id)))]
      .filter((key) => this.documents.has(key))
      .sort((left, right) => (this.sequence.get(left) ?? 0) - (this.sequence.get(right) ?? 0))
      .map((key) => this.documents.get(key) as Document);
  }

  /** Inserts a document that has an `_id`; raises DuplicateKey or BSONObjectTooLarge. */
  insert(document: Document): void {
    checkSize(document);

    const idKey = keyOf(document._id);

    if (this.documents.has(idKey)) {
      throw this.duplicateKey(ID_INDEX, document);
    }

    this.checkUnique(document, idKey);
    this.documents.set(idKey, document);
    this.sequence.set(idKey, this.nextSequence++);
    this.addUniqueEntries(document, idKey);
  }

  /** Replaces the stored document with the same `_id`, keeping its position. */
  replace(document: Document): void {
    checkSize(document);

    const idKey = keyOf(document._id);
    const previous = this.documents.get(idKey);

    if (previous === undefined) {
      throw new Error(`replace() of a missing document ${idKey} in ${this.namespace}`);
    }

    this.removeUniqueEntries(previous);

    try {
      this.checkUnique(document, idKey);
    } catch (error) {
      this.addUniqueEntries(previous, idKey);
      throw error;
    }

    this.documents.set(idKey, document);
    this.addUniqueEntries(document, idKey);
  }

  remove(document: Document): boolean {
    const idKey = keyOf(document._id);
    const stored = this.documents.get(idKey);

    if (stored === undefined) {
      return false;
    }

    this.removeUniqueEntries(stored);
    this.documents.delete(idKey);
    this.sequence.delete(idKey);

    return true;
  }

  /** Adds an index, or does nothing when the same one exists; returns whether it was new. */
  createIndex(spec: IndexSpec): boolean {
    const sameName = this.indexSpecs.find((existing) => existing.name === spec.name);
    const sameKey = this.indexSpecs.find((existing) => keyOf(existing.key) === keyOf(spec.key));

    if (sameName !== undefined || sameKey !== undefined) {
      const existing = (sameName ?? sameKey) as IndexSpec;

      if (keyOf(existing.key) !== keyOf(spec.key)) {
        throw commandError(
          'IndexKeySpecsConflict',
          `An index named ${spec.name} exists with a different key ${JSON.stringify(existing.key)}.`,
        );
      }

      if (existing.name !== spec.name || Boolean(existing.unique) !== Boolean(spec.unique)) {
        throw commandError(
          'IndexOptionsConflict',
          `Index with key ${JSON.stringify(spec.key)} already exists as ${existing.name} with other options.`,
        );
      }

      return false;
    }

    if (spec.unique === true) {
      const index: UniqueIndex = {
        spec,
        filter:
          spec.partialFilterExpression === undefined
            ? null
            : new Query(spec.partialFilterExpression),
        entries: new Map(),
      };

      for (const [idKey, document] of this.documents) {
        const key = this.indexKey(index, document);

        if (key !== null && index.entries.has(key)) {
          throw this.duplicateKey(spec, document);
        }

        if (key !== null) {
          index.entries.set(key, idKey);
        }
      }

      this.uniqueIndexes.push(index);
    }

    this.indexSpecs.push(spec);

    return true;
  }

  dropIndex(name: string): boolean {
    const position = this.indexSpecs.findIndex((spec) => spec.name === name);

    if (position <= 0) {
      return false;
    }

    this.indexSpecs.splice(position, 1);

    const unique = this.uniqueIndexes.findIndex((index) => index.spec.name === name);

    if (unique !== -1) {
      this.uniqueIndexes.splice(unique, 1);
    }

    return true;
  }

  private indexKey(index: UniqueIndex, document: Document): string | null {
    if (index.filter !== null && !index.filter.test(document)) {
      return null;
    }

    return keyOf(Object.keys(index.spec.key).map((field) => getPath(document, field) ?? null));
  }

  private checkUnique(document: Document, idKey: string): void {
    for (const index of this.uniqueIndexes) {
      const key = this.indexKey(index, document);
      const holder = key === null ? undefined : index.entries.get(key);

      if (holder !== undefined && holder !== idKey) {
        throw this.duplicateKey(index.spec, document);
      }
    }
  }

  private addUniqueEntries(document: Document, idKey: string): void {
    for (const index of this.uniqueIndexes) {
      const key = this.indexKey(index, document);

      if (key !== null) {
        index.entries.set(key, idKey);
      }
    }
  }

  private removeUniqueEntries(document: Document): void {
    for (const index of this.uniqueIndexes) {
      const key = this.indexKey(index, document);

      if (key !== null) {
        index.entries.delete(key);
      }
    }
  }

  private duplicateKey(spec: IndexSpec, document: Document): Error {
    const values = Object.keys(spec.key)
      .map((field) => `${field}: ${JSON.stringify(getPath(document, field) ?? null)}`)
      .join(', ');

    return commandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.namespace} index: ${spec.name} dup key: { ${values} }`,
    );
  }
}

function checkSize(document: Document): void {
  const size = calculateObjectSize(document);

  if (size > MAX_BSON_OBJECT_BYTES) {
    throw commandError(
      'BSONObjectTooLarge',
      `The document is ${size} bytes, over the BSON limit of ${MAX_BSON_OBJECT_BYTES} bytes.`,
    );
  }
}
