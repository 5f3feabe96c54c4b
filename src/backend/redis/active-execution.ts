import { instanceKey } from './keys.js';
import { partitionIn, type RedisContext } from './redis-context.js';

/** An instance's active execution, and the queue its workflow tasks run on (which names its task stream). */
export interface ActiveExecution {
  executionId: string;
  queue: string;
  /** The continue-as-new chain it belongs to: the id of the chain's first execution. */
  chain: string;
}

/**
 * The active execution of `instanceId` as its instance hash says now, or undefined when it has none (its
 * latest execution ended, or the id is unknown). Scripts that write into it check that it still is.
 */
export async function activeExecutionOf(context: RedisContext, instanceId: string): Promise<ActiveExecution | undefined> {
  const { client, prefix } = context;
  const p = partitionIn(context, instanceId);
  const [executionId, state, queue, chain] = await client.hmget(instanceKey(prefix, p, instanceId), 'executionId', 'state', 'queue', 'chain');
  // create-execution writes `queue` and `chain` into the instance hash together with the execution id; an
  // instance written before chains existed is a chain of its own.
  if (state !== 'active' || typeof executionId !== 'string' || typeof queue !== 'string') return undefined;
  return { executionId, queue, chain: chain ?? executionId };
}
