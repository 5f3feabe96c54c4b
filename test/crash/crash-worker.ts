import { Cluster } from 'ioredis';
import { pino } from 'pino';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { createLogger } from '../../src/core/logger.js';
import { BackendUnavailableError } from '../../src/errors/errors.js';
import { Worker } from '../../src/worker/worker.js';
import { registerChaos } from '../chaos/chaos-workflows.js';
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

// A worker process for the crash and chaos tests: killed with SIGKILL at a moment the test chooses. Its standard output
// carries the events the test reads, so log lines go to standard error.
const logger = createLogger({ defaultLevel: 'silent', destination: pino.destination(2) });
// REDFLOW_CLUSTER_NODES ("host:port,host:port"): the worker connects to that Redis Cluster instead of REDIS_URL.
const clusterNodes = process.env.REDFLOW_CLUSTER_NODES?.split(',').map((node) => {
  const [host = '127.0.0.1', port = '6379'] = node.split(':');
  return { host, port: Number(port) };
});
// REDFLOW_REPLICA_ACKS ("replicas:timeoutMs"): the backend's replicaAcks option.
const [acks, acksTimeoutMs] = (process.env.REDFLOW_REPLICA_ACKS ?? '').split(':').map(Number);
const backend = new RedisBackend({
  redis: clusterNodes === undefined ? process.env.REDIS_URL : new Cluster(clusterNodes, { slotsRefreshTimeout: 2000 }),
  ...(acks === undefined || acksTimeoutMs === undefined ? {} : { replicaAcks: { replicas: acks, timeoutMs: acksTimeoutMs } }),
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
  ...(process.env.REDFLOW_PRESENCE_INTERVAL_MS === undefined ? {} : { presenceIntervalMs: Number(process.env.REDFLOW_PRESENCE_INTERVAL_MS) }),
});
worker.registerWorkflow(crashWorkflow).registerWorkflow(messagingParent).registerWorkflow(messagingChild).registerActivity(slowDouble);
worker.registerWorkflow(leaseCrashWorkflow).registerActivity(outlivesItsWorker);
worker.registerWorkflow(timeoutCrashWorkflow).registerActivity(hangsPastItsBound);
registerChaos(worker);
// Started while Redis restarts, start() rejects: try again, as a process manager restarting the worker would.
for (;;) {
  try {
    await worker.start();
    break;
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
