import { activityContext } from '../../src/activity/activity-context.js';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import type { Instrumentation } from '../../src/core/instrumentation.js';
import { Worker } from '../../src/worker/worker.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { workflow } from '../../src/workflow/index.js';
import { testLogger } from '../helpers/engine.js';

/** Fails its first attempt, then returns `amount`: one failure, one retry. */
export async function flakyCharge(amount: number): Promise<number> {
  if (activityContext().attempt === 0) throw new Error('card declined once');
  return amount;
}

/** A plain activity of the child workflow. */
export async function ship(orderId: string): Promise<string> {
  return `shipped ${orderId}`;
}

/** The child: one activity. */
export async function shipping(ctx: WorkflowContext, orderId: string): Promise<string> {
  return workflow.executeActivity(ctx, {}, ship, orderId);
}

/**
 * The parent: an activity that is retried once (a retry-backoff timer), a 30 ms timer, a signal, a child workflow.
 * Two timers, three activity attempts, one child, one signal: whatever the number of tasks it takes.
 */
export async function order(ctx: WorkflowContext, orderId: string): Promise<string> {
  const charged = await workflow.executeActivity(ctx, { retry: { maxAttempts: 3, firstRetryIntervalMs: 10 } }, flakyCharge, 5);
  await workflow.sleep(ctx, 30);
  const approval = await workflow.newSignalChannel<string>(ctx, 'approve').receive();
  const shipped = await workflow.createSubWorkflowInstance(ctx, {}, shipping, orderId);
  return `${charged} ${approval} ${shipped}`;
}

/** Runs `order` to its end on `backend` with a worker and a client reporting to `telemetry`; the worker keeps running. */
export async function runOrder(
  backend: Backend,
  telemetry: Instrumentation,
  options: { executorCacheSize?: number; instanceId: string; beforeStart?: (start: () => Promise<void>) => Promise<void> },
): Promise<{ worker: Worker; client: Client; result: string }> {
  const worker = new Worker(backend, {
    logger: testLogger,
    telemetry,
    workflowLockTimeoutMs: 5_000,
    activityLockTimeoutMs: 5_000,
    executorCacheSize: options.executorCacheSize ?? 128,
  });
  worker.registerWorkflow(order).registerWorkflow(shipping).registerActivity(flakyCharge).registerActivity(ship);
  await worker.start();
  const client = new Client(backend, { telemetry });
  const start = async (): Promise<void> => {
    await client.createWorkflowInstance({ instanceId: options.instanceId }, order, 'o-1');
    await client.signalWorkflow(options.instanceId, 'approve', 'yes');
  };
  await (options.beforeStart === undefined ? start() : options.beforeStart(start));
  const result = await client.getWorkflowResult<string>({ instanceId: options.instanceId }, 15_000);
  return { worker, client, result };
}

/** What `order` returns. */
export const ORDER_RESULT = '5 yes shipped o-1';
