import { stdSerializers } from 'pino';

import { REDACTED } from './secret-values';

// Key names are compared lower-cased with punctuation removed, so
// `access_token`, `accessToken` and `X-Access-Token` all end in `token`.
const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'authorization',
  'cookie',
  'privatekey',
  'privatekeypem',
  'apikey',
  'credential',
  'credentials',
  'connectionstring',
  'rokksinternal',
];

// Private members of a JSON Web Key (RFC 7518, section 6): `d`, the RSA
// primes and CRT values, and `k` of a symmetric key.
const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']);

// NOTE: keys nested deeper than this are not redacted by name; registered
// secret values are still scrubbed from the whole line.
const MAX_DEPTH = 12;

/** Returns whether a property name looks like it contains a secret (password, token, cookie, private key…). */
export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');

  return SECRET_KEY_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

/**
 * Returns a copy of a log object in which every property with a secret-looking
 * name is `[REDACTED]`, at any depth of plain objects, arrays and errors.
 * Other objects (requests, responses, buffers) are left for pino's serializers.
 */
export function redactSecretKeys(object: Record<string, unknown>): Record<string, unknown> {
  return redactRecord(object, 0, new WeakSet());
}

function redactRecord(record: Record<string, unknown>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  seen.add(record);
  const isJsonWebKey = typeof record['kty'] === 'string';
  const copy: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(record)) {
    if (isSecretKey(key) || (isJsonWebKey && PRIVATE_JWK_MEMBERS.has(key))) {
      copy[key] = value === undefined ? undefined : REDACTED;
    } else {
      copy[key] = redactValue(value, depth + 1, seen);
    }
  }

  return copy;
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) {
    return value;
  }

  if (seen.has(value)) {
    return '[Circular]';
  }

  if (Array.isArray(value)) {
    seen.add(value);

    return value.map((item) => redactValue(item, depth + 1, seen));
  }

  if (value instanceof Error) {
    // The standard serializer keeps message, stack, cause and the error's own
    // properties, which may hold secrets (a failed request's config, say).
    seen.add(value);

    return redactRecord(stdSerializers.err(value) as unknown as Record<string, unknown>, depth, seen);
  }

  if (isPlainObject(value)) {
    return redactRecord(value, depth, seen);
  }

  return value;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);

  return prototype === Object.prototype || prototype === null;
}
