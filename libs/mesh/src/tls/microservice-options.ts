import { type TcpClientOptions, type TcpOptions, Transport } from '@nestjs/microservices';

import { type MeshIdentity } from '../mesh-identity';
import { meshServerTlsOptions } from './https-server-options';

/**
 * Returns NestJS TCP microservice options over TLS with mutual authentication:
 * the server presents the service's certificate and accepts only clients with
 * a certificate from the mesh CA. The TCP transport carries no headers, so the
 * client certificate is the caller's credential here (no internal secret).
 * `host` defaults to 127.0.0.1; set 0.0.0.0 inside a container.
 */
export function microserviceOptions(
  identity: MeshIdentity,
  port: number,
  options: { host?: string } = {},
): TcpOptions {
  return {
    transport: Transport.TCP,
    options: {
      host: options.host ?? '127.0.0.1',
      port,
      tlsOptions: meshServerTlsOptions(identity),
    },
  };
}

/**
 * Returns options for `ClientsModule` / `ClientProxyFactory` that connect to a
 * mesh microservice with this service's client certificate. The server's
 * certificate must name `host` (or `servername` when given).
 */
export function microserviceClientOptions(
  identity: MeshIdentity,
  target: { host: string; port: number; servername?: string },
): TcpClientOptions {
  return {
    transport: Transport.TCP,
    options: {
      host: target.host,
      port: target.port,
      tlsOptions: {
        key: identity.privateKeyPem,
        cert: identity.certificatePem,
        ca: identity.caCertificatePem,
        servername: target.servername,
        minVersion: 'TLSv1.3',
      },
    },
  };
}
