import type { UnknownName, WorkerInfo } from './management-types.js';

/**
 * The calls of a `Backend` that keep track of live workers and of the names they lacked: what `getStats`
 * joins with the pending tasks to tell which queues and names wait for a worker (see `presenceReport`).
 */
export interface WorkerPresenceCalls {
  /**
   * Announces a live worker, or renews its announcement: stores `info` under `info.workerId` (replacing what
   * was stored) until `ttlMs` from now by the store's clock. Throws `InvalidArgumentError` (storing nothing)
   * for a malformed `info` or a `ttlMs` that is not a positive integer.
   */
  announceWorker(info: WorkerInfo, ttlMs: number): Promise<void>;
  /** Removes a worker's announcement at once; an unknown id changes nothing. */
  withdrawWorker(workerId: string): Promise<void>;
  /** The workers whose announcement has not expired, by `startedAt`, then `workerId`. */
  listWorkers(): Promise<WorkerInfo[]>;
  /**
   * Records that a worker claimed a task whose name it has not registered, seen now (the store's clock); an
   * entry not recorded again within `UNKNOWN_NAME_RETENTION_MS` is dropped. Read by `getStats`
   * (`unservedNames`). Throws `InvalidArgumentError` (storing nothing) for a bad kind, queue or name.
   */
  recordUnknownName(name: UnknownName): Promise<void>;
}
