import { type AddressInfo } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';

import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern } from '@nestjs/microservices';
import Fastify from 'fastify';
import { firstValueFrom } from 'rxjs';
import { Agent, fetch } from 'undici';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';

import {
  createMeshCertificateAuthority,
  issueMeshCertificate,
} from '../certificates/certificate-authority';
import { certificateFingerprint } from '../certificates/fingerprint.util';
import { type MeshIdentity } from '../mesh-identity';
import { MeshError } from '../mesh.errors';
import { httpsServerOptions, updateServerIdentity } from './https-server-options';
import { meshFetch } from './mesh-fetch';
import { microserviceClientOptions, microserviceOptions } from './microservice-options';
import { authenticatedPeerService } from './peer-certificate.util';

const INTERNAL_SECRET = 'mesh-test-internal-secret-0123456789abcdef';

async function meshIdentity(
  authority: { certificatePem: string; privateKeyPem: string },
  service: string,
): Promise<MeshIdentity> {
  const issued = await issueMeshCertificate(authority, { service });

  return {
    service,
    certificatePem: issued.certificatePem,
    privateKeyPem: issued.privateKeyPem,
    caCertificatePem: authority.certificatePem,
    internalSecret: INTERNAL_SECRET,
  };
}

function createMeshServer(identity: MeshIdentity) {
  return Fastify(httpsServerOptions(identity));
}

/** Resolves with the TLS error the handshake ends with, or 'connected' when the server accepts. */
function handshake(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...options });

    socket.once('secureConnect', () => {
      // With TLS 1.3 the server checks the client certificate after the
      // client's handshake finished, so a rejection arrives as an alert next.
      socket.write('GET /whoami HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    });
    socket.once('data', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
  });
}

describe('mesh mutual TLS over HTTPS', () => {
  let authority: Awaited<ReturnType<typeof createMeshCertificateAuthority>>;
  let server: ReturnType<typeof createMeshServer>;
  let serverIdentity: MeshIdentity;
  let clientIdentity: MeshIdentity;
  let foreignIdentity: MeshIdentity;
  let port: number;
  let handledRequests = 0;
  let rejectedHandshakes = 0;

  beforeAll(async () => {
    authority = await createMeshCertificateAuthority();
    serverIdentity = await meshIdentity(authority, 'alpha');
    clientIdentity = await meshIdentity(authority, 'beta');
    foreignIdentity = await meshIdentity(await createMeshCertificateAuthority(), 'beta');
    server = createMeshServer(serverIdentity);
    server.addHook('onRequest', async () => {
      handledRequests += 1;
    });
    server.server.on('tlsClientError', () => {
      rejectedHandshakes += 1;
    });
    server.get('/whoami', (request) => ({
      peer: authenticatedPeerService(request.raw.socket),
      internalSecret: request.headers[INTERNAL_SECRET_HEADER],
    }));
    await server.listen({ host: '127.0.0.1', port: 0 });
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await server.close();
  });

  it('accepts a client with a mesh certificate', async () => {
    const call = meshFetch(clientIdentity);

    try {
      const response = await call(`https://127.0.0.1:${port}/whoami`);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ peer: 'beta', internalSecret: INTERNAL_SECRET });
    } finally {
      await call.close();
    }
  });

  it('sends request calls with the certificate and secret', async () => {
    const call = meshFetch(clientIdentity);

    try {
      const response = await call.request(`https://127.0.0.1:${port}/whoami`);

      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({ peer: 'beta', internalSecret: INTERNAL_SECRET });
    } finally {
      await call.close();
    }
  });

  it("keeps a request call's own secret header", async () => {
    const call = meshFetch(clientIdentity);

    try {
      const response = await call.request(`https://127.0.0.1:${port}/whoami`, {
        headers: { 'X-Rokks-Internal': 'caller-secret' },
      });

      expect(await response.body.json()).toEqual({ peer: 'beta', internalSecret: 'caller-secret' });
    } finally {
      await call.close();
    }
  });

  it('rejects plain http URLs in request calls', async () => {
    const call = meshFetch(clientIdentity);

    try {
      await expect(call.request(`http://127.0.0.1:${port}/whoami`)).rejects.toThrow(MeshError);
    } finally {
      await call.close();
    }
  });

  it('verifies the server by its localhost name', async () => {
    const call = meshFetch(clientIdentity);

    try {
      expect((await call(`https://localhost:${port}/whoami`)).status).toBe(200);
    } finally {
      await call.close();
    }
  });

  it('rejects a client without a certificate at the handshake', async () => {
    const requestsBefore = handledRequests;
    const outcome = await handshake(port, {
      ca: authority.certificatePem,
      servername: 'localhost',
    });

    expect(outcome).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(handledRequests).toBe(requestsBefore);
  });

  it('rejects a client certificate from another CA at the handshake', async () => {
    const requestsBefore = handledRequests;
    const rejectionsBefore = rejectedHandshakes;
    const outcome = await handshake(port, {
      ca: authority.certificatePem,
      servername: 'localhost',
      key: foreignIdentity.privateKeyPem,
      cert: foreignIdentity.certificatePem,
    });

    // Node's TLS server closes the connection without an alert when the
    // client certificate fails verification, so the client sees a close.
    expect(['closed', 'ECONNRESET']).toContain(outcome);
    expect(rejectedHandshakes).toBe(rejectionsBefore + 1);
    expect(handledRequests).toBe(requestsBefore);
  });

  it('fails a fetch without a client certificate', async () => {
    const agent = new Agent({ connect: { ca: authority.certificatePem } });

    try {
      await expect(
        fetch(`https://127.0.0.1:${port}/whoami`, { dispatcher: agent }),
      ).rejects.toThrow();
    } finally {
      await agent.close();
    }
  });

  it('rejects a server outside the mesh', async () => {
    const call = meshFetch(foreignIdentity);

    try {
      await expect(call(`https://127.0.0.1:${port}/whoami`)).rejects.toThrow(
        expect.objectContaining({
          cause: expect.objectContaining({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
        }),
      );
    } finally {
      await call.close();
    }
  });

  it('rejects plain http URLs', async () => {
    const call = meshFetch(clientIdentity);

    try {
      await expect(call(`http://127.0.0.1:${port}/whoami`)).rejects.toThrow(MeshError);
    } finally {
      await call.close();
    }
  });

  it('serves a renewed certificate on new connections', async () => {
    const renewed = await meshIdentity(authority, 'alpha');
    const presented = () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          ca: authority.certificatePem,
          key: clientIdentity.privateKeyPem,
          cert: clientIdentity.certificatePem,
        });

        socket.once('secureConnect', () => {
          const fingerprint = certificateFingerprint(socket.getPeerX509Certificate()!.toString());

          socket.destroy();
          resolve(fingerprint);
        });
        socket.once('error', reject);
      });

    expect(await presented()).toBe(certificateFingerprint(serverIdentity.certificatePem));
    updateServerIdentity(server.server, renewed);
    expect(await presented()).toBe(certificateFingerprint(renewed.certificatePem));
  });
});

@Controller()
class PingController {
  @MessagePattern('ping')
  ping(payload: string): string {
    return `pong ${payload}`;
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

describe('mesh mutual TLS over the NestJS TCP transport', () => {
  let authority: Awaited<ReturnType<typeof createMeshCertificateAuthority>>;
  let microservice: INestMicroservice;
  let port: number;

  beforeAll(async () => {
    authority = await createMeshCertificateAuthority();

    const serverIdentity = await meshIdentity(authority, 'worker');

    microservice = await NestFactory.createMicroservice(PingModule, {
      ...microserviceOptions(serverIdentity, 0),
      logger: false,
    });
    await microservice.listen();
    port = microservice.unwrap<{ address(): AddressInfo }>().address().port;
  });

  afterAll(async () => {
    await microservice.close();
  });

  async function ping(identity: MeshIdentity): Promise<string> {
    const client = ClientProxyFactory.create(
      microserviceClientOptions(identity, { host: '127.0.0.1', port }),
    );

    try {
      return await firstValueFrom(client.send<string, string>('ping', 'hello'));
    } finally {
      await client.close();
    }
  }

  it('answers a client with a mesh certificate', async () => {
    expect(await ping(await meshIdentity(authority, 'edge'))).toBe('pong hello');
  });

  it('rejects a client certificate from another CA', async () => {
    const foreignAuthority = await createMeshCertificateAuthority();
    const foreign = await meshIdentity(foreignAuthority, 'edge');

    await expect(
      ping({ ...foreign, caCertificatePem: authority.certificatePem }),
    ).rejects.toThrow();
  });
});
