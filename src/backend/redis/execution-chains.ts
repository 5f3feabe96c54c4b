import type { WorkflowInstance } from '../../core/instance.js';
import { chainsKey, executionKey } from './keys.js';
import { indexMember, partitionIn, type RedisContext } from './redis-context.js';

/** An ended execution and the continue-as-new chain it belongs to (named by the chain's first execution id). */
interface ChainEntry {
  executionId: string;
  chain: string;
}

/** The chains index of `instanceId`'s partition and its entries that start with `start` and a newline. */
async function entriesAfter(context: RedisContext, instanceId: string, start: string): Promise<{ key: string; entries: string[] }> {
  const { client, prefix } = context;
  const key = chainsKey(prefix, partitionIn(context, instanceId));
  // Ids hold no control characters: '\x0b', the byte after '\n', closes the range of `<start>\n...`.
  return { key, entries: await client.zrange(key, `[${start}\n`, `(${start}\x0b`, 'BYLEX') };
}

/**
 * Every ended execution of `instanceId`, each with its chain, from its partition's chains index (one lex
 * range read; see `chainsKey`). Executions still active are not in the index.
 */
async function readChainEntries(context: RedisContext, instanceId: string): Promise<ChainEntry[]> {
  const { entries } = await entriesAfter(context, instanceId, instanceId);
  const found: ChainEntry[] = [];
  for (const entry of entries) {
    const rest = entry.slice(instanceId.length + 1);
    const at = rest.indexOf('\n');
    if (at > 0) found.push({ executionId: rest.slice(0, at), chain: rest.slice(at + 1) });
  }
  return found;
}

/** Drops the chains index entry of an execution whose keys are gone (found stale by a reader). */
export async function dropChainEntry(context: RedisContext, instance: WorkflowInstance): Promise<void> {
  const { key, entries } = await entriesAfter(context, instance.instanceId, indexMember(instance.instanceId, instance.executionId));
  if (entries.length > 0) await context.client.zrem(key, ...entries);
}

/** The ids of the ended executions of `chain` among `entries`. */
function membersOf(entries: readonly ChainEntry[], chain: string): string[] {
  return entries.filter((entry) => entry.chain === chain).map((entry) => entry.executionId);
}

/**
 * The ended executions of the chain `instance` belongs to, `instance` first: the executions its removal
 * must take along. Just `instance` when the index does not name it (it is active, or unknown).
 */
export async function chainOf(context: RedisContext, instance: WorkflowInstance): Promise<string[]> {
  const entries = await readChainEntries(context, instance.instanceId);
  const own = entries.find((entry) => entry.executionId === instance.executionId);
  if (own === undefined) return [instance.executionId];
  return [instance.executionId, ...membersOf(entries, own.chain).filter((id) => id !== instance.executionId)];
}

/**
 * The earlier executions of the chain of `instance`, which is active and about to finish it: their keys
 * must expire with its own.
 */
export async function earlierExecutionsOf(context: RedisContext, instance: WorkflowInstance): Promise<string[]> {
  const { client, prefix } = context;
  const p = partitionIn(context, instance.instanceId);
  const [chain, entries] = await Promise.all([
    client.hget(executionKey(prefix, p, instance.instanceId, instance.executionId), 'chain'),
    readChainEntries(context, instance.instanceId),
  ]);
  return membersOf(entries, chain ?? instance.executionId).filter((id) => id !== instance.executionId);
}
