import { type SecretStore } from '../secrets/secret.store';
import { type RegistryDatabase } from '../storage/registry-database';

/** An OpenID Connect provider users sign in with; the client secret lives in the secret store. */
export interface IdentityProvider {
  id: string;
  displayName: string;
  /** Issuer URL; its `/.well-known/openid-configuration` describes the endpoints. */
  issuer: string;
  clientId: string;
  /** Name of the secret that contains the client secret, or null for public clients. */
  clientSecretName: string | null;
  scopes: string[];
  enabled: boolean;
  updatedAt: string;
}

export interface IdentityProviderInput {
  displayName: string;
  issuer: string;
  clientId: string;
  /** New client secret; omitted keeps the stored one. */
  clientSecret?: string;
  scopes: string[];
  enabled: boolean;
}

interface IdentityProviderRow {
  id: string;
  display_name: string;
  issuer: string;
  client_id: string;
  client_secret_name: string | null;
  scopes: string;
  enabled: number;
  updated_at: string;
}

/** Services that receive identity-provider client secrets at bootstrap. */
export const CLIENT_SECRET_SERVICES: readonly string[] = ['auth'];

/** Identity-provider settings; client secrets are stored encrypted as `idp.<id>.client-secret`. */
export class IdentityProviderStore {
  constructor(
    private readonly database: RegistryDatabase,
    private readonly secrets: SecretStore,
  ) {}

  list(): IdentityProvider[] {
    const rows = this.database
      .prepare('SELECT * FROM identity_providers ORDER BY id')
      .all() as IdentityProviderRow[];

    return rows.map(toProvider);
  }

  find(id: string): IdentityProvider | undefined {
    const row = this.database.prepare('SELECT * FROM identity_providers WHERE id = ?').get(id) as
      IdentityProviderRow | undefined;

    return row === undefined ? undefined : toProvider(row);
  }

  /** Creates or replaces a provider; the client secret goes to the secret store in the same transaction. */
  set(id: string, input: IdentityProviderInput, now = new Date()): IdentityProvider {
    const secretName = `idp.${id}.client-secret`;

    this.database.transaction(() => {
      if (input.clientSecret !== undefined) {
        this.secrets.set(secretName, input.clientSecret, CLIENT_SECRET_SERVICES, now);
      }

      const hasSecret = this.secrets.has(secretName);

      this.database
        .prepare(
          `INSERT INTO identity_providers
             (id, display_name, issuer, client_id, client_secret_name, scopes, enabled, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, issuer = excluded.issuer,
             client_id = excluded.client_id, client_secret_name = excluded.client_secret_name,
             scopes = excluded.scopes, enabled = excluded.enabled, updated_at = excluded.updated_at`,
        )
        .run(
          id,
          input.displayName,
          input.issuer,
          input.clientId,
          hasSecret ? secretName : null,
          JSON.stringify(input.scopes),
          input.enabled ? 1 : 0,
          now.toISOString(),
        );
    })();

    return this.find(id) as IdentityProvider;
  }

  /** Deletes a provider and its client secret; returns false when it did not exist. */
  delete(id: string): boolean {
    return this.database.transaction(() => {
      const deleted =
        this.database.prepare('DELETE FROM identity_providers WHERE id = ?').run(id).changes > 0;

      this.secrets.delete(`idp.${id}.client-secret`);

      return deleted;
    })();
  }
}

function toProvider(row: IdentityProviderRow): IdentityProvider {
  return {
    id: row.id,
    displayName: row.display_name,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecretName: row.client_secret_name,
    scopes: JSON.parse(row.scopes) as string[],
    enabled: row.enabled === 1,
    updatedAt: row.updated_at,
  };
}
