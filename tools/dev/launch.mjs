#!/usr/bin/env node
// Starts the whole Rokks stack for development: builds once, starts the
// registry, then every service as its own process on its fixed port, and
// prints a summary once the healthcheck reports every service up. Ctrl-C
// (or SIGTERM) stops everything, and a service that crashes later is restarted
// with backoff.
//
// Environment:
//   ROKKS_DATA_DIR          data directory (default .rokks in the working directory)
//   ROKKS_DEV_PORT_OFFSET   added to every port, to run a second stack beside yours (default 0)
//   ROKKS_LOG_LEVEL         minimum level printed, also passed to the services (default info)
//   ROKKS_DEV_LOG_FORMAT    pretty (default) or json (one JSON object per line)
//   ROKKS_DEV_DIST_DIR      build output that the processes run from (default dist)
//   ROKKS_DEV_SKIP_BUILD    1 to run the existing build output
//   ROKKS_DEV_START_TIMEOUT_MS  time allowed until every service is healthy (default 60000)
//   ROKKS_DEV_DEMO_DATA     0 to skip loading the demo table seattle_weather (default 1)
//   ROKKS_ADMIN_EMAIL, ROKKS_ADMIN_PASSWORD  the first administrator; when unset, one is
//                           generated and kept in <data dir>/dev-admin.json
//   NO_COLOR                any value turns colours off
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DevLauncher, LaunchError } from './lib/dev-launcher.mjs';
import { LogPrinter } from './lib/log-printer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function readSettings(env) {
  const problems = [];
  const integer = (name, fallback, minimum, maximum) => {
    const text = env[name]?.trim() || String(fallback);
    const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;

    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      problems.push(`${name} must be an integer from ${minimum} to ${maximum}`);
    }

    return value;
  };
  const format = env.ROKKS_DEV_LOG_FORMAT?.trim() || 'pretty';

  if (format !== 'pretty' && format !== 'json') {
    problems.push('ROKKS_DEV_LOG_FORMAT must be pretty or json');
  }

  const demoData = env.ROKKS_DEV_DEMO_DATA?.trim() || '1';

  if (demoData !== '0' && demoData !== '1') {
    problems.push('ROKKS_DEV_DEMO_DATA must be 0 or 1');
  }

  const settings = {
    dataDir: path.resolve(env.ROKKS_DATA_DIR?.trim() || '.rokks'),
    // 3000 (the edge's browser port) is the lowest port and 5014 the highest.
    portOffset: integer('ROKKS_DEV_PORT_OFFSET', 0, -2999, 60_000),
    startTimeoutMs: integer('ROKKS_DEV_START_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    distDir: path.resolve(env.ROKKS_DEV_DIST_DIR?.trim() || path.join(root, 'dist')),
    skipBuild: env.ROKKS_DEV_SKIP_BUILD === '1',
    demoData: demoData === '1',
    logLevel: env.ROKKS_LOG_LEVEL?.trim() || 'info',
    format,
  };

  if (problems.length > 0) {
    throw new LaunchError(`Invalid launcher settings:\n- ${problems.join('\n- ')}`);
  }

  return settings;
}

async function main() {
  let settings;
  let printer;

  try {
    settings = readSettings(process.env);
    printer = new LogPrinter({
      format: settings.format,
      level: settings.logLevel,
      colour: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
    });
  } catch (error) {
    console.error(error.message);
    process.exitCode = 2;

    return;
  }

  const launcher = new DevLauncher({ ...settings, root, env: { ...process.env }, printer });
  const stop = (signal) => {
    launcher.shutdown(signal).then(
      () => process.exit(0),
      (error) => {
        printer.log(
          'error',
          { err: { message: error.message, stack: error.stack } },
          'stopping failed',
        );
        process.exit(1);
      },
    );
  };

  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  printer.log(
    'info',
    { dataDir: settings.dataDir, portOffset: settings.portOffset },
    'launching Rokks',
  );

  try {
    await launcher.start();
  } catch (error) {
    if (launcher.stopping) {
      return;
    }

    const detail =
      error instanceof LaunchError
        ? { message: error.message }
        : { message: error.message, stack: error.stack };

    printer.log('fatal', { err: detail }, 'launch failed');
    await launcher.shutdown('launch failed');
    process.exit(1);
  }
}

await main();
