import { pino } from 'pino';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Worker } from '../../src/worker/worker.js';
import { registerChaos } from '../chaos/chaos-workflows.js';
import { crashWorkflow, leaseCrashWorkflow, messagingChild, messagingParent, outlivesItsWorker, slowDouble } from './crash-workflows.js';

// A worker process for the crash and chaos tests: killed with SIGKILL at a moment the test chooses. It logs to
// stderr, so that stdout carries only its JSON reports.
const logger = pino({ level: process.env.REDFLOW_LOG_LEVEL ?? 'silent' }, pino.destination(2));
const backend = new RedisBackend({
  redis: process.env.REDIS_URL,
  prefix: process.env.REDFLOW_PREFIX,
  partitions: Number(process.env.REDFLOW_PARTITIONS ?? '1'),
  blockTimeoutMs: 200,
  logger,
});
const worker = new Worker(backend, {
  logger,
  workflowLockTimeoutMs: 1_000,
  activityLockTimeoutMs: Number(process.env.REDFLOW_ACTIVITY_LOCK_MS ?? '1000'),
  maxParallelActivityTasks: 100,
});
worker.registerWorkflow(crashWorkflow).registerWorkflow(messagingParent).registerWorkflow(messagingChild).registerActivity(slowDouble);
worker.registerWorkflow(leaseCrashWorkflow).registerActivity(outlivesItsWorker);
registerChaos(worker);
await worker.start();
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
