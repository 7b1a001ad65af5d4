import { z } from 'zod';

import { fromEnv } from '@rokks/config';
import { DEFAULT_MAX_BLOB_BYTES } from '@rokks/doc-store';
import { type BaseSettings } from '@rokks/service-kit';

const optionalText = (error: string) => z.string({ error }).trim().min(1, error).optional();

/** Settings of the doc gateway, on top of the service kit's base settings. */
export const docGatewaySettings = z.object({
  /** Storage backend of documents and blobs. */
  backend: fromEnv(
    'DOC_BACKEND',
    z
      .enum(['embedded', 'firestore', 'mongo'], {
        error: 'must be embedded, firestore or mongo',
      })
      .default('embedded'),
  ),
  /** Maximum blob size in bytes; default 2 GiB. */
  maxBlobBytes: fromEnv(
    'DOC_MAX_BLOB_BYTES',
    z.coerce
      .number({ error: 'must be a whole number of bytes' })
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .default(DEFAULT_MAX_BLOB_BYTES),
  ),
  /** Directory of the embedded backend; default `<data dir>/doc-gateway/store`. */
  embeddedDirectory: fromEnv('DOC_EMBEDDED_DIR', optionalText('must be a directory path')),
  /** Google Cloud project of Firestore and Cloud Storage (firestore backend). */
  firestoreProjectId: fromEnv('FIRESTORE_PROJECT_ID', optionalText('must be a project id')),
  /** Firestore database id; default `(default)`. */
  firestoreDatabaseId: fromEnv('FIRESTORE_DATABASE_ID', optionalText('must be a database id')),
  /** Document path above the workspaces, such as `rokks/production`; default top level. */
  firestoreRootPath: fromEnv('FIRESTORE_ROOT_PATH', optionalText('must be a document path')),
  /** `host:port` of a Firestore emulator; unset for Google Cloud. */
  firestoreEmulatorHost: fromEnv('FIRESTORE_EMULATOR_HOST', optionalText('must be host:port')),
  /** Cloud Storage bucket of the blobs (firestore backend). */
  gcsBucket: fromEnv('GCS_BUCKET', optionalText('must be a bucket name')),
  /** Object name prefix of the blobs, ending with `/`; default none. */
  gcsPrefix: fromEnv('GCS_PREFIX', optionalText('must be an object name prefix ending with /')),
  /** Cloud Storage JSON API endpoint for a local server; unset for Google Cloud. */
  gcsApiEndpoint: fromEnv('GCS_API_ENDPOINT', z.url({ error: 'must be a URL' }).optional()),
  /** MonIO's mesh URL (mongo backend); default the instance the registry lists. */
  monioUrl: fromEnv('MONIO_URL', z.url({ error: 'must be a URL' }).optional()),
  /** Service account key file; default the application default credentials. */
  googleCredentialsFile: fromEnv(
    'GOOGLE_APPLICATION_CREDENTIALS',
    optionalText('must be a file path'),
  ),
});

export type DocGatewaySettings = BaseSettings & z.output<typeof docGatewaySettings>;
