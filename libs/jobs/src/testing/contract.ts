import { cancelContractTests } from './contract-cancel';
import { type ContractBackend, createContractContext } from './contract-context';
import { executionContractTests } from './contract-execution';
import { leaseContractTests } from './contract-leases';
import { listContractTests } from './contract-list';
import { observeContractTests } from './contract-observe';
import { shutdownContractTests } from './contract-shutdown';
import { submitContractTests } from './contract-submit';

/**
 * Registers the Jest tests that every `JobEngine` backend must pass. They
 * cover submit and validation, idempotency, priority, delayed jobs, retries
 * with backoff, failure after the last attempt and concurrency per type.
 * They also cover leases (renewal, stalled attempts, expiry), cancellation,
 * progress, logs, events, listing, retention and graceful shutdown. Each
 * test gets its own store, so tests cannot see each other's jobs.
 */
export function describeJobEngineContract(name: string, backend: ContractBackend): void {
  describe(`JobEngine contract: ${name}`, () => {
    const context = createContractContext(backend);

    submitContractTests(context);
    executionContractTests(context);
    leaseContractTests(context);
    cancelContractTests(context);
    observeContractTests(context);
    listContractTests(context);
    shutdownContractTests(context);
  });
}
