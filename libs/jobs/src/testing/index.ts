// Test helpers for job engine backends. Kept apart from the library entry
// because they call Jest's globals (describe, it, expect).
// NOTE: only code inside libs/jobs can import this folder (as '../testing').
// A backend in another project needs a "@rokks/jobs/testing" path in
// tsconfig.base.json and an exception to the lint ban on deep imports.
export { describeJobEngineContract } from './contract';
export {
  blockEventLoop,
  type ContractBackend,
  deferred,
  expectJobsError,
  FAST_OPTIONS,
  sleepUnlessAborted,
  TEST_TIMEOUT_MS,
  waitFor,
  waitForStatus,
} from './contract-context';
