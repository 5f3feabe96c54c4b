// Rough throughput check: N workflows of 3 sequential activities on one worker process against Redis.
// Usage: REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/sequential.ts [workflows]
// The full benchmark harness (workloads, BullMQ side by side) lives beside it as it grows.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Client, RedisBackend, Worker, workflow, type WorkflowContext } from '../src/index.js';

async function step(x: number): Promise<number> {
  return x + 1;
}

async function threeSteps(ctx: WorkflowContext, x: number): Promise<number> {
  let value = x;
  for (let i = 0; i < 3; i++) value = await workflow.executeActivity(ctx, {}, step, value);
  return value;
}

const count = Number(process.argv[2] ?? 1000);
const prefix = `bench-${randomUUID()}`;
const backend = new RedisBackend({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix });
const worker = new Worker(backend, { logger: pino({ level: 'warn' }), maxParallelWorkflowTasks: 50, maxParallelActivityTasks: 100 });
worker.registerWorkflow(threeSteps).registerActivity(step);
await worker.start();
const client = new Client(backend);

const began = process.hrtime.bigint();
const instances = await Promise.all(
  Array.from({ length: count }, (_, i) => client.createWorkflowInstance({ instanceId: `${prefix}-${i}` }, threeSteps, i)),
);
const results = await Promise.all(instances.map((instance) => client.getWorkflowResult(instance, 300_000)));
const seconds = Number(process.hrtime.bigint() - began) / 1e9;
const wrong = results.filter((result, i) => result !== i + 3).length;
console.log(
  JSON.stringify({ workflows: count, activities: count * 3, seconds: Number(seconds.toFixed(3)), workflowsPerSec: Math.round(count / seconds), wrong }),
);
await worker.stop();
await backend.close();
process.exit(wrong === 0 ? 0 : 1);
