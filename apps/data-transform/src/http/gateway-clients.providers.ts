import { Injectable, type OnModuleDestroy, type Provider } from '@nestjs/common';

import {
  type BaseUrl,
  DOC_GATEWAY_SERVICE,
  DocGatewayClient,
  type GatewayConnection,
  ServiceDirectory,
  SQL_GATEWAY_SERVICE,
  SqlGatewayClient,
  WORKER_SERVICE,
  WorkerClient,
} from '@rokks/gateway-clients';
import { MeshClient, ServiceContext } from '@rokks/service-kit';

import { type DataTransformSettings } from '../data-transform.settings';

/** The registry's list of live service instances, read again in the background until shutdown. */
@Injectable()
export class ServiceDirectoryHost implements OnModuleDestroy {
  readonly directory: ServiceDirectory;

  constructor(context: ServiceContext<DataTransformSettings>) {
    this.directory = new ServiceDirectory({
      registry: context.registry,
      peers: context.identity.peers,
      logger: context.logger,
    });
    this.directory.start();
  }

  onModuleDestroy(): void {
    this.directory.stop();
  }
}

function connection(mesh: MeshClient, baseUrl: BaseUrl): GatewayConnection {
  return {
    fetch: (url, init) => mesh.fetch(url, init),
    request: (url, options) => mesh.request(url, options),
    baseUrl,
  };
}

/**
 * The doc gateway, SQL gateway and worker clients, over the service's mesh
 * certificate. Each call resolves a live instance from the registry, unless
 * `DOC_GATEWAY_URL`, `SQL_GATEWAY_URL` or `WORKER_URL` fixes the base URL.
 */
export const GATEWAY_CLIENT_PROVIDERS: Provider[] = [
  ServiceDirectoryHost,
  {
    provide: DocGatewayClient,
    inject: [MeshClient, ServiceDirectoryHost, ServiceContext],
    useFactory: (mesh: MeshClient, host: ServiceDirectoryHost, context: ServiceContext<DataTransformSettings>) =>
      new DocGatewayClient(
        connection(mesh, context.settings.docGatewayUrl ?? host.directory.resolver(DOC_GATEWAY_SERVICE)),
      ),
  },
  {
    provide: SqlGatewayClient,
    inject: [MeshClient, ServiceDirectoryHost, ServiceContext],
    useFactory: (mesh: MeshClient, host: ServiceDirectoryHost, context: ServiceContext<DataTransformSettings>) =>
      new SqlGatewayClient(
        connection(mesh, context.settings.sqlGatewayUrl ?? host.directory.resolver(SQL_GATEWAY_SERVICE)),
      ),
  },
  {
    provide: WorkerClient,
    inject: [MeshClient, ServiceDirectoryHost, ServiceContext],
    useFactory: (mesh: MeshClient, host: ServiceDirectoryHost, context: ServiceContext<DataTransformSettings>) =>
      new WorkerClient(connection(mesh, context.settings.workerUrl ?? host.directory.resolver(WORKER_SERVICE))),
  },
];
