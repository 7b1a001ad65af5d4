import { type AddressInfo } from 'node:net';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type DestinationStream } from 'pino';

import { BOOTSTRAP_TOKEN_HEADER } from '@rokks/bootstrap';
import { createLogger, Logger } from '@rokks/logging';
import { httpsServerOptions } from '@rokks/mesh';

import { RegistryServerIdentity } from './registry-server-identity';
import { RegistryState } from './registry-state';
import { loadRegistryConfig } from './registry.config';
import { RegistryModule } from './registry.module';

export interface StartRegistryOptions {
  /** Environment variables (see `registry.config.ts`), usually `readEnvironment()`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Destination of the log lines; default standard output. */
  logDestination?: DestinationStream;
}

export interface RunningRegistry {
  app: NestFastifyApplication;
  state: RegistryState;
  /** Base URL on the loopback address, e.g. `https://127.0.0.1:4000`. */
  url: string;
  port: number;
  caFingerprint: string;
  /** Stops the HTTP server and closes the database. */
  close(): Promise<void>;
}

/**
 * Starts the registry: validates the environment, opens the database (with
 * the integrity check, master key check and CA), then serves HTTPS with a
 * certificate from its own CA. Client certificates are requested but only
 * required by the routes that need mutual TLS.
 *
 * @throws ConfigError or RegistryStartupError, whose message names the problem.
 */
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const config = loadRegistryConfig(options.env);
  const logger = createLogger({
    service: 'registry',
    level: config.logLevel,
    destination: options.logDestination,
  });
  const state = await RegistryState.open(config);
  let app: NestFastifyApplication | undefined;

  try {
    const serverIdentity = await RegistryServerIdentity.issue(state);

    app = await NestFactory.create<NestFastifyApplication>(
      RegistryModule.forRoot(state, serverIdentity, logger),
      new FastifyAdapter(
        httpsServerOptions(serverIdentity.current, { clientCertificate: 'optional' }),
      ),
      { bufferLogs: true },
    );
    app.useLogger(app.get(Logger));
    setUpSwagger(app);
    await app.listen(config.port, config.host);
  } catch (error) {
    await app?.close();
    state.close();
    throw error;
  }

  const port = (app.getHttpServer().address() as AddressInfo).port;
  const running: RunningRegistry = {
    app,
    state,
    url: `https://127.0.0.1:${port}`,
    port,
    caFingerprint: state.authority.fingerprint,
    close: () => (app as NestFastifyApplication).close(),
  };

  logger.info(
    {
      host: config.host,
      port,
      caFingerprint: state.authority.fingerprint,
      registryDir: state.registryDir,
    },
    'registry started',
  );

  return running;
}

function setUpSwagger(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rokks registry')
      .setDescription(
        'Bootstrap anchor of the Rokks services: certificates from the mesh CA, configuration, secrets and service discovery.',
      )
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-rokks-internal' }, 'internal-secret')
      .addApiKey({ type: 'apiKey', in: 'header', name: BOOTSTRAP_TOKEN_HEADER }, 'bootstrap-token')
      .build(),
  );

  SwaggerModule.setup('docs', app, document);
}
