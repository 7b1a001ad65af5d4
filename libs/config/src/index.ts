export { ConfigError, type ConfigProblem } from './config-error';
export { loadConfig, type ConfigSources } from './load-config';
export { readEnvironment } from './read-environment';
export {
  dataDirectory,
  findSecretProblem,
  flag,
  logLevel,
  markSecret,
  MIN_SECRET_LENGTH,
  port,
  secretString,
} from './setting-helpers';
export { fromEnv } from './setting-registries';
