import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

import { type SettingsStore } from '../settings/settings.store';

export interface BootstrapTokenState {
  /** SHA-256 of the token; the registry never stores the token itself. */
  sha256: Buffer;
  /** The token when this start generated it (also written to the token file). */
  generated?: string;
}

/**
 * Settles the bootstrap token for this start. A token from the environment
 * wins, and a token file left from an earlier generated token is deleted
 * because it no longer works. Without one, the token in the development token
 * file is kept when its hash matches the stored hash. Otherwise a new token is
 * generated, its hash stored and the token written to the file (mode 0600).
 *
 * A generated token has 32 random bytes and one from the environment passes
 * the config schema's secret checks, so a plain SHA-256 is enough to store it.
 */
export function resolveBootstrapToken(options: {
  environmentValue: string | undefined;
  settings: SettingsStore;
  tokenFilePath: string;
}): BootstrapTokenState {
  if (options.environmentValue !== undefined) {
    const sha256 = sha256Of(options.environmentValue);

    options.settings.set('bootstrap_token_sha256', sha256.toString('hex'));
    rmSync(options.tokenFilePath, { force: true });

    return { sha256 };
  }

  const storedHex = options.settings.get('bootstrap_token_sha256');
  const fileToken = readTokenFile(options.tokenFilePath);

  if (
    storedHex !== undefined &&
    fileToken !== undefined &&
    sha256Of(fileToken).toString('hex') === storedHex
  ) {
    return { sha256: Buffer.from(storedHex, 'hex') };
  }

  const generated = randomBytes(32).toString('base64url');
  const sha256 = sha256Of(generated);

  options.settings.set('bootstrap_token_sha256', sha256.toString('hex'));
  rmSync(options.tokenFilePath, { force: true });
  writeFileSync(options.tokenFilePath, `${generated}\n`, { mode: 0o600, flag: 'wx' });

  return { sha256, generated };
}

/** Compares a presented token with the stored hash in constant time; false for missing or empty. */
export function bootstrapTokenMatches(given: string | undefined, expectedSha256: Buffer): boolean {
  if (given === undefined || given === '') {
    return false;
  }

  return timingSafeEqual(sha256Of(given), expectedSha256);
}

function sha256Of(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function readTokenFile(tokenFilePath: string): string | undefined {
  try {
    const token = readFileSync(tokenFilePath, 'utf8').trim();

    return token === '' ? undefined : token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }

    throw error;
  }
}
