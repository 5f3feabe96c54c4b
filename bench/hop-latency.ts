// One hop between partitions, measured alone: a parent starts one child in another partition and waits for
// it, one pair at a time, on the harness's own Redis (or REDIS_URL). From the histories it reports how long a
// child's start took to reach a worker (the parent's SubWorkflowScheduled to the child's first
// WorkflowTaskStarted) and how long its result took back (the child's end to the parent's next task).
//
//   npx tsx bench/hop-latency.ts [--partitions 8] [--pairs 60]
//
// Both sides' timestamps come from the same worker process, so clock skew plays no part.
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { partitionOf } from '../src/backend/redis/partition.js';
import { Client, RedisBackend, Worker, workflow, type HistoryEvent, type WorkflowContext } from '../src/index.js';
import { createLogger } from '../src/core/logger.js';
import { startLocalRedis } from './local-redis.js';
import { percentile } from './percentiles.js';

async function pong(): Promise<number> {
  return 1;
}

async function ping(ctx: WorkflowContext, childId: string): Promise<number> {
  return workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, pong);
}

function timeOf(history: readonly HistoryEvent[], type: HistoryEvent['type'], last = false): number {
  const events = history.filter((event) => event.type === type);
  const event = last ? events.at(-1) : events[0];
  if (event === undefined) throw new Error(`no ${type} in the history`);
  return event.timestamp.getTime();
}

const { values } = parseArgs({ options: { partitions: { type: 'string', default: '8' }, pairs: { type: 'string', default: '60' } } });
const partitions = Number(values.partitions);
const pairs = Number(values.pairs);
const local = process.env.REDIS_URL === undefined ? await startLocalRedis('off') : undefined;
const backend = new RedisBackend({ redis: local?.url ?? process.env.REDIS_URL, prefix: `hop-${randomUUID()}`, partitions });
const worker = new Worker(backend, { logger: createLogger({ defaultLevel: 'warn' }) });
worker.registerWorkflow(ping);
worker.registerWorkflow(pong);
await worker.start();
const client = new Client(backend);
const starts: number[] = [];
const results: number[] = [];
// The first pairs warm the JIT and the connections up.
const warmUp = Math.min(10, Math.floor(pairs / 2));
for (let i = 0; i < pairs; i++) {
  const parentId = `ping-${randomUUID()}`;
  let childId = `pong-${randomUUID()}`;
  while (partitions > 1 && partitionOf(childId, partitions) === partitionOf(parentId, partitions)) childId = `pong-${randomUUID()}`;
  const parent = await client.createWorkflowInstance({ instanceId: parentId }, ping, childId);
  await client.getWorkflowResult(parent, 10_000);
  if (i < warmUp) continue;
  const parentHistory = await client.getWorkflowInstanceHistory(parent);
  const childHistory = await client.getWorkflowInstanceHistory({ instanceId: childId });
  starts.push(timeOf(childHistory, 'WorkflowTaskStarted') - timeOf(parentHistory, 'SubWorkflowScheduled'));
  results.push(timeOf(parentHistory, 'WorkflowTaskStarted', true) - timeOf(childHistory, 'WorkflowExecutionFinished'));
}
await worker.stop();
await backend.close();
await local?.stop();
console.log(
  JSON.stringify({
    partitions,
    pairs: starts.length,
    startHopP50Ms: percentile(starts, 50),
    startHopP90Ms: percentile(starts, 90),
    resultHopP50Ms: percentile(results, 50),
    resultHopP90Ms: percentile(results, 90),
  }),
);
