import type { Logger } from 'pino';
import { Client, createLogger, Worker, type Backend, type HistoryEvent, type WorkerOptions, type WorkflowInstanceRef } from '../../src/index.js';
import { createBackend } from './backend.js';

/** What `runSample` hands a sample: one backend, a client on it, and workers it stops at the end. */
export interface Sample {
  backend: Backend;
  client: Client;
  logger: Logger;
  /** Unique per run, for instance ids: a Redis keeps the instances of earlier runs. */
  runId: string;
  /** A worker on the sample's backend (its logger unless `options` name one); stopped when the sample ends. */
  newWorker: (options?: WorkerOptions) => Worker;
}

/**
 * Runs one sample: prints `<name> sample on <backend>`, runs `body`, then stops the workers and closes the
 * backend whether `body` succeeded or not (a rejection propagates, so the process exits non-zero). The backend
 * is Redis when REDIS_URL is set, else the in-process MemoryBackend; redflow's own log lines show only from
 * `warn` on unless REDFLOW_LOG_LEVEL asks for more, so the sample's own lines tell the story.
 */
export async function runSample(name: string, body: (sample: Sample) => Promise<void>): Promise<void> {
  const logger = createLogger({ defaultLevel: 'warn' });
  const { backend, description } = createBackend(logger);
  const workers: Worker[] = [];
  console.log(`${name} sample on ${description}`);
  try {
    await body({
      backend,
      client: new Client(backend),
      logger,
      runId: Date.now().toString(36),
      newWorker(options) {
        const worker = new Worker(backend, { logger, ...options });
        workers.push(worker);
        return worker;
      },
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await backend.close();
  }
}

/** Polls the history of `instance` every 10 ms until an event satisfies `matches` (at most `timeoutMs`). */
export async function waitForEvent(client: Client, instance: WorkflowInstanceRef, matches: (event: HistoryEvent) => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await client.getWorkflowInstanceHistory(instance)).some(matches)) {
    if (Date.now() > deadline) throw new Error(`no matching event in the history of ${instance.instanceId} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
