import { pino } from 'pino';
import { createLogger, RedisBackend, Worker } from '../../src/index.js';
import type { WorkerConfig } from '../system.js';
import { countRedflowTasks } from './task-counter.js';
import { registerTreeWorkflows } from './tree-workflows.js';
import { registerBenchWorkflows } from './workflows.js';

/** Starts a redflow worker with every bench workflow registered; resolves with a function that stops it. */
export async function startRedflowWorker(config: WorkerConfig): Promise<() => Promise<void>> {
  countRedflowTasks();
  const logger = createLogger({ name: 'bench-worker', defaultLevel: 'warn', destination: pino.destination(2) });
  const backend = new RedisBackend({ redis: config.redisUrl, prefix: config.prefix, logger });
  const worker = new Worker(backend, { logger, executorCacheSize: config.executorCacheSize });
  registerBenchWorkflows(worker);
  registerTreeWorkflows(worker);
  await worker.start();
  return async () => {
    await worker.stop();
    await backend.close();
  };
}
