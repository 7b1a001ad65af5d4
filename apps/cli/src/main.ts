#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { readEnvironment } from '@rokks/config';

import { CliError, EXIT_USAGE } from './api-client';
import { importFile, jobs, login, logout, query, tables, type CommandContext } from './commands';
import { configDirectory, SessionStore } from './session-store';

const USAGE = `Usage: rokks <command> [options]

Commands:
  login --email E --password-stdin   sign in (the password is read from standard input)
  logout                             end the session
  import FILE --table NAME [--spec spec.json] [--mode create|replace|append|upsert] [--key col[,col]]
                                     upload a CSV/JSON file and load it into a table
  query "SQL" [--format table|csv|json] [--limit N]
                                     run one read-only statement against logical table names
  tables                             list the tables with their row counts
  jobs [--status S] [--limit N]      list recent jobs

Options for every command:
  --url URL   the platform's address (default: the signed-in one, else ROKKS_URL, else http://127.0.0.1:3000)
  --help      show this help

Exit codes: 0 done, 1 a request or job failed, 2 wrong usage, 3 not signed in.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];

  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks).toString('utf8');
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }

  if (!/^\d+$/u.test(value)) {
    throw new CliError(`Invalid --${name} ${value}: expected a whole number.`, EXIT_USAGE);
  }

  return Number(value);
}

/** Parses the arguments, runs one command and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const env = readEnvironment();
  let parsed: ReturnType<typeof parseCommandLine>;

  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);

    return EXIT_USAGE;
  }

  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;

  if (values.help === true || command === undefined || command === 'help') {
    process.stdout.write(USAGE);

    return command === undefined && values.help !== true ? EXIT_USAGE : 0;
  }

  const context: CommandContext = {
    store: new SessionStore(configDirectory(env)),
    url: (values.url ?? env.ROKKS_URL?.trim()) || null,
    out: (text) => process.stdout.write(text),
    note: (text) => process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    readStdin,
  };

  try {
    switch (command) {
      case 'login':
        await login(context, { email: values.email, passwordStdin: values['password-stdin'] === true });
        break;
      case 'logout':
        await logout(context);
        break;
      case 'import': {
        if (rest.length !== 1 || values.table === undefined) {
          throw new CliError('Usage: rokks import FILE --table NAME [--spec spec.json] [--mode MODE] [--key COLUMNS]', EXIT_USAGE);
        }

        await importFile(context, rest[0], { table: values.table, specFile: values.spec, mode: values.mode ?? 'create', key: values.key });
        break;
      }

      case 'query':
        if (rest.length !== 1) {
          throw new CliError('Usage: rokks query "SQL" [--format table|csv|json] [--limit N]', EXIT_USAGE);
        }

        await query(context, rest[0], { format: values.format ?? 'table', limit: wholeNumber('limit', values.limit) });
        break;
      case 'tables':
        await tables(context);
        break;
      case 'jobs':
        await jobs(context, { status: values.status, limit: wholeNumber('limit', values.limit) ?? 20 });
        break;
      default:
        throw new CliError(`Unknown command ${command}.\n\n${USAGE}`, EXIT_USAGE);
    }
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`rokks: ${error.message}\n`);

      return error.exitCode;
    }

    throw error;
  }

  return 0;
}

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      email: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      table: { type: 'string' },
      spec: { type: 'string' },
      mode: { type: 'string' },
      key: { type: 'string' },
      format: { type: 'string' },
      limit: { type: 'string' },
      status: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`rokks: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
