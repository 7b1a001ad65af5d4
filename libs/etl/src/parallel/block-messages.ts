import { type BlockTask, type BlockWorkSetup } from './block-work';

/** What the main thread sends a block thread; `run` tells apart the runs that share the thread. */
export type BlockThreadMessage =
  | { type: 'open'; run: number; setup: BlockWorkSetup }
  | { type: 'block'; run: number; task: BlockTask }
  | { type: 'close'; run: number }
  /** The memory of COPY text the load target has taken, moved back for later blocks. */
  | { type: 'reuse'; memory: ArrayBuffer };
