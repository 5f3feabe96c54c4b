import { instanceKey } from './keys.js';
import { partitionIn, type RedisContext } from './redis-context.js';

/** An instance's active execution, and the queue its workflow tasks run on (which names its task stream). */
export interface ActiveExecution {
  executionId: string;
  queue: string;
}

/**
 * The active execution of `instanceId` as its instance hash says now, or undefined when it has none (its
 * latest execution ended, or the id is unknown). Scripts that write into it check that it still is.
 */
export async function activeExecutionOf(context: RedisContext, instanceId: string): Promise<ActiveExecution | undefined> {
  const { client, prefix } = context;
  const p = partitionIn(context, instanceId);
  const [executionId, state, queue] = await client.hmget(instanceKey(prefix, p, instanceId), 'executionId', 'state', 'queue');
  // create-execution writes `queue` into the instance hash together with the execution id.
  if (state !== 'active' || typeof executionId !== 'string' || typeof queue !== 'string') return undefined;
  return { executionId, queue };
}
