import { type z } from 'zod';

import { createLogger } from '@rokks/logging';

import { type BaseSettings } from './service-settings';
import { type RunningService, type ServiceOptions, startService } from './start-service';

// Grace period after a failed start before the process exits even if a
// handle (a socket, a timer) still keeps it alive.
const FAILED_START_EXIT_MS = 2000;

/**
 * Process entry point of a service's `main.ts`: starts the service
 * (`startService`) and shuts it down gracefully on SIGTERM or SIGINT, or
 * when the parent process that spawned it with an IPC channel goes away
 * (the development launcher does). A second signal exits at once. A failed
 * start is logged at fatal and ends the process with exit code 1.
 */
export async function runService<TShape extends z.core.$ZodShape = Record<never, never>>(
  options: ServiceOptions<TShape>,
): Promise<void> {
  let running: RunningService;

  try {
    running = (await startService(options)) as unknown as RunningService;
  } catch (error) {
    createLogger({ service: options.service, destination: options.logDestination }).fatal(
      { err: error },
      'service failed to start',
    );
    process.exitCode = 1;
    setTimeout(() => process.exit(1), FAILED_START_EXIT_MS).unref();

    return;
  }

  installShutdownHandlers(running);
}

function installShutdownHandlers(running: RunningService<BaseSettings>): void {
  const logger = running.context.logger;
  let shuttingDown = false;

  const shutdown = (reason: string): void => {
    if (shuttingDown) {
      logger.warn({ reason }, 'second shutdown request, exiting now');
      process.exit(1);
    }

    shuttingDown = true;
    logger.info({ reason }, 'shutting down');

    const timeoutMs = running.context.settings.shutdownTimeoutMs;

    setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out, exiting');
      process.exit(1);
    }, timeoutMs).unref();
    running.close().then(
      () => {
        process.exitCode ??= 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'graceful shutdown failed');
        process.exitCode = 1;
      },
    );
  };

  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  if (process.channel !== undefined) {
    // The IPC channel to the parent must not keep this process alive after
    // the shutdown; its closing means the parent is gone.
    process.channel.unref();
    process.once('disconnect', () => shutdown('parent process disconnected'));
  }
}
