import type { ListWorkflowInstancesQuery, WorkflowInstanceInfo, WorkflowInstancePage } from '../backend.js';
import { dropChainEntry } from './execution-chains.js';
import { IndexPages, type IndexPosition } from './index-pages.js';
import { executionKey, expiringKey, finishedKey, instancesKey } from './keys.js';
import { isExecutionState, parseIndexMember, partitionIn, type RedisContext } from './redis-context.js';

/**
 * Lists executions newest first (creation time, then member, descending) across every partition's instances
 * index. Entries whose keys expired (retention) are skipped and dropped from the indexes on the way.
 */
export class InstanceListing {
  readonly #context: RedisContext;
  readonly #pages: IndexPages<WorkflowInstanceInfo>;

  constructor(context: RedisContext) {
    this.#context = context;
    this.#pages = new IndexPages(context, { keyOf: instancesKey, read: (position) => this.#read(position), operation: 'listWorkflowInstances' });
  }

  /** One page of `query.count` executions after `query.cursor`. */
  async list(query: ListWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
    const { items, nextCursor } = await this.#pages.page(query.count, query.cursor);
    return nextCursor === undefined ? { instances: items } : { instances: items, nextCursor };
  }

  async #read(position: IndexPosition): Promise<WorkflowInstanceInfo | undefined> {
    const { client, prefix } = this.#context;
    const instance = parseIndexMember(position.member);
    if (instance === undefined) return undefined;
    const p = partitionIn(this.#context, instance.instanceId);
    const key = executionKey(prefix, p, instance.instanceId, instance.executionId);
    const [name, queue, state, createdAt, finishedAt] = await client.hmget(key, 'name', 'queue', 'state', 'createdAt', 'finishedAt');
    if (typeof name !== 'string' || typeof queue !== 'string' || typeof state !== 'string' || !isExecutionState(state)) {
      // Its keys expired or were removed: the index entry is all that is left of it.
      if (typeof state !== 'string') {
        await Promise.all([
          client.zrem(instancesKey(prefix, p), position.member),
          client.zrem(finishedKey(prefix, p), position.member),
          client.zrem(expiringKey(prefix, p), position.member),
          dropChainEntry(this.#context, instance),
        ]);
      }
      return undefined;
    }
    const info: WorkflowInstanceInfo = {
      instance,
      name,
      queue,
      state: state,
      createdAt: new Date(Number(createdAt)),
    };
    if (state !== 'active' && typeof finishedAt === 'string') info.finishedAt = new Date(Number(finishedAt));
    return info;
  }
}
