import { executionKey as mapKey, type WorkflowInstance } from '../../core/instance.js';
import { RecentMap } from '../../core/recent-map.js';
import { executionKey } from './keys.js';
import { partitionIn, type RedisContext } from './redis-context.js';

const DEFAULT_CAPACITY = 10_000;

/**
 * The queue of executions this backend has seen, looked up in Redis for the others. A completion that
 * wakes another execution of its partition (a parent, a child being cancelled) must name that
 * execution's workflow-task stream in KEYS, and the stream depends on its queue; a message to another
 * partition names the queue when it is known here, or the relay reads it. An execution's queue never
 * changes, so remembering it is always safe; a parent whose task ran here costs no read.
 */
export class ExecutionQueues {
  readonly #context: RedisContext;
  readonly #known: RecentMap<string, string>;

  /** Remembers the queues of at least the `capacity` most recent executions, and at most twice as many. */
  constructor(context: RedisContext, capacity = DEFAULT_CAPACITY) {
    this.#context = context;
    this.#known = new RecentMap(capacity);
  }

  /** Records the queue of `instance`. */
  remember(instance: WorkflowInstance, queue: string): void {
    this.#known.set(mapKey(instance), queue);
  }

  /** The queue of `instance` if this backend has seen it, without asking Redis. */
  known(instance: WorkflowInstance): string | undefined {
    return this.#known.get(mapKey(instance));
  }

  /** The queue of `instance`, or undefined when the execution does not exist (any more). */
  async lookup(instance: WorkflowInstance): Promise<string | undefined> {
    const known = this.known(instance);
    if (known !== undefined) return known;
    const { client, prefix } = this.#context;
    const p = partitionIn(this.#context, instance.instanceId);
    const queue = await client.hget(executionKey(prefix, p, instance.instanceId, instance.executionId), 'queue');
    if (queue === null) return undefined;
    this.remember(instance, queue);
    return queue;
  }
}
