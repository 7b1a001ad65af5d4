import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';

import { RegistryStartupError } from '../registry.errors';

const KEY_BYTES = 32;
const HEX_PATTERN = /^[0-9a-fA-F]{64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]{43}=?$/;

export type MasterKeySource = 'environment' | 'key-file' | 'new-key-file';

export interface ResolvedMasterKey {
  key: Buffer;
  source: MasterKeySource;
  /** Text forms of the key, for the log scrubber. */
  encodings: string[];
}

/**
 * Parses `ROKKS_MASTER_KEY`: 32 bytes written as 64 hex characters or as
 * base64 (standard or URL-safe alphabet). Rejects keys whose bytes are all
 * equal, the usual placeholder. Errors describe the format, never the value.
 */
export function parseMasterKey(text: string, settingName = 'ROKKS_MASTER_KEY'): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;

  if (HEX_PATTERN.test(trimmed)) {
    key = Buffer.from(trimmed, 'hex');
  } else if (BASE64_PATTERN.test(trimmed)) {
    key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }

  if (key?.length !== KEY_BYTES) {
    throw new RegistryStartupError(
      'MASTER_KEY_INVALID',
      `${settingName} is invalid: expected 32 bytes written as 64 hex characters or 44 base64 characters, got ${trimmed.length} characters. Generate one with: openssl rand -base64 32`,
    );
  }

  if (key.every((byte) => byte === key[0])) {
    throw new RegistryStartupError(
      'MASTER_KEY_INVALID',
      `${settingName} is invalid: all its bytes are equal, which is a placeholder, not a key. Generate one with: openssl rand -base64 32`,
    );
  }

  return key;
}

/**
 * Returns the master key from the environment value when given, else from the
 * key file, creating the file (mode 0600) when `mayCreate` is true. A key file
 * readable by group or others is rejected with the command that fixes it.
 */
export function resolveMasterKey(options: {
  environmentValue: string | undefined;
  keyFilePath: string;
  mayCreate: boolean;
}): ResolvedMasterKey {
  if (options.environmentValue !== undefined && options.environmentValue.trim() !== '') {
    const key = parseMasterKey(options.environmentValue);

    return { key, source: 'environment', encodings: encodingsOf(key, options.environmentValue) };
  }

  const existing = readKeyFile(options.keyFilePath);

  if (existing !== undefined) {
    return { key: existing, source: 'key-file', encodings: encodingsOf(existing) };
  }

  if (!options.mayCreate) {
    throw new RegistryStartupError(
      'MASTER_KEY_MISSING',
      `The master key file ${options.keyFilePath} is missing, but the registry database already holds values encrypted under a master key. Restore the key file from a backup or set ROKKS_MASTER_KEY to the original key.`,
    );
  }

  const key = randomBytes(KEY_BYTES);

  // 'wx' fails if another process created the file in the meantime, so two
  // registries starting together never overwrite each other's key.
  writeFileSync(options.keyFilePath, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });

  return { key, source: 'new-key-file', encodings: encodingsOf(key) };
}

function readKeyFile(keyFilePath: string): Buffer | undefined {
  let descriptor: number;

  try {
    descriptor = openSync(keyFilePath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }

    throw new RegistryStartupError(
      'MASTER_KEY_INVALID',
      `Cannot read the master key file ${keyFilePath}: ${(error as Error).message}. It must be a regular file (not a symbolic link) readable by the registry's user.`,
      { cause: error },
    );
  }

  try {
    const stats = fstatSync(descriptor);

    if (!stats.isFile()) {
      throw new RegistryStartupError(
        'MASTER_KEY_INVALID',
        `The master key path ${keyFilePath} is not a regular file.`,
      );
    }

    const permissions = stats.mode & 0o777;

    if ((permissions & 0o077) !== 0) {
      throw new RegistryStartupError(
        'MASTER_KEY_FILE_INSECURE',
        `The master key file ${keyFilePath} has mode 0${permissions.toString(8)}, so users other than its owner can read it. Restrict it with: chmod 600 ${keyFilePath}`,
      );
    }

    return parseMasterKey(readFileSync(descriptor, 'utf8'), `The master key file ${keyFilePath}`);
  } finally {
    closeSync(descriptor);
  }
}

function encodingsOf(key: Buffer, original?: string): string[] {
  const encodings = [key.toString('base64'), key.toString('base64url'), key.toString('hex')];

  if (original !== undefined) {
    encodings.push(original.trim());
  }

  return [...new Set(encodings)];
}
