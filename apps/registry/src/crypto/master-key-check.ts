import { RegistryStartupError } from '../registry.errors';
import { type SettingsStore } from '../settings/settings.store';
import { DecryptionError, type SecretCipher } from './secret-cipher';

const CHECK_PLAINTEXT = 'rokks master key check v1';
// Associated data outside the secret-name alphabet, so no secret can collide.
const CHECK_ASSOCIATED_DATA = 'rokks:master-key-check';

/**
 * Checks that the master key is the one the database was created with, before
 * anything else is decrypted. The first start stores a known text encrypted
 * under the key, and every later start must decrypt it.
 */
export function verifyMasterKey(
  settings: SettingsStore,
  cipher: SecretCipher,
  keyOrigin: string,
): void {
  const stored = settings.get('master_key_check');

  if (stored === undefined) {
    const encrypted = cipher.encrypt(CHECK_PLAINTEXT, CHECK_ASSOCIATED_DATA);

    settings.set(
      'master_key_check',
      JSON.stringify({
        nonce: encrypted.nonce.toString('base64'),
        ciphertext: encrypted.ciphertext.toString('base64'),
        authTag: encrypted.authTag.toString('base64'),
      }),
    );

    return;
  }

  const parsed = JSON.parse(stored) as { nonce: string; ciphertext: string; authTag: string };

  try {
    cipher.decryptText(
      {
        nonce: Buffer.from(parsed.nonce, 'base64'),
        ciphertext: Buffer.from(parsed.ciphertext, 'base64'),
        authTag: Buffer.from(parsed.authTag, 'base64'),
      },
      CHECK_ASSOCIATED_DATA,
    );
  } catch (error) {
    if (error instanceof DecryptionError) {
      throw new RegistryStartupError(
        'MASTER_KEY_MISMATCH',
        `The master key from ${keyOrigin} is not the key this registry database was encrypted with, so its secrets and CA key cannot be decrypted. Start with the original key (ROKKS_MASTER_KEY or the key file it created).`,
        { cause: error },
      );
    }

    throw error;
  }
}
