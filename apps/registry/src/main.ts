import { readEnvironment } from '@rokks/config';
import { createLogger } from '@rokks/logging';

import { startRegistry } from './registry-app';

async function main(): Promise<void> {
  try {
    const registry = await startRegistry({ env: readEnvironment() });

    // On SIGTERM or SIGINT Nest closes the app (HTTP server, then database) and
    // re-raises the signal.
    registry.app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  } catch (error) {
    createLogger({ service: 'registry' }).fatal({ err: error }, 'registry failed to start');
    process.exitCode = 1;
  }
}

void main();
