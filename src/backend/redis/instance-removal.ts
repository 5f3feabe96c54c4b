import type { WorkflowInstance } from '../../core/instance.js';
import { InstanceNotFinishedError, InstanceNotFoundError } from '../../errors/errors.js';
import { chainOf } from './execution-chains.js';
import { InstanceScripts, type RemovalResult } from './instance-scripts.js';
import { activeKey, finishedKey, indexKeysOf, instanceKey, keysOfExecution } from './keys.js';
import { parseIndexMember, partitionIn, type RedisContext } from './redis-context.js';

const BATCH = 100;

// A retry follows a chain whose index entries changed between the read and the script (an expired
// execution's entries were dropped meanwhile); a finished chain changes no other way.
const MAX_ATTEMPTS = 50;

/**
 * Deletes ended executions, one chain at a time: an execution goes together with every other execution
 * of its continue-as-new chain, and only once the chain's latest execution has finished.
 */
export class InstanceRemoval {
  readonly #context: RedisContext;
  readonly #scripts: InstanceScripts;

  constructor(context: RedisContext) {
    this.#context = context;
    this.#scripts = new InstanceScripts(context.client);
  }

  /**
   * Removes the chain of `instance`; `InstanceNotFinishedError` while its latest execution is active,
   * `InstanceNotFoundError` if `instance` is unknown.
   */
  async removeOne(instance: WorkflowInstance): Promise<void> {
    const result = await this.#removeChain(instance);
    if (result === 'missing') throw new InstanceNotFoundError(instance.instanceId, instance.executionId);
    if (result === 'active') throw new InstanceNotFinishedError(instance.instanceId);
  }

  /** Removes every chain whose latest execution finished before `finishedBefore`; returns how many executions went. */
  async removeFinishedBefore(finishedBefore: Date): Promise<number> {
    const partitions = Array.from({ length: this.#context.partitions }, (_, p) => p);
    const counts = await Promise.all(partitions.map((p) => this.#removeInPartition(p, finishedBefore.getTime())));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async #removeInPartition(p: number, beforeMs: number): Promise<number> {
    const { client, prefix } = this.#context;
    let removed = 0;
    // Removed and expired entries leave the zset, so each batch starts where the kept ones end.
    let kept = 0;
    for (;;) {
      const members = await client.zrange(finishedKey(prefix, p), '-inf', `(${beforeMs}`, 'BYSCORE', 'LIMIT', kept, BATCH);
      if (members.length === 0) return removed;
      const results = await Promise.all(members.map((member) => this.#removeMember(p, member, beforeMs)));
      for (const result of results) {
        if (typeof result === 'object') removed += result.removed;
        else if (result === 'active' || result === 'later') kept += 1;
      }
    }
  }

  async #removeMember(p: number, member: string, beforeMs: number): Promise<RemovalResult> {
    const instance = parseIndexMember(member);
    if (instance !== undefined) return this.#removeChain(instance, beforeMs);
    // Nothing could ever remove an entry that names no execution.
    const { client, prefix } = this.#context;
    await Promise.all([client.zrem(finishedKey(prefix, p), member), client.srem(activeKey(prefix, p), member)]);
    return 'missing';
  }

  async #removeChain(instance: WorkflowInstance, finishedBeforeMs?: number): Promise<RemovalResult> {
    const { prefix } = this.#context;
    const { instanceId } = instance;
    const p = partitionIn(this.#context, instanceId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const executionIds = await chainOf(this.#context, instance);
      const executions = executionIds.map((id) => keysOfExecution(prefix, p, instanceId, id));
      const keys = { instance: instanceKey(prefix, p, instanceId), executions, ...indexKeysOf(prefix, p) };
      const result = await this.#scripts.removeWorkflowInstance(keys, {
        instanceId,
        executionIds,
        ...(finishedBeforeMs === undefined ? {} : { finishedBeforeMs }),
      });
      if (result !== 'changed') return result;
    }
    throw new Error(`redflow: could not remove the chain of ${instanceId} (execution ${instance.executionId}): its executions kept changing`);
  }
}
