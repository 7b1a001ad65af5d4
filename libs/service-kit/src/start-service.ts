import { readFileSync } from 'node:fs';
import { type Server as HttpsServer } from 'node:https';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { type Server as TlsServer } from 'node:tls';

import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Logger as PinoLogger, type DestinationStream } from 'pino';
import { type z } from 'zod';

import {
  AuthGuardModule,
  type AuthGuardModuleOptions,
  type JwtVerifierOptions,
} from '@rokks/auth-guard';
import {
  bootstrapService,
  RegistryClient,
  type RetryOptions,
  type ServiceIdentity,
} from '@rokks/bootstrap';
import { loadConfig, readEnvironment } from '@rokks/config';
import {
  createLogger,
  Logger,
  LoggingModule,
  MIN_SECRET_VALUE_LENGTH,
  registerSecretValue,
} from '@rokks/logging';
import { httpsServerOptions, microserviceOptions, updateServerIdentity } from '@rokks/mesh';

import { InstanceRegistration } from './instance-registration';
import {
  EDGE_PUBLIC_PORT,
  isServiceName,
  MICROSERVICE_PORT_OFFSET,
  SERVICE_CATALOG,
} from './service-catalog';
import { ServiceContext, type ServiceEndpoints } from './service-context';
import { ServiceKitModule } from './service-kit.module';
import {
  baseSettingsSchema,
  type BaseSettings,
  earlySettingsSchema,
  expandDottedKeys,
} from './service-settings';
import { StartupQuietLogger } from './startup-quiet-logger';
import { setUpSwagger } from './swagger.util';

type ModuleReference = Type<unknown> | DynamicModule;

export interface ServiceOptions<TShape extends z.core.$ZodShape = Record<never, never>> {
  /** Service name: lowercase letters, digits and hyphens (the certificate's common name). */
  service: string;
  /** The service's root module; it may inject `ServiceContext`, `MeshClient` and `ReadinessChecks`. */
  module: ModuleReference;
  /** One or two sentences for the OpenAPI document. */
  description: string;
  /** The service's own settings, validated together with the base settings in one pass. */
  settings?: z.ZodObject<TShape>;
  /** Mesh port when `ROKKS_PORT` is unset; default the service's port in `SERVICE_CATALOG`. */
  defaultPort?: number;
  /** A browser-facing plain HTTP listener with its own module (the edge). */
  publicHttp?: { module: ModuleReference; defaultPort?: number };
  /** Verification of user access tokens, for services with `@Authenticated` or `@Roles` routes. */
  userTokens?: { issuer: string; audience: string | string[] };
  /** Environment variables; default `readEnvironment()`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Destination of the log lines; default standard output. */
  logDestination?: DestinationStream;
  /** Retries of the bootstrap request (see `@rokks/bootstrap`). */
  bootstrapRetry?: RetryOptions;
}

export type ServiceSettings<TShape extends z.core.$ZodShape = Record<never, never>> = BaseSettings &
  z.output<z.ZodObject<TShape>>;

export interface RunningService<TSettings extends BaseSettings = BaseSettings> {
  context: ServiceContext<TSettings>;
  /** The mesh application: HTTPS with mutual TLS, plus the microservice listener. */
  app: NestFastifyApplication<HttpsServer>;
  /** The browser-facing application, for services with `publicHttp`. */
  publicApp?: NestFastifyApplication;
  endpoints: ServiceEndpoints;
  /** Deregisters the instance, then closes every listener. Safe to call more than once. */
  close(): Promise<void>;
}

@Module({})
class ServiceRootModule {}

/**
 * Starts a service in this process. It fetches the identity from the
 * registry and validates the settings. Then it serves the NestJS
 * application on Fastify over HTTPS with mutual TLS (`/health`, `/docs` and
 * the module's routes) and the TCP microservice listener over mutual TLS.
 * Last, it registers the instance, with heartbeats and certificate renewal.
 * It installs no signal handlers: `runService` is the process entry point.
 *
 * @throws ConfigError, BootstrapError or the listener's error; everything
 * started so far is closed first.
 */
export async function startService<TShape extends z.core.$ZodShape = Record<never, never>>(
  options: ServiceOptions<TShape>,
): Promise<RunningService<ServiceSettings<TShape>>> {
  const env = options.env ?? readEnvironment();
  const early = loadConfig(earlySettingsSchema, { env });
  const logger = createLogger({
    service: options.service,
    level: early.logLevel,
    destination: options.logDestination,
  });

  registerBootstrapToken(env, early.dataDir);

  const serviceDataDir = path.join(early.dataDir, options.service);
  const identity = await bootstrapService({
    service: options.service,
    env: { ...env },
    dataDir: serviceDataDir,
    sharedDataDir: early.dataDir,
    logger,
    retry: options.bootstrapRetry,
  });

  registerIdentitySecrets(identity);

  const schema = baseSettingsSchema({ port: resolveDefaultPort(options) }).extend(
    options.settings?.shape ?? {},
  );
  const settings = loadConfig(schema, {
    env,
    registry: expandDottedKeys(identity.config),
  }) as ServiceSettings<TShape>;

  logger.level = settings.logLevel;

  const registry = new RegistryClient(identity, { logger, dataDir: serviceDataDir });
  const context = new ServiceContext(options.service, settings, logger, registry, serviceDataDir);
  const registration = new InstanceRegistration(registry, logger);
  const started = await startApplications(options, context, identity).catch(
    async (error: unknown) => {
      await registry.stop().catch(() => undefined);
      throw error;
    },
  );
  const endpoints = started.endpoints;

  context.markListening(endpoints);
  registry.onIdentityRenewed((renewed) => {
    updateServerIdentity(started.app.getHttpServer(), renewed);
    updateServerIdentity(started.microserviceServer, renewed);
  });
  await registration.start(endpoints.meshUrl);
  logger.info(
    {
      url: endpoints.meshUrl,
      microservicePort: endpoints.microservicePort,
      publicUrl: endpoints.publicUrl,
      instanceId: registration.instanceId,
      identitySource: identity.source,
    },
    'service started',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= closeService(logger, registration, started);

    return closing;
  };

  return { context, app: started.app, publicApp: started.publicApp, endpoints, close };
}

interface StartedApplications {
  app: NestFastifyApplication<HttpsServer>;
  publicApp?: NestFastifyApplication;
  microserviceServer: TlsServer;
  endpoints: ServiceEndpoints;
}

async function startApplications(
  options: ServiceOptions<z.core.$ZodShape>,
  context: ServiceContext,
  identity: ServiceIdentity,
): Promise<StartedApplications> {
  const settings = context.settings;
  const authOptions = authGuardOptions(options, identity);
  const applications: { close(): Promise<void> }[] = [];

  try {
    const app = await NestFactory.create<NestFastifyApplication<HttpsServer>>(
      rootModule(options.service, context, authOptions, options.module, true),
      new FastifyAdapter(httpsServerOptions(identity)),
      { bufferLogs: true, abortOnError: false },
    );

    applications.push(app);
    app.useLogger(new StartupQuietLogger(app.get(Logger)));
    setUpSwagger(app, options.service, options.description);

    const microservicePort =
      settings.microservicePort ??
      (settings.port === 0 ? 0 : settings.port + MICROSERVICE_PORT_OFFSET);
    const microservice = app.connectMicroservice<MicroserviceOptions>(
      microserviceOptions(identity, microservicePort, { host: settings.host }),
      { inheritAppConfig: true },
    );

    await app.startAllMicroservices();
    await app.listen(settings.port, settings.host);

    const microserviceServer = microservice.unwrap<TlsServer>();
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const endpoints: ServiceEndpoints = {
      meshUrl: `https://${formatHost(settings.advertisedHost)}:${port}`,
      port,
      microservicePort: (microserviceServer.address() as AddressInfo).port,
    };
    const publicApp =
      options.publicHttp === undefined
        ? undefined
        : await startPublicApplication(options, context, authOptions);

    if (publicApp !== undefined) {
      applications.push(publicApp);
      endpoints.publicPort = (publicApp.getHttpServer().address() as AddressInfo).port;
      endpoints.publicUrl = `http://${formatHost(settings.publicHost)}:${endpoints.publicPort}`;
    }

    return { app, publicApp, microserviceServer, endpoints };
  } catch (error) {
    for (const application of applications.reverse()) {
      await application.close().catch(() => undefined);
    }

    throw error;
  }
}

async function startPublicApplication(
  options: ServiceOptions<z.core.$ZodShape>,
  context: ServiceContext,
  authOptions: AuthGuardModuleOptions,
): Promise<NestFastifyApplication> {
  const publicHttp = options.publicHttp as NonNullable<ServiceOptions['publicHttp']>;
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule(options.service, context, authOptions, publicHttp.module, false),
    new FastifyAdapter(),
    { bufferLogs: true, abortOnError: false },
  );

  try {
    app.useLogger(new StartupQuietLogger(app.get(Logger)));
    await app.listen(
      context.settings.publicPort ?? publicHttp.defaultPort ?? EDGE_PUBLIC_PORT,
      context.settings.publicHost,
    );
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }

  return app;
}

function rootModule(
  service: string,
  context: ServiceContext,
  authOptions: AuthGuardModuleOptions,
  module: ModuleReference,
  health: boolean,
): DynamicModule {
  return {
    module: ServiceRootModule,
    imports: [
      LoggingModule.forService(service, { logger: context.logger }),
      AuthGuardModule.forRoot(authOptions),
      ServiceKitModule.forRoot(context, { health }),
      module,
    ],
  };
}

function authGuardOptions(
  options: ServiceOptions<z.core.$ZodShape>,
  identity: ServiceIdentity,
): AuthGuardModuleOptions {
  return {
    internalSecret: identity.internalSecret,
    // Every microservice listener of the kit uses mutual TLS.
    rpcTransportAuthenticated: true,
    jwt:
      options.userTokens === undefined
        ? undefined
        : {
            // The registry sends public JWKs with `kid`; node:crypto and jose type them differently.
            publicKeys: identity.jwtPublicKeys as unknown as JwtVerifierOptions['publicKeys'],
            issuer: options.userTokens.issuer,
            audience: options.userTokens.audience,
          },
  };
}

async function closeService(
  logger: PinoLogger,
  registration: InstanceRegistration,
  started: StartedApplications,
): Promise<void> {
  try {
    await registration.stop();
  } catch (error) {
    logger.warn(
      { err: error },
      'deregistration failed; the registry drops the instance when its TTL expires',
    );
  }

  if (started.publicApp !== undefined) {
    await started.publicApp.close();
  }

  await started.app.close();
  logger.info({}, 'service stopped');
}

function resolveDefaultPort(options: ServiceOptions<z.core.$ZodShape>): number {
  if (options.defaultPort !== undefined) {
    return options.defaultPort;
  }

  const entry = isServiceName(options.service)
    ? SERVICE_CATALOG.find((candidate) => candidate.service === options.service)
    : undefined;

  if (entry === undefined) {
    throw new TypeError(
      `Service "${options.service}" is not in SERVICE_CATALOG: pass defaultPort to startService().`,
    );
  }

  return entry.port;
}

// The bootstrap library reads the token but does not register it with the
// log scrubber, so the kit does, from the same two places it reads.
function registerBootstrapToken(
  env: Readonly<Record<string, string | undefined>>,
  sharedDataDir: string,
): void {
  const fromEnv = env.ROKKS_BOOTSTRAP_TOKEN?.trim();
  let fromFile: string | undefined;

  try {
    fromFile = readFileSync(path.join(sharedDataDir, 'registry', 'bootstrap-token'), 'utf8').trim();
  } catch {
    // No development token file: bootstrap reports what is missing.
  }

  for (const token of [fromEnv, fromFile]) {
    if (token !== undefined && token.length >= MIN_SECRET_VALUE_LENGTH) {
      registerSecretValue(token);
    }
  }
}

function registerIdentitySecrets(identity: ServiceIdentity): void {
  registerSecretValue(identity.internalSecret);

  for (const value of Object.values(identity.secrets)) {
    if (value.length >= MIN_SECRET_VALUE_LENGTH) {
      registerSecretValue(value);
    }
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
