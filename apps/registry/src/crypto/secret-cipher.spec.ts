import { randomBytes } from 'node:crypto';

import { DecryptionError, SecretCipher } from './secret-cipher';

describe('SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32));

  it('round-trips a value', () => {
    const encrypted = cipher.encrypt('hunter2-but-longer', 'API_KEY');

    expect(cipher.decryptText(encrypted, 'API_KEY')).toBe('hunter2-but-longer');
    expect(encrypted.ciphertext.toString('utf8')).not.toContain('hunter2');
  });

  it('uses a fresh 96-bit nonce per value', () => {
    const first = cipher.encrypt('same value', 'API_KEY');
    const second = cipher.encrypt('same value', 'API_KEY');

    expect(first.nonce).toHaveLength(12);
    expect(first.nonce.equals(second.nonce)).toBe(false);
    expect(first.ciphertext.equals(second.ciphertext)).toBe(false);
  });

  it('rejects a value moved to another name', () => {
    const encrypted = cipher.encrypt('value', 'API_KEY');

    expect(() => cipher.decrypt(encrypted, 'OTHER_KEY')).toThrow(DecryptionError);
  });

  it('rejects an altered ciphertext', () => {
    const encrypted = cipher.encrypt('value', 'API_KEY');

    encrypted.ciphertext[0] ^= 0x01;

    expect(() => cipher.decrypt(encrypted, 'API_KEY')).toThrow(DecryptionError);
  });

  it('rejects another key', () => {
    const encrypted = cipher.encrypt('value', 'API_KEY');

    expect(() => new SecretCipher(randomBytes(32)).decrypt(encrypted, 'API_KEY')).toThrow(
      DecryptionError,
    );
  });

  it('requires a 32-byte key', () => {
    expect(() => new SecretCipher(randomBytes(16))).toThrow(RangeError);
  });
});
