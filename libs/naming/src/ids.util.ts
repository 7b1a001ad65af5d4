import { describeValue, NamingError } from './naming.exception';

const TABLE_ID_PATTERN = /^t_[0-9a-f]{32}$/;
const COLUMN_ID_PATTERN = /^f_[0-9a-f]{8}$/;
const TABLE_ID_RANDOM_BYTES = 16;
const COLUMN_ID_RANDOM_BYTES = 4;

/**
 * Attempts before giving up on a free column id. With 2^32 possible ids a table
 * would need billions of columns before 1,000 draws in a row all collide.
 */
const MAX_COLUMN_ID_ATTEMPTS = 1000;

function randomHex(byteCount: number): string {
  const cryptoApi = (globalThis as { crypto?: Partial<Crypto> }).crypto;

  if (typeof cryptoApi?.getRandomValues !== 'function') {
    throw new NamingError(
      'RANDOM_SOURCE_MISSING',
      'globalThis.crypto.getRandomValues is not available: run on Node 20+ or a browser with the Web Crypto API',
    );
  }

  const bytes = cryptoApi.getRandomValues(new Uint8Array(byteCount));

  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Creates a physical table id: `t_` and 32 lowercase hex digits (128 bits from the Web Crypto random source). */
export function generateTableId(): string {
  return `t_${randomHex(TABLE_ID_RANDOM_BYTES)}`;
}

/**
 * Creates a physical column id, `f_` and 8 lowercase hex digits (32 random bits),
 * that is not in `usedIds`: pass the ids the table already has. The set is read,
 * never modified, so add the returned id yourself before the next call.
 */
export function generateColumnId(usedIds: Iterable<string> = []): string {
  const used: ReadonlySet<string> = usedIds instanceof Set ? usedIds : new Set(usedIds);

  for (let attempt = 0; attempt < MAX_COLUMN_ID_ATTEMPTS; attempt += 1) {
    const candidate = `f_${randomHex(COLUMN_ID_RANDOM_BYTES)}`;

    if (!used.has(candidate)) {
      return candidate;
    }
  }

  throw new NamingError(
    'COLUMN_ID_SPACE_EXHAUSTED',
    `no free column id found in ${MAX_COLUMN_ID_ATTEMPTS} attempts among ${used.size} used ids`,
  );
}

/** Creates `count` column ids, distinct from each other and from `usedIds`, in one call. */
export function generateColumnIds(count: number, usedIds: Iterable<string> = []): string[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new NamingError(
      'INVALID_DEFINITION',
      `invalid column id count ${describeValue(count)}: expected a non-negative integer`,
    );
  }

  const used = new Set(usedIds);
  const ids: string[] = [];

  while (ids.length < count) {
    const id = generateColumnId(used);

    used.add(id);
    ids.push(id);
  }

  return ids;
}

/** Tells whether `value` is a well-formed physical table id (`t_` + 32 lowercase hex digits). */
export function isTableId(value: unknown): value is string {
  return typeof value === 'string' && TABLE_ID_PATTERN.test(value);
}

/** Tells whether `value` is a well-formed physical column id (`f_` + 8 lowercase hex digits). */
export function isColumnId(value: unknown): value is string {
  return typeof value === 'string' && COLUMN_ID_PATTERN.test(value);
}

/** Throws a `NamingError` (`INVALID_TABLE_ID`) naming `value` unless it is a table id. */
export function assertTableId(value: unknown): asserts value is string {
  if (!isTableId(value)) {
    throw new NamingError(
      'INVALID_TABLE_ID',
      `invalid table id ${describeValue(value)}: expected "t_" followed by 32 lowercase hex digits`,
    );
  }
}

/** Throws a `NamingError` (`INVALID_COLUMN_ID`) naming `value` unless it is a column id. */
export function assertColumnId(value: unknown): asserts value is string {
  if (!isColumnId(value)) {
    throw new NamingError(
      'INVALID_COLUMN_ID',
      `invalid column id ${describeValue(value)}: expected "f_" followed by 8 lowercase hex digits`,
    );
  }
}
