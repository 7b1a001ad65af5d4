import { type Document } from 'bson';

import { CommandError, commandError } from '../command-error';
import { ADMIN_COMMANDS } from './admin-commands';
import { type CommandContext, type CommandHandler } from './command-context';
import { READ_COMMANDS } from './read-commands';
import { WRITE_COMMANDS } from './write-commands';

const HANDLERS: Record<string, CommandHandler> = {
  ...ADMIN_COMMANDS,
  ...READ_COMMANDS,
  ...WRITE_COMMANDS,
};

// A standalone mongod rejects transaction requests with this error. The
// server does the same, so a caller's fallback for standalone servers runs.
const NO_TRANSACTIONS = 'Transaction numbers are only allowed on a replica set member or mongos';

/** Names of the commands the server runs. */
export const SUPPORTED_COMMANDS: readonly string[] = Object.keys(HANDLERS).sort();

/**
 * Runs one command document and returns its reply. Failures come back as
 * `{ ok: 0, errmsg, code, codeName }`, as mongod sends them, never as a throw.
 */
export function runCommand(command: Document, context: CommandContext): Document {
  const [name] = Object.keys(command);

  try {
    if (
      command.txnNumber !== undefined ||
      command.startTransaction !== undefined ||
      name === 'commitTransaction' ||
      name === 'abortTransaction'
    ) {
      throw commandError('IllegalOperation', NO_TRANSACTIONS);
    }

    const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;

    if (handler === undefined) {
      throw commandError('CommandNotFound', `no such command: '${name}'`);
    }

    return handler(command, context);
  } catch (error) {
    if (error instanceof CommandError) {
      return error.toReply();
    }

    // mingo raises plain errors for operators it does not know or bad arguments.
    return commandError(
      'BadValue',
      error instanceof Error ? error.message : String(error),
    ).toReply();
  }
}
