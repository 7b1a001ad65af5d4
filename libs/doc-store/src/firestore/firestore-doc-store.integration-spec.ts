import { randomBytes } from 'node:crypto';

import { describeDocStoreContract } from '../testing';
import { FirestoreDocStore } from './firestore-doc-store';
import {
  type FirestoreEmulatorKind,
  type RunningFirestoreEmulator,
  startFirestoreEmulator,
} from './testing/firestore-emulator';
import { LoopbackCloudStorage } from './testing/loopback-cloud-storage';

// The Google client libraries would otherwise probe the cloud metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

const BUCKET = 'rokks-contract';

// The suite runs on LoopbackFirestore in this process by default.
// `ROKKS_FIRESTORE_CONTRACT=google` runs it on Google's emulator instead,
// and `package` on @firestore-emulator/server 0.3.15, which fails 24
// tests because it lacks query cursors, dotted field paths, `== null` and
// transaction isolation.
const emulatorKind = (process.env.ROKKS_FIRESTORE_CONTRACT ?? 'loopback') as FirestoreEmulatorKind;

let emulator: RunningFirestoreEmulator | undefined;
let storage: LoopbackCloudStorage | undefined;

afterAll(async () => {
  await storage?.stop();
  await emulator?.stop();
});

describe('Firestore contract run', () => {
  describeDocStoreContract('firestore', async ({ maxBlobBytes }) => {
    emulator = await startFirestoreEmulator({
      ROKKS_FIRESTORE_EMULATOR: emulatorKind,
      ROKKS_FIRESTORE_EMULATOR_JAR: process.env.ROKKS_FIRESTORE_EMULATOR_JAR,
    });
    storage = await LoopbackCloudStorage.start([BUCKET]);

    const run = randomBytes(4).toString('hex');

    return FirestoreDocStore.open({
      projectId: 'demo-rokks',
      rootPath: `contract/${run}`,
      bucket: BUCKET,
      blobPrefix: `contract-${run}/`,
      maxBlobBytes,
      // The smallest chunk Cloud Storage accepts, so blobs of the suite take several upload requests.
      uploadChunkBytes: 256 * 1024,
      firestoreEmulatorHost: emulator.host,
      storageApiEndpoint: storage.apiEndpoint,
    });
  });
});
