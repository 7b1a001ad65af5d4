export { BootstrapError, type BootstrapErrorCode } from './bootstrap.errors';
export {
  type BootstrapLogger,
  type BootstrapOptions,
  bootstrapService,
  type RetryOptions,
} from './bootstrap-service';
export { DEFAULT_DATA_DIR, DEFAULT_REGISTRY_URL, defaultSharedDataDir } from './bootstrap-settings';
export {
  CACHE_FILE_NAME,
  identityCachePath,
  readIdentityCache,
  writeIdentityCache,
} from './identity-cache';
export { RegistryClient, type RegistryClientOptions, renewalDelayMs } from './registry-client';
export {
  BOOTSTRAP_TOKEN_HEADER,
  type BootstrapResponse,
  bootstrapResponseSchema,
  type InstanceRegistration,
  type ServiceIdentity,
  type ServiceInstanceInfo,
} from './service-identity';
