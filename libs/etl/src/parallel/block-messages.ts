import { type BlockTask, type BlockWorkSetup } from './block-work';

/** A message from the main thread to a block thread. `run` identifies one of the runs that share the thread. */
export type BlockThreadMessage =
  | { type: 'open'; run: number; setup: BlockWorkSetup }
  | { type: 'block'; run: number; task: BlockTask }
  | { type: 'close'; run: number }
  /** The memory of COPY text the load target has taken, moved back for later blocks. */
  | { type: 'reuse'; memory: ArrayBuffer };
