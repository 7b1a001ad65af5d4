export { BodyError, type BodyParserOptions, installBodyParsers, STREAM_BODY } from './body-parsers';
export {
  ReadinessChecks,
  type ReadinessCheck,
  type ReadinessCheckOptions,
} from './health/readiness-checks';
export { InstanceRegistration } from './instance-registration';
export { MeshClient } from './mesh-client';
export { runService } from './run-service';
export {
  devPorts,
  EDGE_PUBLIC_PORT,
  isServiceName,
  MICROSERVICE_PORT_OFFSET,
  SERVICE_CATALOG,
  SERVICE_NAMES,
  type ServiceName,
  type ServicePorts,
} from './service-catalog';
export { ServiceContext, type ServiceEndpoints } from './service-context';
export { ServiceKitModule } from './service-kit.module';
export { baseSettingsSchema, type BaseSettings, expandDottedKeys } from './service-settings';
export {
  type RunningService,
  type ServiceOptions,
  type ServiceSettings,
  startService,
} from './start-service';
