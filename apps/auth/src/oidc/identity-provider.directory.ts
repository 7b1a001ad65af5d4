import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { MeshClient, ServiceContext } from '@rokks/service-kit';

import { AuthError } from '../auth.errors';
import { type AuthSettings } from '../auth.settings';

/** An identity provider as the registry lists it (`GET /identity-providers`). */
export interface IdentityProviderSettings {
  id: string;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecretName: string | null;
  scopes: string[];
  enabled: boolean;
  updatedAt: string;
}

/** A provider ready for sign-in: its settings and discovered configuration. */
export interface ResolvedProvider {
  settings: IdentityProviderSettings;
  configuration: oidc.Configuration;
}

// The registry's provider list is read again after this long.
const LIST_TTL_MS = 30_000;
// Discovery documents are fetched again after this long.
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
// At most one certificate renewal per this period to pick up a new client secret.
const SECRET_REFRESH_INTERVAL_MS = 60_000;

/**
 * The identity providers configured in the registry. Their settings come
 * from the registry's `GET /identity-providers` over the mesh, and their
 * client secrets arrive with the service's identity. A secret added after
 * the start is fetched by renewing the identity. Discovery runs through
 * `openid-client` with HTTPS only, trusting the system's CAs plus
 * `ROKKS_OIDC_CA_FILE`.
 */
@Injectable()
export class IdentityProviderDirectory implements OnModuleDestroy {
  private listed?: { at: number; providers: IdentityProviderSettings[] };
  private readonly discovered = new Map<
    string,
    { at: number; key: string; configuration: Promise<oidc.Configuration> }
  >();
  private lastSecretRefresh = 0;
  private readonly agent: Agent;

  constructor(
    private readonly mesh: MeshClient,
    private readonly context: ServiceContext<AuthSettings>,
    @InjectPinoLogger(IdentityProviderDirectory.name) private readonly logger: PinoLogger,
  ) {
    const caFile = context.settings.oidcCaFile;
    const ca =
      caFile === undefined ? undefined : [...rootCertificates, readFileSync(caFile, 'utf8')];

    this.agent = new Agent({ connect: { ca, minVersion: 'TLSv1.2' } });
  }

  /** Enabled providers, for the sign-in page. */
  async listEnabled(): Promise<IdentityProviderSettings[]> {
    return (await this.list()).filter((provider) => provider.enabled);
  }

  /**
   * Returns an enabled provider with its discovered configuration.
   *
   * @throws AuthError PROVIDER_NOT_FOUND, or PROVIDER_UNAVAILABLE when the registry or the provider cannot be reached.
   */
  async resolve(providerId: string): Promise<ResolvedProvider> {
    const settings = (await this.list()).find(
      (provider) => provider.id === providerId && provider.enabled,
    );

    if (settings === undefined) {
      throw new AuthError('PROVIDER_NOT_FOUND', `No enabled identity provider "${providerId}".`);
    }

    const clientSecret = await this.clientSecret(settings);
    const key = `${settings.issuer}\n${settings.clientId}\n${settings.updatedAt}\n${clientSecret ?? ''}`;
    let entry = this.discovered.get(settings.id);

    if (entry === undefined || entry.key !== key || Date.now() - entry.at > DISCOVERY_TTL_MS) {
      entry = { at: Date.now(), key, configuration: this.discover(settings, clientSecret) };
      this.discovered.set(settings.id, entry);
    }

    try {
      return { settings, configuration: await entry.configuration };
    } catch (error) {
      this.discovered.delete(settings.id);
      this.logger.warn(
        { provider: settings.id, issuer: settings.issuer, err: error },
        'identity provider discovery failed',
      );

      throw new AuthError(
        'PROVIDER_UNAVAILABLE',
        `The identity provider "${settings.id}" cannot be reached; try again later.`,
        {
          cause: error,
        },
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  private async list(): Promise<IdentityProviderSettings[]> {
    if (this.listed !== undefined && Date.now() - this.listed.at < LIST_TTL_MS) {
      return this.listed.providers;
    }

    const url = new URL(
      'identity-providers',
      `${this.context.identity.registryUrl.replace(/\/+$/, '')}/`,
    );

    try {
      const response = await this.mesh.fetch(url, { signal: AbortSignal.timeout(5000) });

      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }

      const providers = (await response.json()) as IdentityProviderSettings[];

      this.listed = { at: Date.now(), providers };

      return providers;
    } catch (error) {
      this.logger.warn({ err: error }, 'listing identity providers from the registry failed');

      if (this.listed !== undefined) {
        return this.listed.providers;
      }

      throw new AuthError(
        'PROVIDER_UNAVAILABLE',
        'The identity-provider settings cannot be read now; try again later.',
        {
          cause: error,
        },
      );
    }
  }

  private async clientSecret(settings: IdentityProviderSettings): Promise<string | undefined> {
    const name = settings.clientSecretName;

    if (name === null) {
      return undefined;
    }

    let secret = this.context.identity.secrets[name];

    if (secret === undefined && Date.now() - this.lastSecretRefresh > SECRET_REFRESH_INTERVAL_MS) {
      // Secrets arrive only with an identity; a renewal brings the current ones.
      this.lastSecretRefresh = Date.now();
      await this.context.registry.renew().catch((error: unknown) => {
        this.logger.warn(
          { err: error, provider: settings.id },
          'renewing the identity for a client secret failed',
        );
      });
      secret = this.context.identity.secrets[name];
    }

    if (secret === undefined) {
      throw new AuthError(
        'PROVIDER_UNAVAILABLE',
        `The client secret of identity provider "${settings.id}" has not reached the auth service yet.`,
      );
    }

    return secret;
  }

  private discover(
    settings: IdentityProviderSettings,
    clientSecret: string | undefined,
  ): Promise<oidc.Configuration> {
    const fetchWithAgent: oidc.CustomFetch = (url, options) =>
      undiciFetch(url, { ...options, dispatcher: this.agent } as Parameters<
        typeof undiciFetch
      >[1]) as unknown as Promise<Response>;

    return oidc.discovery(
      new URL(settings.issuer),
      settings.clientId,
      undefined,
      clientSecret === undefined ? oidc.None() : oidc.ClientSecretPost(clientSecret),
      {
        [oidc.customFetch]: fetchWithAgent,
        timeout: Math.ceil(this.context.settings.oidcRequestTimeoutMs / 1000),
      },
    );
  }
}
