import { activityContext } from '../../src/activity/activity-context.js';
import type { Backend } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import { Worker } from '../../src/worker/worker.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';

// A process that runs a worker, a backend (BACKEND=redis with REDIS_URL and REDFLOW_PREFIX, or memory) and a
// client, all with their default loggers, and makes each write lines at info and at debug level.

let started!: () => void;
const activityStarted = new Promise<void>((resolve) => (started = resolve));
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));

/** Logs the way the README's example does: `attempt` is already a field of the activity's logger. */
async function logsAttempt(): Promise<string> {
  const { attempt, logger } = activityContext();
  logger.info({ attempt }, 'activity info');
  logger.child({ attempt, step: 'child' }).debug('activity debug');
  return 'logged';
}

/** Runs until the process releases it, after the workflow that scheduled it has ended. */
async function outlivesItsWorkflow(): Promise<string> {
  started();
  await released;
  return 'too late';
}

async function logs(ctx: WorkflowContext): Promise<string> {
  const log = workflow.logger(ctx);
  log.info({ instanceId: workflow.workflowInstance(ctx).instanceId }, 'workflow info');
  log.debug('workflow debug');
  return workflow.executeActivity(ctx, {}, logsAttempt);
}

// Ends while its activity runs, so the backend logs (at debug level) that the outcome was not delivered.
async function endsFirst(ctx: WorkflowContext): Promise<string> {
  void workflow.executeActivity(ctx, {}, outlivesItsWorkflow);
  return workflow.newSignalChannel<string>(ctx, 'finish').receive();
}

const backend: Backend =
  process.env.BACKEND === 'memory' ? new MemoryBackend() : new RedisBackend({ redis: process.env.REDIS_URL, prefix: process.env.REDFLOW_PREFIX });
const worker = new Worker(backend).registerWorkflow(logs).registerWorkflow(endsFirst).registerActivity({ logsAttempt, outlivesItsWorkflow });
await worker.start();
const client = new Client(backend);
await client.getWorkflowResult(await client.createWorkflowInstance({ instanceId: 'logs' }, logs), 15_000);
const ending = await client.createWorkflowInstance({ instanceId: 'ends-first' }, endsFirst);
await activityStarted;
await client.signalWorkflow('ends-first', 'finish', 'done');
await client.getWorkflowResult(ending, 15_000);
release();
// stop() waits for the running activity, whose outcome the backend then drops.
await worker.stop();
await backend.close();
