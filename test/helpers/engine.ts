import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { createLogger } from '../../src/core/logger.js';
import { Worker } from '../../src/worker/worker.js';
import type { WorkerOptions } from '../../src/worker/worker-options.js';
import type { WorkflowFunction } from '../../src/executor/workflow-function.js';

/** A logger for tests: silent unless REDFLOW_LOG_LEVEL asks for more. */
export const testLogger = createLogger({ defaultLevel: 'silent' });

/** What a test registers on its worker. */
export interface EngineSetup {
  workflows?: WorkflowFunction[];
  activities?: Array<((...args: never[]) => unknown) | object>;
  options?: WorkerOptions;
}

/** Starts a worker for `setup` on `backend` and returns it with a client; `stop` stops the worker. */
export async function startEngine(backend: Backend, setup: EngineSetup): Promise<{ client: Client; worker: Worker; stop: () => Promise<void> }> {
  const worker = new Worker(backend, { logger: testLogger, workflowLockTimeoutMs: 5_000, activityLockTimeoutMs: 5_000, ...setup.options });
  for (const wf of setup.workflows ?? []) worker.registerWorkflow(wf);
  for (const activity of setup.activities ?? []) worker.registerActivity(activity as never);
  await worker.start();
  return { client: new Client(backend), worker, stop: () => worker.stop() };
}

/** Event types of a history, in order. */
export function typesOf(history: Array<{ type: string }>): string[] {
  return history.map((event) => event.type);
}

/** Polls `check` every 25 ms until it holds or `timeoutMs` passed; returns its last answer. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}
