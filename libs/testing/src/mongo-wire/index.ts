export { CommandError } from './command-error';
export { SUPPORTED_COMMANDS } from './commands/run-command';
export {
  MongoWireServer,
  type MongoWireServerOptions,
  type WireCommandEvent,
  type WireCommandListener,
} from './mongo-wire-server';
