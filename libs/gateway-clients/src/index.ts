export { type EtlJobPayload, uploadBlobPath } from './etl-job';
