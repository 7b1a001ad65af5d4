// The entry point of an ETL block thread. A thread serves the blocks of any
// number of runs, each with its own BlockWorker, and posts the outcome of
// every block in the order the blocks came. The memory of the block's
// bytes and of its COPY text moves to the main thread with the outcome, so
// none of it waits for this thread's garbage collector.
import { parentPort } from 'node:worker_threads';

import { type BlockThreadMessage } from './block-messages';
import { BlockWorker, type BlockWorkSetup, reuseCopyTextMemory } from './block-work';

const port = parentPort;

if (port === null) {
  throw new Error('block-thread runs only as a worker thread');
}

/** The worker of each open run, or why it could not be built. */
const workers = new Map<number, BlockWorker | string>();

function open(setup: BlockWorkSetup): BlockWorker | string {
  try {
    return new BlockWorker(setup);
  } catch (error) {
    return `the block worker could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}

port.on('message', (message: BlockThreadMessage) => {
  switch (message.type) {
    case 'open':
      workers.set(message.run, open(message.setup));
      break;
    case 'close':
      workers.delete(message.run);
      break;
    case 'reuse':
      reuseCopyTextMemory(message.memory);
      break;
    case 'block': {
      const { task } = message;
      const worker = workers.get(message.run) ?? 'the run was closed';
      const outcome = typeof worker === 'string' ? { index: task.index, done: false as const, bytes: task.bytes, reason: worker, badData: false } : worker.run(task);
      const memory = [outcome.bytes.buffer as ArrayBuffer];

      if (outcome.done) {
        memory.push(outcome.copyText.buffer as ArrayBuffer);
      }

      port.postMessage(outcome, memory);
      break;
    }
  }
});
