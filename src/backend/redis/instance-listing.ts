import type { FilteredWorkflowInstancesQuery, WorkflowInstanceInfo, WorkflowInstancePage } from '../backend.js';
import { filtersBeyondTime, matchesInstanceFilter } from '../instance-filter.js';
import { dropChainEntry } from './execution-chains.js';
import { IndexPages, type IndexPosition } from './index-pages.js';
import { executionKey, expiringKey, finishedKey, instancesKey } from './keys.js';
import { isExecutionState, parseIndexMember, partitionIn, type RedisContext } from './redis-context.js';

/** Index entries one filtered `listWorkflowInstances` call reads at most (each is one HMGET). */
export const MAX_SCANNED_PER_PAGE = 1000;

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

  /**
   * One page of up to `query.count` executions matching the query's filter after `query.cursor`. The creation
   * time bounds are score bounds of the index; state, name and queue are checked on each entry read, at most
   * `MAX_SCANNED_PER_PAGE` (or the page size plus one, if larger) per call, so a page may come back short (or
   * empty) with a `nextCursor` where the scan stopped.
   */
  async list(query: FilteredWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
    const limits = {
      minScore: query.createdAfter?.getTime(),
      maxScore: query.createdBefore?.getTime(),
      keep: (info: WorkflowInstanceInfo) => matchesInstanceFilter(info, query),
      scanLimit: filtersBeyondTime(query) ? MAX_SCANNED_PER_PAGE : undefined,
    };
    const { items, nextCursor } = await this.#pages.page(query.count, query.cursor, limits);
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
