import { encodeEvent } from '../../codec/event-codec.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { assertExecutionId, assertInstanceId, assertQueueName } from '../../core/validation.js';
import { InstanceAlreadyExistsError } from '../../errors/errors.js';
import type { NewEventOf } from '../../history/events.js';
import type { ExecutionQueues } from './execution-queues.js';
import { activeKey, executionKey, inboxKey, instanceKey, instancesKey, workflowQueuesKey, workflowTaskStreamKey } from './keys.js';
import type { RedisConnection } from './redis-connection.js';
import { partitionIn } from './redis-context.js';
import { scriptErrorCode } from './script-errors.js';
import type { RedisScripts } from './scripts.js';

/** Starting executions from clients: one create-workflow-instance call each. */
export class InstanceCreation {
  readonly #connection: RedisConnection;
  readonly #scripts: RedisScripts;
  readonly #queues: ExecutionQueues;

  /** `queues` learns the queue of every execution created. */
  constructor(connection: RedisConnection, scripts: RedisScripts, queues: ExecutionQueues) {
    this.#connection = connection;
    this.#scripts = scripts;
    this.#queues = queues;
  }

  /**
   * `Backend.createWorkflowInstance`: creates `instance` and queues its first workflow task. Throws
   * `InvalidArgumentError` for an invalid id or queue name, before opening the connection, and
   * `InstanceAlreadyExistsError` while the instance id has an active execution.
   */
  async create(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void> {
    const { instanceId, executionId } = instance;
    assertInstanceId(instanceId);
    assertExecutionId(executionId);
    const { name, queue } = started.attributes;
    assertQueueName(queue);
    const blob = encodeEvent(started);
    await this.#connection.open();
    const { prefix } = this.#connection.context;
    const p = partitionIn(this.#connection.context, instanceId);
    try {
      await this.#scripts.createWorkflowInstance(
        {
          instance: instanceKey(prefix, p, instanceId),
          execution: executionKey(prefix, p, instanceId, executionId),
          inbox: inboxKey(prefix, p, instanceId, executionId),
          workflowTasks: workflowTaskStreamKey(prefix, p, queue),
          instances: instancesKey(prefix, p),
          active: activeKey(prefix, p),
          workflowQueues: workflowQueuesKey(prefix, p),
        },
        { instanceId, executionId, name, queue, createdAt: started.timestamp.getTime(), started: blob },
      );
      this.#queues.remember(instance, queue);
    } catch (err) {
      if (scriptErrorCode(err) === 'INSTANCE_EXISTS') throw new InstanceAlreadyExistsError(instanceId);
      throw err;
    }
  }
}
