import { createMeshCertificateAuthority, type MeshCertificateAuthority } from '@rokks/mesh';

import { type SecretCipher } from '../crypto/secret-cipher';
import { type RegistryDatabase } from '../storage/registry-database';

// Outside the secret-name alphabet, so a secret can never share this name.
const CA_KEY_ASSOCIATED_DATA = 'rokks:ca-private-key';

interface CertificateAuthorityRow {
  certificate_pem: string;
  fingerprint: string;
  private_key_nonce: Buffer;
  private_key_ciphertext: Buffer;
  private_key_auth_tag: Buffer;
  not_after: string;
}

/**
 * Returns the mesh CA stored in the database, creating and storing it on first
 * start. The CA private key is stored encrypted like a secret.
 */
export async function loadOrCreateCertificateAuthority(
  database: RegistryDatabase,
  cipher: SecretCipher,
): Promise<{ authority: MeshCertificateAuthority; created: boolean }> {
  const stored = loadCertificateAuthority(database, cipher);

  if (stored !== undefined) {
    return { authority: stored, created: false };
  }

  const authority = await createMeshCertificateAuthority();
  const encryptedKey = cipher.encrypt(authority.privateKeyPem, CA_KEY_ASSOCIATED_DATA);

  database
    .prepare(
      `INSERT INTO certificate_authority
         (id, certificate_pem, fingerprint, private_key_nonce, private_key_ciphertext, private_key_auth_tag, not_after, created_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      authority.certificatePem,
      authority.fingerprint,
      encryptedKey.nonce,
      encryptedKey.ciphertext,
      encryptedKey.authTag,
      authority.notAfter.toISOString(),
      new Date().toISOString(),
    );

  return { authority, created: true };
}

function loadCertificateAuthority(
  database: RegistryDatabase,
  cipher: SecretCipher,
): MeshCertificateAuthority | undefined {
  const row = database
    .prepare(
      `SELECT certificate_pem, fingerprint, private_key_nonce, private_key_ciphertext, private_key_auth_tag, not_after
       FROM certificate_authority WHERE id = 1`,
    )
    .get() as CertificateAuthorityRow | undefined;

  if (row === undefined) {
    return undefined;
  }

  const privateKeyPem = cipher.decryptText(
    {
      nonce: row.private_key_nonce,
      ciphertext: row.private_key_ciphertext,
      authTag: row.private_key_auth_tag,
    },
    CA_KEY_ASSOCIATED_DATA,
  );

  return {
    certificatePem: row.certificate_pem,
    privateKeyPem,
    fingerprint: row.fingerprint,
    notAfter: new Date(row.not_after),
  };
}
