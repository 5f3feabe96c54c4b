import type {
  HeldWorkflowInstanceInfo,
  HeldWorkflowInstancePage,
  HoldState,
  ListWorkflowInstancesQuery,
  WorkflowTask,
  WorkflowTaskHold,
} from '../backend.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { InstanceNotFoundError, LeaseLostError } from '../../errors/errors.js';
import type { BackgroundLoops } from './background-loops.js';
import { HOLD_FIELDS, holdOf } from './hold-fields.js';
import { IndexPages, type IndexPosition } from './index-pages.js';
import { executionKey, executionTimersKey, heldKey, inboxKey, timersKey, workflowTaskStreamKey } from './keys.js';
import type { RedisConnection } from './redis-connection.js';
import { indexMember, parseIndexMember, partitionIn, type RedisContext } from './redis-context.js';
import { scriptErrorCode } from './script-errors.js';
import { HeldTaskScripts } from './held-task-scripts.js';
import { holdRetryMember } from './timer-member.js';

/**
 * Held workflow tasks on Redis (see `Backend.holdWorkflowTask`): hold-workflow-task.lua records the hold on the
 * execution hash and in the partition's `held` index, and schedules the retry as a timer (schedule event id 0)
 * that the timer loop fires; retry-held-workflow-instance.lua clears it and queues the task.
 */
export class HeldTasks {
  readonly #connection: RedisConnection;
  readonly #context: RedisContext;
  readonly #group: string;
  readonly #loops: BackgroundLoops;
  readonly #scripts: HeldTaskScripts;
  readonly #pages: IndexPages<HeldWorkflowInstanceInfo>;

  constructor(connection: RedisConnection, group: string, loops: BackgroundLoops) {
    this.#connection = connection;
    this.#context = connection.context;
    this.#group = group;
    this.#loops = loops;
    this.#scripts = new HeldTaskScripts(this.#context.client);
    this.#pages = new IndexPages(this.#context, { keyOf: heldKey, read: (position) => this.#read(position), operation: 'listHeldWorkflowInstances' });
  }

  /** `Backend.holdWorkflowTask`: `LeaseLostError` (nothing written) unless `task` still holds its execution's lock. */
  async hold(task: WorkflowTask, hold: WorkflowTaskHold): Promise<HoldState> {
    await this.#connection.open();
    const { prefix } = this.#context;
    const { instanceId, executionId } = task.instance;
    const p = partitionIn(this.#context, instanceId);
    let recorded;
    try {
      recorded = await this.#scripts.holdWorkflowTask(
        {
          execution: executionKey(prefix, p, instanceId, executionId),
          workflowTasks: workflowTaskStreamKey(prefix, p, task.queue),
          timers: timersKey(prefix, p),
          executionTimers: executionTimersKey(prefix, p, instanceId, executionId),
          held: heldKey(prefix, p),
        },
        {
          lockToken: task.lockToken,
          entryId: task.id,
          group: this.#group,
          executionId,
          member: indexMember(instanceId, executionId),
          retryMember: holdRetryMember(instanceId, executionId, task.queue),
          reason: hold.reason,
          errorType: hold.error.type,
          errorMessage: hold.error.message,
          retry: hold.retry,
        },
      );
    } catch (err) {
      if (scriptErrorCode(err) !== 'LEASE_LOST') throw err;
      throw new LeaseLostError(`workflow task of ${instanceId} (execution ${executionId}, token ${task.lockToken}) is no longer held by this worker`);
    }
    const { attempts, sinceMs, retryAtMs } = recorded;
    if (retryAtMs === 0) return { attempts, since: new Date(sinceMs) };
    this.#loops.wakeTimers(p, retryAtMs);
    return { attempts, since: new Date(sinceMs), retryAt: new Date(retryAtMs) };
  }

  /** `Backend.listHeldWorkflowInstances`: the partitions' held indexes merged, newest hold first. */
  async list(query: ListWorkflowInstancesQuery): Promise<HeldWorkflowInstancePage> {
    await this.#connection.open();
    const { items, nextCursor } = await this.#pages.page(query.count, query.cursor);
    return nextCursor === undefined ? { instances: items } : { instances: items, nextCursor };
  }

  /** `Backend.retryHeldWorkflowInstance`: `InstanceNotFoundError` for an unknown execution. */
  async retry(instance: WorkflowInstance): Promise<boolean> {
    await this.#connection.open();
    const { prefix } = this.#context;
    const { instanceId, executionId } = instance;
    const p = partitionIn(this.#context, instanceId);
    const execution = executionKey(prefix, p, instanceId, executionId);
    // The queue names the task stream (a key), so it is read first; the script checks the hold itself.
    const queue = await this.#context.client.hget(execution, 'queue');
    if (queue === null) throw new InstanceNotFoundError(instanceId, executionId);
    const retried = await this.#scripts.retryHeldWorkflowInstance(
      {
        execution,
        inbox: inboxKey(prefix, p, instanceId, executionId),
        workflowTasks: workflowTaskStreamKey(prefix, p, queue),
        timers: timersKey(prefix, p),
        executionTimers: executionTimersKey(prefix, p, instanceId, executionId),
        held: heldKey(prefix, p),
      },
      { instanceId, executionId, member: indexMember(instanceId, executionId), retryMember: holdRetryMember(instanceId, executionId, queue) },
    );
    if (retried === 'missing') throw new InstanceNotFoundError(instanceId, executionId);
    return retried === 'retried';
  }

  async #read(position: IndexPosition): Promise<HeldWorkflowInstanceInfo | undefined> {
    const { client, prefix } = this.#context;
    const instance = parseIndexMember(position.member);
    if (instance === undefined) return undefined;
    const p = partitionIn(this.#context, instance.instanceId);
    const [name, queue, ...holdValues] = await client.hmget(executionKey(prefix, p, instance.instanceId, instance.executionId), 'name', 'queue', ...HOLD_FIELDS);
    const hold = holdOf(holdValues);
    // Cleared between the index read and this one.
    if (typeof name !== 'string' || typeof queue !== 'string' || hold === undefined) return undefined;
    return Object.assign({ instance, name, queue }, hold);
  }
}
