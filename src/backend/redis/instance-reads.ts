import type { Logger } from 'pino';
import type { ExecutionOutcome } from '../backend.js';
import { decodeHistoryEvent } from '../../codec/event-codec.js';
import type { WorkflowInstance, WorkflowInstanceState } from '../../core/instance.js';
import { assertInstanceId } from '../../core/validation.js';
import { InstanceNotFoundError } from '../../errors/errors.js';
import type { HistoryEvent } from '../../history/events.js';
import type { AnnouncementConnection } from './announcement-connection.js';
import { CompletionWaiter } from './completion-waiter.js';
import type { DataLossWatch } from './data-loss-watch.js';
import { executionKey, finishedChannel, historyKey, instanceKey } from './keys.js';
import { OutcomeRead } from './outcome-read.js';
import type { RedisConnection } from './redis-connection.js';
import { indexMember, isExecutionState, partitionIn, type RedisContext } from './redis-context.js';

/** The state an execution hash holds; `InstanceNotFoundError` when there is no hash. */
function toState(value: string | null | undefined, instance: WorkflowInstance): WorkflowInstanceState {
  if (value === null || value === undefined) throw new InstanceNotFoundError(instance.instanceId, instance.executionId);
  if (!isExecutionState(value)) throw new Error(`redflow: execution ${instance.executionId} has unknown state ${value}`);
  return value;
}

/**
 * What clients read about executions: the latest execution of an id, an execution's state, history and
 * outcome, and waiting for an execution to end (woken by the `finished` message its completion publishes).
 * Each read opens the connection first.
 */
export class InstanceReads {
  readonly #connection: RedisConnection;
  readonly #context: RedisContext;
  readonly #waiter: CompletionWaiter;
  readonly #outcomes: OutcomeRead;

  /**
   * Completion waits listen on `announcements`; `logger` hears of trouble on its connection; `watch` tells waits that
   * Redis lost its data (see `CompletionWaiter`).
   */
  constructor(connection: RedisConnection, announcements: AnnouncementConnection, logger: Logger, watch: DataLossWatch) {
    this.#connection = connection;
    this.#context = connection.context;
    this.#waiter = new CompletionWaiter(announcements, logger, watch, connection.connectTimeoutMs);
    this.#outcomes = new OutcomeRead(this.#context.client);
  }

  /** `Backend.getLatestExecution`: `InvalidArgumentError` for an invalid id, `InstanceNotFoundError` when it has none. */
  async latestExecution(instanceId: string): Promise<WorkflowInstance> {
    assertInstanceId(instanceId);
    await this.#connection.open();
    const { client, prefix } = this.#context;
    const executionId = await client.hget(instanceKey(prefix, partitionIn(this.#context, instanceId), instanceId), 'executionId');
    if (executionId === null) throw new InstanceNotFoundError(instanceId);
    return { instanceId, executionId };
  }

  /** `Backend.getWorkflowInstanceState`: `InstanceNotFoundError` for an unknown execution. */
  async state(instance: WorkflowInstance): Promise<WorkflowInstanceState> {
    await this.#connection.open();
    return toState(await this.#context.client.hget(this.#executionKey(instance), 'state'), instance);
  }

  /**
   * `Backend.getWorkflowInstanceHistory`: the events after sequence id `afterSequenceId` (rounded down; 0 and
   * below for all). `InstanceNotFoundError` for an unknown execution.
   */
  async history(instance: WorkflowInstance, afterSequenceId = 0): Promise<HistoryEvent[]> {
    await this.#connection.open();
    const { client, prefix } = this.#context;
    const p = partitionIn(this.#context, instance.instanceId);
    const after = Math.max(0, Math.floor(afterSequenceId));
    const [state, blobs] = await Promise.all([
      client.hget(this.#executionKey(instance), 'state'),
      client.lrangeBuffer(historyKey(prefix, p, instance.instanceId, instance.executionId), after, -1),
    ]);
    toState(state, instance);
    return blobs.map((blob, i) => decodeHistoryEvent(blob, after + i + 1, instance));
  }

  /**
   * `Backend.getWorkflowInstanceOutcome`: the last event of an ended execution, undefined while it is active;
   * one script call. `InstanceNotFoundError` for an unknown execution, `UndecodableDataError` for an outcome
   * that cannot be decoded.
   */
  async outcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
    await this.#connection.open();
    return this.#readOutcome(instance);
  }

  /**
   * `Backend.waitForWorkflowInstance`: the execution's outcome once it is no longer active, or undefined after
   * `timeoutMs`; one script call at first and one per wake-up. `InstanceNotFoundError` for an unknown
   * execution; `BackendClosedError` when closed meanwhile.
   */
  async wait(instance: WorkflowInstance, timeoutMs: number): Promise<ExecutionOutcome | undefined> {
    await this.#connection.open();
    const p = partitionIn(this.#context, instance.instanceId);
    return this.#waiter.wait(
      finishedChannel(this.#context.prefix, p),
      indexMember(instance.instanceId, instance.executionId),
      timeoutMs,
      () => this.#readOutcome(instance),
    );
  }

  /** Rejects every wait with `BackendClosedError` and disconnects the waiting connection. */
  close(): void {
    this.#waiter.close();
  }

  async #readOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
    const p = partitionIn(this.#context, instance.instanceId);
    const history = historyKey(this.#context.prefix, p, instance.instanceId, instance.executionId);
    const stored = await this.#outcomes.read({ execution: this.#executionKey(instance), history });
    if (toState(stored?.state, instance) === 'active') return undefined;
    const event = stored?.last === undefined ? undefined : decodeHistoryEvent(stored.last, stored.historyLength, instance);
    if (event?.type === 'WorkflowExecutionFinished' || event?.type === 'WorkflowExecutionContinuedAsNew') return event;
    // Every ending appends one of these two last, in the same script that records the state.
    throw new Error(`redflow: execution ${instance.executionId} of ${instance.instanceId} ended without an outcome event`);
  }

  #executionKey(instance: WorkflowInstance): string {
    const p = partitionIn(this.#context, instance.instanceId);
    return executionKey(this.#context.prefix, p, instance.instanceId, instance.executionId);
  }
}
