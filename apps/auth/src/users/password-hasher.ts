import { randomBytes } from 'node:crypto';

import { argon2id, hash, needsRehash, verify } from 'argon2';

import { AuthError } from '../auth.errors';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth.settings';

export interface Argon2Cost {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

/**
 * argon2id password hashes (PHC strings with a random 16-byte salt). A
 * check for a user without a hash still runs one verification against a
 * throw-away hash, so a login for an unknown e-mail takes about as long as
 * one with a wrong password.
 */
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(private readonly cost: Argon2Cost) {}

  async hash(password: string): Promise<string> {
    return hash(password, {
      type: argon2id,
      memoryCost: this.cost.memoryKiB,
      timeCost: this.cost.timeCost,
      parallelism: this.cost.parallelism,
    });
  }

  /** Returns whether the password matches; `storedHash` null or undefined always fails, in the same time. */
  async verify(storedHash: string | null | undefined, password: string): Promise<boolean> {
    if (storedHash === null || storedHash === undefined) {
      this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
      await verify(await this.dummyHash, password).catch(() => false);

      return false;
    }

    try {
      return await verify(storedHash, password);
    } catch {
      // A hash in an unknown format never matches.
      return false;
    }
  }

  /** Returns whether a stored hash was made with other cost settings than the current ones. */
  needsRehash(storedHash: string): boolean {
    try {
      return needsRehash(storedHash, {
        memoryCost: this.cost.memoryKiB,
        timeCost: this.cost.timeCost,
        parallelism: this.cost.parallelism,
      });
    } catch {
      return true;
    }
  }
}

/**
 * Checks a new password: 12 to 1024 characters and not the e-mail address.
 *
 * @throws AuthError WEAK_PASSWORD naming the rule it breaks.
 */
export function assertAcceptablePassword(password: string, email: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AuthError(
      'WEAK_PASSWORD',
      `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`,
    );
  }

  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AuthError(
      'WEAK_PASSWORD',
      `The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.`,
    );
  }

  if (password.trim().toLowerCase() === email.trim().toLowerCase()) {
    throw new AuthError('WEAK_PASSWORD', 'The password must not be the e-mail address.');
  }
}
