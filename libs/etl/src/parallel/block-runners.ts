import { existsSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

import { type BlockThreadMessage } from './block-messages';
import { type BlockOutcome, type BlockTask, BlockWorker, type BlockWorkSetup, reuseCopyTextMemory } from './block-work';

/** Runs block tasks; each task's outcome comes back through its own promise. */
export interface BlockRunner {
  run(task: BlockTask): Promise<BlockOutcome>;
  /** Gives back the memory of a block's COPY text once the load target has taken it. */
  reuse(copyText: Uint8Array): void;
  /** Stops the runner; the outcomes of tasks still running are dropped. */
  close(): Promise<void>;
}

/** The heap limit of a block thread: a block's rows and COPY text need a few MB, a block of long records more. */
const THREAD_OLD_SPACE_MB = 128;

/**
 * The young generation of a block thread. Half of V8's default: with two
 * threads on the flights file, it kept the worker's peak RSS about 30 MB
 * lower for about 5 % more CPU (BENCHMARKS.md).
 */
export const BLOCK_THREAD_YOUNG_MB = 16;

/**
 * Returns the compiled script of the block threads, or null when this code
 * runs from TypeScript sources (under Jest), where a thread cannot load it.
 */
export function blockThreadScript(): string | null {
  const script = path.join(__dirname, 'block-thread.js');

  return existsSync(script) ? script : null;
}

/** Runs the tasks one by one on the calling thread, one event-loop turn apart, for tests without compiled code. */
export class InlineBlockRunner implements BlockRunner {
  private readonly worker: BlockWorker;

  constructor(setup: BlockWorkSetup) {
    this.worker = new BlockWorker(setup);
  }

  async run(task: BlockTask): Promise<BlockOutcome> {
    await nextTurn();

    return this.worker.run(task);
  }

  reuse(copyText: Uint8Array): void {
    reuseCopyTextMemory(copyText.buffer as ArrayBuffer);
  }

  async close(): Promise<void> {
    // Nothing runs between the tasks.
  }
}

interface WaitingTask {
  resolve: (outcome: BlockOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * One block thread. It returns the outcomes of the blocks posted to it in
 * order, whatever run they belong to, so the outcomes match a queue of
 * waiting tasks. The thread keeps the process open only while it has tasks.
 */
class BlockThread {
  failed: Error | null = null;
  private readonly waiting: WaitingTask[] = [];
  private readonly worker: Worker;

  constructor(script: string) {
    this.worker = new Worker(script, {
      resourceLimits: { maxOldGenerationSizeMb: THREAD_OLD_SPACE_MB, maxYoungGenerationSizeMb: BLOCK_THREAD_YOUNG_MB },
    });
    this.worker.on('message', (outcome: BlockOutcome) => {
      this.waiting.shift()?.resolve(outcome);

      if (this.waiting.length === 0) {
        this.worker.unref();
      }
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the block thread exited with code ${code}`)));
    // After the listeners, because in Node 20.20 adding a 'message' listener refs the worker again,
    // and a thread that never gets a block would then keep the process open.
    this.worker.unref();
  }

  get load(): number {
    return this.waiting.length;
  }

  send(message: BlockThreadMessage, transfer: ArrayBuffer[] = []): void {
    if (this.failed === null) {
      this.worker.postMessage(message, transfer);
    }
  }

  post(run: number, task: BlockTask): Promise<BlockOutcome> {
    return new Promise<BlockOutcome>((resolve, reject) => {
      if (this.failed !== null) {
        reject(this.failed);

        return;
      }

      this.waiting.push({ resolve, reject });
      this.worker.ref();
      // The memory moves to the thread, which gives it back with the outcome.
      this.send({ type: 'block', run, task }, [task.bytes.buffer as ArrayBuffer]);
    });
  }

  async terminate(): Promise<void> {
    this.fail(new Error('the block threads were stopped'));
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failed ??= error;

    for (const task of this.waiting.splice(0)) {
      task.reject(this.failed);
    }
  }
}

/**
 * Block threads kept from one run to the next, so that a run does not pay
 * for starting threads and compiling their code again. Runs share the
 * threads; a thread that fails is replaced at the next run.
 */
export class BlockThreadPool {
  private threads: BlockThread[] = [];
  private nextRun = 1;

  constructor(private readonly script: string) {}

  /** Returns a runner for one run, on `count` threads of the pool. */
  runner(setup: BlockWorkSetup, count: number): BlockRunner {
    this.threads = this.threads.filter((thread) => thread.failed === null);

    while (this.threads.length < count) {
      this.threads.push(new BlockThread(this.script));
    }

    return new PooledRunner(this.threads.slice(0, count), this.nextRun++, setup);
  }

  /** Stops every thread; runs still going get their blocks back unfinished. */
  async close(): Promise<void> {
    const threads = this.threads;

    this.threads = [];
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}

/** Runs one run's tasks on pool threads, each on the thread with the fewest tasks waiting. */
class PooledRunner implements BlockRunner {
  private closed = false;
  private nextReuse = 0;

  constructor(
    private readonly threads: BlockThread[],
    private readonly id: number,
    setup: BlockWorkSetup,
  ) {
    for (const thread of threads) {
      thread.send({ type: 'open', run: id, setup });
    }
  }

  run(task: BlockTask): Promise<BlockOutcome> {
    const alive = this.threads.filter((thread) => thread.failed === null);

    if (this.closed || alive.length === 0) {
      return Promise.reject(new Error(this.closed ? 'the block runner was closed' : 'no block thread is running'));
    }

    const least = alive.reduce((best, thread) => (thread.load < best.load ? thread : best));

    return least.post(this.id, task);
  }

  reuse(copyText: Uint8Array): void {
    const thread = this.threads[this.nextReuse++ % this.threads.length];
    const memory = copyText.buffer as ArrayBuffer;

    thread.send({ type: 'reuse', memory }, [memory]);
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }

    this.closed = true;

    for (const thread of this.threads) {
      thread.send({ type: 'close', run: this.id });
    }
  }
}

const pools = new Map<string, BlockThreadPool>();

/** Returns the process's pool of block threads that run `script`. */
export function sharedBlockThreadPool(script: string): BlockThreadPool {
  let pool = pools.get(script);

  if (pool === undefined) {
    pool = new BlockThreadPool(script);
    pools.set(script, pool);
  }

  return pool;
}
