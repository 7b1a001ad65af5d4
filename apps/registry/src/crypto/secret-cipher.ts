import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const AUTH_TAG_BYTES = 16;

/** A value encrypted with AES-256-GCM, as stored in the database. */
export interface EncryptedValue {
  nonce: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

/** Raised when a stored value fails authentication: wrong key, wrong name, or altered bytes. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

/**
 * Encrypts values at rest with AES-256-GCM under the master key. Every value
 * gets a fresh random 96-bit nonce, and the caller's associated data (the
 * secret's name) is authenticated, so a ciphertext copied to another name
 * fails to decrypt.
 */
export class SecretCipher {
  private readonly key: KeyObject;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) {
      throw new RangeError(`The master key must be 32 bytes; got ${masterKey.length}.`);
    }

    this.key = createSecretKey(masterKey);
  }

  encrypt(plaintext: string | Buffer, associatedData: string): EncryptedValue {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, nonce, { authTagLength: AUTH_TAG_BYTES });

    cipher.setAAD(Buffer.from(associatedData, 'utf8'));

    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);

    return { nonce, ciphertext, authTag: cipher.getAuthTag() };
  }

  decrypt(value: EncryptedValue, associatedData: string): Buffer {
    if (value.nonce.length !== NONCE_BYTES || value.authTag.length !== AUTH_TAG_BYTES) {
      throw new DecryptionError(
        `The stored value for "${associatedData}" has a malformed nonce or tag.`,
      );
    }

    const decipher = createDecipheriv(ALGORITHM, this.key, value.nonce, {
      authTagLength: AUTH_TAG_BYTES,
    });

    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(value.authTag);

    try {
      return Buffer.concat([decipher.update(value.ciphertext), decipher.final()]);
    } catch (error) {
      throw new DecryptionError(`The stored value for "${associatedData}" failed authentication.`, {
        cause: error,
      });
    }
  }

  decryptText(value: EncryptedValue, associatedData: string): string {
    return this.decrypt(value, associatedData).toString('utf8');
  }
}
