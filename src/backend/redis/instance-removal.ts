import type { WorkflowInstance } from '../../core/instance.js';
import { InstanceNotFinishedError, InstanceNotFoundError } from '../../errors/errors.js';
import { InstanceScripts, type RemovalResult } from './instance-scripts.js';
import { activeKey, finishedKey, indexKeysOf, keysOfExecution } from './keys.js';
import { parseIndexMember, partitionIn, type RedisContext } from './redis-context.js';

const BATCH = 100;

/** Deletes ended executions, one by one or every one that ended before a time. */
export class InstanceRemoval {
  readonly #context: RedisContext;
  readonly #scripts: InstanceScripts;

  constructor(context: RedisContext) {
    this.#context = context;
    this.#scripts = new InstanceScripts(context.client);
  }

  /** Removes one ended execution; `InstanceNotFinishedError` while active, `InstanceNotFoundError` if unknown. */
  async removeOne(instance: WorkflowInstance): Promise<void> {
    const result = await this.#remove(instance);
    if (result === 'missing') throw new InstanceNotFoundError(instance.instanceId);
    if (result === 'active') throw new InstanceNotFinishedError(instance.instanceId);
  }

  /** Removes every execution that ended before `finishedBefore`; returns how many were removed. */
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
      const results = await Promise.all(members.map((member) => this.#removeMember(p, member)));
      removed += results.filter((r) => r === 'removed').length;
      kept += results.filter((r) => r === 'active').length;
    }
  }

  async #removeMember(p: number, member: string): Promise<RemovalResult> {
    const instance = parseIndexMember(member);
    if (instance !== undefined) return this.#remove(instance);
    // Nothing could ever remove an entry that names no execution.
    const { client, prefix } = this.#context;
    await Promise.all([client.zrem(finishedKey(prefix, p), member), client.srem(activeKey(prefix, p), member)]);
    return 'missing';
  }

  #remove(instance: WorkflowInstance): Promise<RemovalResult> {
    const { prefix } = this.#context;
    const p = partitionIn(this.#context, instance.instanceId);
    const keys = { ...keysOfExecution(prefix, p, instance.instanceId, instance.executionId), ...indexKeysOf(prefix, p) };
    return this.#scripts.removeWorkflowInstance(keys, instance.instanceId, instance.executionId);
  }
}
