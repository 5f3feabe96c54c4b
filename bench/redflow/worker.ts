import { pino } from 'pino';
import { createLogger, RedisBackend, Worker } from '../../src/index.js';
import type { WorkerConfig } from '../system.js';
import { backendConnection } from './connection.js';
import { registerParentsWorkflows } from './parents-workflows.js';
import { countRedflowTasks } from './task-counter.js';
import { registerTreeWorkflows } from './tree-workflows.js';
import { registerBenchWorkflows } from './workflows.js';

/** Starts a redflow worker with every bench workflow registered; resolves with a function that stops it. */
export async function startRedflowWorker(config: WorkerConfig): Promise<() => Promise<void>> {
  countRedflowTasks();
  const logger = createLogger({ name: 'bench-worker', defaultLevel: 'warn', destination: pino.destination(2) });
  const connection = backendConnection(config.redis);
  const backend = new RedisBackend({ redis: connection.redis, prefix: config.prefix, partitions: config.partitions, logger });
  const worker = new Worker(backend, { logger, executorCacheSize: config.executorCacheSize });
  registerBenchWorkflows(worker);
  registerTreeWorkflows(worker);
  registerParentsWorkflows(worker);
  await worker.start();
  return async () => {
    await worker.stop();
    await backend.close();
    await connection.close();
  };
}
