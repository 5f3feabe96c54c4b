import { encodeEvent } from '../../codec/event-codec.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { InstanceNotFoundError } from '../../errors/errors.js';
import { newEvent, type NewEventOf } from '../../history/events.js';
import { activeExecutionOf, type ActiveExecution } from './active-execution.js';
import { InstanceScripts } from './instance-scripts.js';
import { executionKey, inboxKey, instanceKey, workflowTaskStreamKey } from './keys.js';
import { partitionIn, type RedisContext } from './redis-context.js';

// Each retry follows an execution that ended between the read and the script; a chain of
// continue-as-new that keeps outrunning a client this many times in a row means something is wrong.
const MAX_ATTEMPTS = 50;

/**
 * Signals and cancellation requests from clients. The target's keys depend on which execution is active,
 * so each call reads that first and lets the script check it is still true, reading again when it is not.
 */
export class InstanceMessages {
  readonly #context: RedisContext;
  readonly #scripts: InstanceScripts;

  constructor(context: RedisContext) {
    this.#context = context;
    this.#scripts = new InstanceScripts(context.client);
  }

  /** Delivers `signal` to the active execution of `instanceId`; `InstanceNotFoundError` when there is none. */
  async signal(instanceId: string, signal: NewEventOf<'SignalReceived'>): Promise<void> {
    const blob = encodeEvent(signal);
    const { prefix } = this.#context;
    const p = partitionIn(this.#context, instanceId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const active = await activeExecutionOf(this.#context, instanceId);
      if (active === undefined) throw new InstanceNotFoundError(instanceId);
      const keys = {
        instance: instanceKey(prefix, p, instanceId),
        ...this.#deliveryKeys(p, instanceId, active.executionId, active.queue),
      };
      if (await this.#scripts.signalWorkflow(keys, instanceId, active.executionId, blob)) return;
    }
    throw new Error(`redflow: could not signal ${instanceId}: its active execution kept changing`);
  }

  /**
   * Appends `WorkflowExecutionCanceled` to `instance` if active, or to the active execution of its chain if
   * it continued as new; nothing for a finished chain. `InstanceNotFoundError` for an unknown execution.
   */
  async cancel(instance: WorkflowInstance): Promise<void> {
    const blob = encodeEvent(newEvent('WorkflowExecutionCanceled', {}));
    const { client, prefix } = this.#context;
    const { instanceId } = instance;
    const p = partitionIn(this.#context, instanceId);
    const key = executionKey(prefix, p, instanceId, instance.executionId);
    const [state, queue, chain] = await client.hmget(key, 'state', 'queue', 'chain');
    if (typeof state !== 'string' || typeof queue !== 'string') throw new InstanceNotFoundError(instanceId);
    if (state === 'finished') return;
    const ownChain = chain ?? instance.executionId;
    let target: Pick<ActiveExecution, 'executionId' | 'queue'> | undefined = state === 'active' ? { executionId: instance.executionId, queue } : undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (target === undefined) {
        const active = await activeExecutionOf(this.#context, instanceId);
        // Its chain has finished (the id may run another chain since): nothing left to cancel.
        if (active === undefined || active.chain !== ownChain) return;
        target = active;
      }
      const keys = this.#deliveryKeys(p, instanceId, target.executionId, target.queue);
      if (await this.#scripts.cancelWorkflowInstance(keys, instanceId, target.executionId, blob)) return;
      target = undefined;
    }
    throw new Error(`redflow: could not cancel ${instanceId}: its active execution kept changing`);
  }

  #deliveryKeys(p: number, instanceId: string, executionId: string, queue: string): {
    execution: string;
    inbox: string;
    workflowTasks: string;
  } {
    const { prefix } = this.#context;
    return {
      execution: executionKey(prefix, p, instanceId, executionId),
      inbox: inboxKey(prefix, p, instanceId, executionId),
      workflowTasks: workflowTaskStreamKey(prefix, p, queue),
    };
  }
}
