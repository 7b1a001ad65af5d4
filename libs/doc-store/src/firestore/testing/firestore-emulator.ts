import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

import { LoopbackFirestore } from './loopback-firestore';

/** A Firestore emulator listening on 127.0.0.1. */
export interface RunningFirestoreEmulator {
  /** `127.0.0.1:<port>`, for `firestoreEmulatorHost`. */
  host: string;
  /** Emulator that runs: Google's Cloud Firestore emulator, the `@firestore-emulator/server` package or `LoopbackFirestore`. */
  kind: FirestoreEmulatorKind;
  stop(): Promise<void>;
}

export type FirestoreEmulatorKind = 'google' | 'package' | 'loopback';

/** Install path of the emulator in the Google Cloud CLI's Debian package `google-cloud-cli-firestore-emulator`. */
export const DEFAULT_FIRESTORE_EMULATOR_JAR =
  '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';

const START_TIMEOUT_MS = 60_000;
const READY_LINE = 'Dev App Server is now running';

async function freePort(): Promise<number> {
  const server = createServer();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  const address = server.address();

  await new Promise<void>((resolve) => server.close(() => resolve()));

  if (address === null || typeof address === 'string') {
    throw new Error('No free port on 127.0.0.1');
  }

  return address.port;
}

/**
 * Starts Google's Cloud Firestore emulator (Java) on a free port of
 * 127.0.0.1 and waits until it serves. `jar` defaults to the Google Cloud
 * CLI's install path. The emulator follows Firestore's query, transaction
 * and size rules, but requires no composite indexes.
 */
export async function startGoogleFirestoreEmulator(
  jar: string = DEFAULT_FIRESTORE_EMULATOR_JAR,
): Promise<RunningFirestoreEmulator> {
  if (!existsSync(jar)) {
    throw new Error(
      `The Cloud Firestore emulator is not installed at ${jar}: install the Debian package google-cloud-cli-firestore-emulator (with Java 11 or later), or set ROKKS_FIRESTORE_EMULATOR_JAR to its cloud-firestore-emulator.jar.`,
    );
  }

  const port = await freePort();
  const child = spawn(
    'java',
    [
      '-Duser.language=en',
      '-cp',
      jar,
      'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
      'start',
      '--host=127.0.0.1',
      `--port=${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );

  await waitForReady(child);

  return {
    host: `127.0.0.1:${port}`,
    kind: 'google',
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`The Firestore emulator did not start within ${START_TIMEOUT_MS} ms:\n${output}`),
      );
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');

      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    };

    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `The Firestore emulator exited with code ${String(code)} before it served:\n${output}`,
        ),
      );
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  child.kill('SIGTERM');

  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);

  await exited;
  clearTimeout(timer);
}

interface GrpcServer {
  bindAsync(
    address: string,
    credentials: unknown,
    callback: (error: Error | null, port: number) => void,
  ): void;
  forceShutdown(): void;
}

/**
 * Starts the `@firestore-emulator/server` package in this process on a free
 * port of 127.0.0.1. Its `start()` binds 0.0.0.0, so this binds the
 * package's gRPC server itself.
 * NOTE: the package (0.3.15) implements too little of Firestore for the
 * contract suite. It has no query cursors, no dotted field paths and no
 * transaction isolation; the library README lists what fails.
 */
export async function startPackageFirestoreEmulator(): Promise<RunningFirestoreEmulator> {
  // The package's own copy of @grpc/grpc-js must create the credentials, or its server rejects them.
  const packageRequire = createRequire(
    createRequire(__filename).resolve('@firestore-emulator/server'),
  );
  const grpc = packageRequire('@grpc/grpc-js') as {
    ServerCredentials: { createInsecure(): unknown };
  };
  const { FirestoreServer } = (await import('@firestore-emulator/server')) as {
    FirestoreServer: new () => object;
  };
  const emulator = new FirestoreServer();
  const server = (emulator as { server: GrpcServer }).server;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    );
  });

  return {
    host: `127.0.0.1:${port}`,
    kind: 'package',
    stop: async () => server.forceShutdown(),
  };
}

/** Starts `LoopbackFirestore` in this process on a free port of 127.0.0.1. */
export async function startLoopbackFirestore(): Promise<RunningFirestoreEmulator> {
  const firestore = await LoopbackFirestore.start();

  return { host: firestore.host, kind: 'loopback', stop: () => firestore.stop() };
}

/**
 * Starts the emulator that `ROKKS_FIRESTORE_EMULATOR` names: `google`
 * (default), `package` or `loopback`. `ROKKS_FIRESTORE_EMULATOR_JAR`
 * overrides the Google emulator's jar.
 */
export async function startFirestoreEmulator(
  env: Readonly<Record<string, string | undefined>>,
): Promise<RunningFirestoreEmulator> {
  const kind = env.ROKKS_FIRESTORE_EMULATOR ?? 'google';

  if (kind === 'package') {
    return startPackageFirestoreEmulator();
  }

  if (kind === 'loopback') {
    return startLoopbackFirestore();
  }

  if (kind !== 'google') {
    throw new Error(
      `Invalid ROKKS_FIRESTORE_EMULATOR ${JSON.stringify(kind)}: use "google", "package" or "loopback".`,
    );
  }

  return startGoogleFirestoreEmulator(
    env.ROKKS_FIRESTORE_EMULATOR_JAR ?? DEFAULT_FIRESTORE_EMULATOR_JAR,
  );
}
