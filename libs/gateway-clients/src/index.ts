export { AUDIT_RECORD_FAILED_MESSAGE, AuditRecorder, type AuditWarningLogger } from './audit-recorder';
export {
  type BlobBody,
  type BlobDownload,
  type BlobInfo,
  type BlobPage,
  DOC_GATEWAY_SERVICE,
  DocGatewayClient,
  type ListBlobsOptions,
  type PutBlobOptions,
  SHA256_HEADER,
  WORKSPACE_HEADER,
} from './doc-gateway-client';
export { type EtlJobPayload, uploadBlobPath } from './etl-job';
export {
  type BaseUrl,
  type GatewayConnection,
  type MeshFetchFunction,
  type MeshRequestFunction,
  type MeshRequestInit,
} from './gateway-connection';
export { type ErrorBody, GatewayError } from './gateway-error';
export {
  type AuditEntryView,
  type AuditRecordRequest,
  type JobStatus,
  type JobView,
  type SubmitJobRequest,
  WORKER_SERVICE,
  WorkerClient,
} from './worker-client';
export { type InstanceLister, type ListedInstance, ServiceDirectory, type ServiceDirectoryOptions } from './service-directory';
export { type LoadStatus, SQL_GATEWAY_SERVICE, SqlGatewayClient, type TableView } from './sql-gateway-client';
export { COPY_TEXT_MEDIA_TYPE, MAX_ROWS_REQUEST_BYTES, SqlGatewayLoadTarget } from './sql-gateway-load-target';
export { PushedBody } from './copy-body';
export { WorkerAuditRecorder } from './worker-audit-recorder';
