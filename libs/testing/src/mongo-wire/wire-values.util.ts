import { Binary, type Document, Long, ObjectId } from 'bson';

export function isPlainDocument(value: unknown): value is Document {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }

  const prototype: unknown = Object.getPrototypeOf(value);

  return prototype === Object.prototype || prototype === null;
}

/**
 * Copies plain objects and arrays deeply. BSON class instances (ObjectId,
 * Binary, Long) are immutable in practice and shared; dates are copied.
 */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map((item: unknown) => cloneValue(item)) as T;
  }

  if (value instanceof Date) {
    return new Date(value.getTime()) as T;
  }

  if (isPlainDocument(value)) {
    const copy: Document = {};

    for (const [key, item] of Object.entries(value)) {
      copy[key] = cloneValue(item);
    }

    return copy as T;
  }

  return value;
}

/**
 * Returns a string that is equal for two BSON values exactly when mongod
 * treats them as equal in an index key: numbers compare by value whatever
 * their BSON type, documents compare field by field in order.
 */
export function keyOf(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }

  if (typeof value === 'number') {
    return `n:${Object.is(value, -0) ? 0 : value}`;
  }

  if (typeof value === 'string') {
    return `s:${JSON.stringify(value)}`;
  }

  if (typeof value === 'boolean') {
    return `b:${value}`;
  }

  if (Long.isLong(value)) {
    return `n:${value.toString()}`;
  }

  if (value instanceof Date) {
    return `d:${value.getTime()}`;
  }

  if (value instanceof ObjectId) {
    return `o:${value.toHexString()}`;
  }

  if (value instanceof Binary) {
    return `x:${value.sub_type}:${Buffer.from(value.buffer).toString('base64')}`;
  }

  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => keyOf(item)).join(',')}]`;
  }

  if (isPlainDocument(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${keyOf(item)}`)
      .join(',')}}`;
  }

  const typed = value as { _bsontype?: string; toString(): string };

  return `${typed._bsontype ?? typeof value}:${typed.toString()}`;
}

/** Reads a dotted path through documents only (no array expansion); undefined when a step is missing. */
export function getPath(document: Document, path: string): unknown {
  let current: unknown = document;

  for (const segment of path.split('.')) {
    if (!isPlainDocument(current)) {
      return undefined;
    }

    current = current[segment];
  }

  return current;
}

/** Sets a dotted path, creating documents along the way. */
export function setPath(document: Document, path: string, value: unknown): void {
  const segments = path.split('.');
  let current: Document = document;

  for (const segment of segments.slice(0, -1)) {
    if (!isPlainDocument(current[segment])) {
      current[segment] = {};
    }

    current = current[segment] as Document;
  }

  current[segments[segments.length - 1]] = value;
}
