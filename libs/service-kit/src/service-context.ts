import { type Logger } from 'pino';

import { type RegistryClient, type ServiceIdentity } from '@rokks/bootstrap';

import { type BaseSettings } from './service-settings';

/** Addresses of a running service's listeners, known once they are up. */
export interface ServiceEndpoints {
  /** Mesh HTTPS base URL that the service registered, e.g. `https://127.0.0.1:4001`. */
  meshUrl: string;
  port: number;
  microservicePort: number;
  /** Browser-facing plain HTTP base URL, for services that have one. */
  publicUrl?: string;
  publicPort?: number;
}

/**
 * The running service as its modules see it: name, validated settings,
 * current mesh identity, registry client and process logger. Inject it by
 * its class; `TSettings` is the service's settings type.
 */
export class ServiceContext<TSettings extends BaseSettings = BaseSettings> {
  private listening?: ServiceEndpoints;

  constructor(
    readonly service: string,
    readonly settings: TSettings,
    readonly logger: Logger,
    readonly registry: RegistryClient,
    /** The service's own data directory, `<dataDir>/<service>`. */
    readonly serviceDataDir: string,
  ) {}

  /** The identity in use: the bootstrap identity or its latest renewal. */
  get identity(): ServiceIdentity {
    return this.registry.identity;
  }

  /** The listeners' addresses, or undefined while the service is starting. */
  get endpoints(): ServiceEndpoints | undefined {
    return this.listening;
  }

  /** Records the listeners' addresses; the service kit calls it once they listen. */
  markListening(endpoints: ServiceEndpoints): void {
    this.listening = endpoints;
  }
}
