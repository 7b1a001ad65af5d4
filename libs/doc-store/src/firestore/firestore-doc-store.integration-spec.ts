import { randomBytes } from 'node:crypto';

import { describeDocStoreContract } from '../testing';
import { FirestoreDocStore } from './firestore-doc-store';
import { type RunningFirestoreEmulator, startFirestoreEmulator } from './testing/firestore-emulator';
import { LoopbackCloudStorage } from './testing/loopback-cloud-storage';

// The Google client libraries would otherwise probe the cloud metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

const BUCKET = 'rokks-contract';

let emulator: RunningFirestoreEmulator | undefined;
let storage: LoopbackCloudStorage | undefined;

afterAll(async () => {
  await storage?.stop();
  await emulator?.stop();
});

describeDocStoreContract('firestore', async ({ maxBlobBytes }) => {
  emulator = await startFirestoreEmulator(process.env);
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
