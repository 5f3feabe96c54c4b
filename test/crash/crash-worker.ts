import { pino } from 'pino';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Worker } from '../../src/worker/worker.js';
import {
  crashWorkflow,
  hangsPastItsBound,
  leaseCrashWorkflow,
  messagingChild,
  messagingParent,
  outlivesItsWorker,
  slowDouble,
  timeoutCrashWorkflow,
} from './crash-workflows.js';

// A worker process for the crash test: killed with SIGKILL at a moment the test chooses.
const backend = new RedisBackend({
  redis: process.env.REDIS_URL,
  prefix: process.env.REDFLOW_PREFIX,
  partitions: Number(process.env.REDFLOW_PARTITIONS ?? '1'),
  blockTimeoutMs: 200,
});
const worker = new Worker(backend, {
  logger: pino({ level: process.env.REDFLOW_LOG_LEVEL ?? 'silent' }),
  workflowLockTimeoutMs: 1_000,
  activityLockTimeoutMs: Number(process.env.REDFLOW_ACTIVITY_LOCK_MS ?? '1000'),
  maxParallelActivityTasks: 100,
});
worker.registerWorkflow(crashWorkflow).registerWorkflow(messagingParent).registerWorkflow(messagingChild).registerActivity(slowDouble);
worker.registerWorkflow(leaseCrashWorkflow).registerActivity(outlivesItsWorker);
worker.registerWorkflow(timeoutCrashWorkflow).registerActivity(hangsPastItsBound);
await worker.start();
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
