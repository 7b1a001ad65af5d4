import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import { bootstrapResponseSchema, type ServiceIdentity } from './service-identity';

export const CACHE_FILE_NAME = 'bootstrap-cache.json';

const cachedIdentitySchema = bootstrapResponseSchema.extend({ registryUrl: z.url() });

export function identityCachePath(dataDir: string): string {
  return path.join(dataDir, CACHE_FILE_NAME);
}

/**
 * Writes the identity to `<dataDir>/bootstrap-cache.json` with mode 0600,
 * creating the directory when needed: a
 * temporary file is written and renamed over the old one, so a crash never
 * leaves a half-written cache.
 */
export function writeIdentityCache(dataDir: string, identity: ServiceIdentity): void {
  const target = identityCachePath(dataDir);
  const temporary = `${target}.${process.pid}.tmp`;
  const { source: _source, ...cached } = identity;

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(temporary, JSON.stringify(cached), { mode: 0o600 });
  // The mode argument only applies when the file is created.
  chmodSync(temporary, 0o600);
  renameSync(temporary, target);
}

/**
 * Reads the cached identity. Returns undefined when there is no cache, and
 * `{ problem }` when the file exists but cannot be used.
 */
export function readIdentityCache(
  dataDir: string,
): ServiceIdentity | { problem: string } | undefined {
  const cachePath = identityCachePath(dataDir);
  let text: string;

  try {
    text = readFileSync(cachePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }

    return { problem: `cannot read ${cachePath}: ${(error as Error).message}` };
  }

  let json: unknown;

  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `${cachePath} is not valid JSON` };
  }

  const parsed = cachedIdentitySchema.safeParse(json);

  if (!parsed.success) {
    return {
      problem: `${cachePath} does not hold a bootstrap identity (${parsed.error.issues.length} invalid fields)`,
    };
  }

  return { ...parsed.data, source: 'cache' };
}
