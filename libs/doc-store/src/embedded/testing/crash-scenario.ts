/** Scenarios of the crash-safety child process. */
export type CrashScenario = 'blob-stream' | 'blob-loop' | 'batch';

/** Documents the batch scenario commits before the large batch. */
export const BATCH_BASELINE_DOCUMENTS = 100;

/** Documents in the large batch that the parent kills the child during. */
export const CRASH_BATCH_DOCUMENTS = 500;
