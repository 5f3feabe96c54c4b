import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { createLogger } from '../../src/core/logger.js';
import { Worker } from '../../src/worker/worker.js';
import type { WorkerOptions } from '../../src/worker/worker-options.js';
import type { WorkflowFunction } from '../../src/executor/workflow-function.js';
import type { HistoryEvent } from '../../src/history/events.js';

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

/** An activity attempt's outcome in a history: its event type, the attempt, and the timeout kind of a timeout. */
export interface ActivityOutcomeSeen {
  type: string;
  attempt: number;
  timeoutType?: string;
}

/** The activity outcomes (`ActivityCompleted`, `ActivityFailed`) of a history, in order, with their attempts. */
export function activityOutcomes(history: HistoryEvent[]): ActivityOutcomeSeen[] {
  const attempts = new Map<number, number>();
  const out: ActivityOutcomeSeen[] = [];
  for (const event of history) {
    if (event.type === 'ActivityScheduled') attempts.set(event.scheduleEventId ?? 0, event.attributes.attempt);
    if (event.type !== 'ActivityCompleted' && event.type !== 'ActivityFailed') continue;
    const details = event.type === 'ActivityFailed' ? (event.attributes.error.details as { timeoutType?: unknown } | undefined) : undefined;
    const seen: ActivityOutcomeSeen = { type: event.type, attempt: attempts.get(event.scheduleEventId ?? 0) ?? -1 };
    if (typeof details?.timeoutType === 'string') seen.timeoutType = details.timeoutType;
    out.push(seen);
  }
  return out;
}
