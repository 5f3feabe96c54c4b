import type { WorkflowInstance } from '../core/instance.js';
import type {
  BackendStats,
  DeadLetterPage,
  HeldWorkflowInstancePage,
  ListDeadLetterMessagesQuery,
  FilteredWorkflowInstancesQuery,
  ListWorkflowInstancesQuery,
  WorkflowInstanceDetails,
  WorkflowInstancePage,
} from './management-types.js';

/**
 * The calls of a `Backend` that operators make through the client and no worker needs: listing, removing,
 * counting, and putting held executions and dead-letter messages back to work.
 */
export interface OperatorCalls {
  /**
   * Deletes an ended execution together with every other execution of its continue-as-new chain (the
   * executions of one instance id linked by continue-as-new; a later start of a finished id begins a new
   * chain), and everything stored for them. Throws `InstanceNotFinishedError` (and deletes nothing) while
   * the chain's latest execution is active, and `InstanceNotFoundError` if `instance` is unknown.
   */
  removeWorkflowInstance(instance: WorkflowInstance): Promise<void>;
  /**
   * Deletes every chain whose latest execution finished before `finishedBefore`, as a whole; never an
   * execution of a chain whose latest execution is active. Returns how many executions were deleted.
   */
  removeWorkflowInstances(finishedBefore: Date): Promise<number>;
  /**
   * Executions matching the query's filter (`WorkflowInstanceFilter`), newest first, a page at a time. A page may
   * hold fewer than `count` executions, even none, and still have a `nextCursor` when the backend bounds the work
   * of one call (RedisBackend does when filtering by state, name or queue); only a page without `nextCursor` ends
   * the listing.
   */
  listWorkflowInstances(query: FilteredWorkflowInstancesQuery): Promise<WorkflowInstancePage>;
  /**
   * What the store records of one execution besides its history: its listing fields, its hold (while its
   * workflow task is held) and the execution it continued from. Throws `InstanceNotFoundError` for an unknown
   * execution.
   */
  getWorkflowInstanceDetails(instance: WorkflowInstance): Promise<WorkflowInstanceDetails>;
  /**
   * Active and held executions, pending tasks per queue, live workers, and the queues and names pending work
   * waits on with no live worker to serve it (see `presenceReport`).
   */
  getStats(): Promise<BackendStats>;
  /** Dead-letter messages, by partition and then oldest first, a page at a time. A backend without an outbox has none. */
  listDeadLetterMessages(query: ListDeadLetterMessagesQuery): Promise<DeadLetterPage>;
  /**
   * Puts a dead-letter message back for delivery, with fresh attempts. Throws `DeadLetterNotFoundError`
   * when `id` names none.
   */
  retryDeadLetterMessage(id: string): Promise<void>;
  /** Held executions, newest hold (`since`) first, a page at a time. */
  listHeldWorkflowInstances(query: ListWorkflowInstancesQuery): Promise<HeldWorkflowInstancePage>;
  /**
   * Clears the hold of an execution (its attempts start again from 0) and queues its task now. Resolves false,
   * changing nothing, when the execution is not held. Throws `InstanceNotFoundError` for an unknown execution.
   */
  retryHeldWorkflowInstance(instance: WorkflowInstance): Promise<boolean>;
}
