import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { MIN_SECRET_VALUE_LENGTH, registerSecretValue } from '@rokks/logging';
import {
  issueMeshCertificate,
  type IssuedMeshCertificate,
  type MeshCertificateAuthority,
} from '@rokks/mesh';

import { loadOrCreateCertificateAuthority } from './ca/certificate-authority.store';
import { resolveMasterKey } from './crypto/master-key';
import { verifyMasterKey } from './crypto/master-key-check';
import { DecryptionError, SecretCipher } from './crypto/secret-cipher';
import { IdentityProviderStore } from './identity-providers/identity-provider.store';
import { InstanceStore } from './instances/instance.store';
import { bootstrapTokenMatches, resolveBootstrapToken } from './platform/bootstrap-token';
import { type PlatformSecrets, resolvePlatformSecrets } from './platform/platform-secrets';
import { type RegistryConfig } from './registry.config';
import { RegistryStartupError } from './registry.errors';
import { SecretStore } from './secrets/secret.store';
import { ConfigStore } from './settings/config.store';
import { SettingsStore } from './settings/settings.store';
import { openRegistryDatabase, type RegistryDatabase } from './storage/registry-database';

export const DATABASE_FILE_NAME = 'registry.sqlite';
export const MASTER_KEY_FILE_NAME = 'master.key';
export const CA_FINGERPRINT_FILE_NAME = 'ca-fingerprint';
export const BOOTSTRAP_TOKEN_FILE_NAME = 'bootstrap-token';

/**
 * Everything the registry keeps: the database and its stores, the CA, the
 * platform secrets and the bootstrap token hash. `open` runs the start-up
 * checks in order (database integrity, master key, every stored secret) and
 * throws `RegistryStartupError` on the first that fails.
 */
export class RegistryState {
  private constructor(
    readonly registryDir: string,
    readonly database: RegistryDatabase,
    readonly configEntries: ConfigStore,
    readonly secrets: SecretStore,
    readonly instances: InstanceStore,
    readonly identityProviders: IdentityProviderStore,
    readonly authority: MeshCertificateAuthority,
    readonly platform: PlatformSecrets,
    private readonly bootstrapTokenSha256: Buffer,
    readonly certificateLifetimeMs: number,
  ) {}

  static async open(config: RegistryConfig): Promise<RegistryState> {
    const registryDir = path.join(config.dataDir, 'registry');

    mkdirSync(registryDir, { recursive: true, mode: 0o700 });

    const database = openRegistryDatabase(path.join(registryDir, DATABASE_FILE_NAME));

    try {
      return await RegistryState.initialize(config, registryDir, database);
    } catch (error) {
      database.close();
      throw error;
    }
  }

  private static async initialize(
    config: RegistryConfig,
    registryDir: string,
    database: RegistryDatabase,
  ): Promise<RegistryState> {
    const settings = new SettingsStore(database);
    const keyFilePath = path.join(registryDir, MASTER_KEY_FILE_NAME);
    const masterKey = resolveMasterKey({
      environmentValue: config.masterKey,
      keyFilePath,
      mayCreate: settings.get('master_key_check') === undefined,
    });

    masterKey.encodings.forEach(registerScrubbedValue);

    const cipher = new SecretCipher(masterKey.key);
    const keyOrigin =
      masterKey.source === 'environment' ? 'ROKKS_MASTER_KEY' : `the key file ${keyFilePath}`;

    verifyMasterKey(settings, cipher, keyOrigin);

    const secrets = new SecretStore(database, cipher, registerScrubbedValue);
    const authority = await decryptStoredValues(secrets, database, cipher);

    registerScrubbedValue(authority.privateKeyPem);

    const platform = resolvePlatformSecrets(database, secrets, {
      internalSecret: config.internalSecret,
      jwtPrivateKeyPem: config.jwtPrivateKey,
    });
    const bootstrapToken = resolveBootstrapToken({
      environmentValue: config.bootstrapToken,
      settings,
      tokenFilePath: path.join(registryDir, BOOTSTRAP_TOKEN_FILE_NAME),
    });

    if (bootstrapToken.generated !== undefined) {
      registerScrubbedValue(bootstrapToken.generated);
    }

    writeFileSync(path.join(registryDir, CA_FINGERPRINT_FILE_NAME), `${authority.fingerprint}\n`, {
      mode: 0o644,
    });

    return new RegistryState(
      registryDir,
      database,
      new ConfigStore(database),
      secrets,
      new InstanceStore(database, config.instanceTtlSeconds * 1000),
      new IdentityProviderStore(database, secrets),
      authority,
      platform,
      bootstrapToken.sha256,
      config.certificateLifetimeHours * 60 * 60 * 1000,
    );
  }

  /** Issues a leaf certificate for the service with the configured lifetime. */
  issueCertificate(service: string): Promise<IssuedMeshCertificate> {
    return issueMeshCertificate(this.authority, {
      service,
      lifetimeMs: this.certificateLifetimeMs,
    });
  }

  isBootstrapToken(given: string | undefined): boolean {
    return bootstrapTokenMatches(given, this.bootstrapTokenSha256);
  }

  close(): void {
    if (this.database.open) {
      this.database.close();
    }
  }
}

async function decryptStoredValues(
  secrets: SecretStore,
  database: RegistryDatabase,
  cipher: SecretCipher,
): Promise<MeshCertificateAuthority> {
  try {
    secrets.verifyAll();

    return (await loadOrCreateCertificateAuthority(database, cipher)).authority;
  } catch (error) {
    if (error instanceof DecryptionError) {
      throw new RegistryStartupError(
        'STORED_VALUE_UNREADABLE',
        `A value in the registry database cannot be decrypted although the master key check passed (${error.message}). The database was altered or partly restored; restore it from a backup.`,
        { cause: error },
      );
    }

    throw error;
  }
}

// NOTE: values shorter than the scrubber's minimum are not registered, because
// replacing them would mangle unrelated log text; they are still never logged.
function registerScrubbedValue(value: string): void {
  if (value.length >= MIN_SECRET_VALUE_LENGTH) {
    registerSecretValue(value);
  }
}
