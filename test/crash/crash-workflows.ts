import { activityContext } from '../../src/activity/activity-context.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';

/** Reports what a crash-test worker is doing, one JSON line on stdout, so the test knows when to kill it. */
export function report(event: 'activity-start' | 'workflow-busy'): void {
  process.stdout.write(`${JSON.stringify({ event })}\n`);
}

/** An activity slow enough to be caught in flight. */
export async function slowDouble(x: number): Promise<number> {
  report('activity-start');
  await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 250));
  return 2 * x;
}

/** Sequential activities, a timer, a long workflow task and a parallel pair: returns 8n + 8. */
export async function crashWorkflow(ctx: WorkflowContext, n: number): Promise<number> {
  const retry = { maxAttempts: 5, firstRetryIntervalMs: 100 };
  let total = 0;
  for (let step = 0; step < 3; step++) total += await workflow.executeActivity(ctx, { retry }, slowDouble, n + step);
  await workflow.sleep(ctx, 50);
  if (!workflow.replaying(ctx)) {
    report('workflow-busy');
    // Holds this workflow task open, so a kill lands in the middle of one.
    const until = Date.now() + 150;
    while (Date.now() < until) {
      // busy
    }
  }
  const [a, b] = await Promise.all([
    workflow.executeActivity(ctx, { retry }, slowDouble, n),
    workflow.executeActivity(ctx, { retry }, slowDouble, 1),
  ]);
  return total + a + b;
}

/** The instance id of child `k` of messaging parent `n`. */
export function messagingChildId(n: number, k: number): string {
  return `crash-msg-${n}-child-${k}`;
}

/** Waits for two signals (one from its parent, one from the client) and doubles their sum in an activity. */
export async function messagingChild(ctx: WorkflowContext): Promise<number> {
  const adds = workflow.newSignalChannel<number>(ctx, 'add');
  const sum = (await adds.receive()) + (await adds.receive());
  return workflow.executeActivity(ctx, { retry: { maxAttempts: 5, firstRetryIntervalMs: 100 } }, slowDouble, sum);
}

/**
 * Continues as new once, then starts two children, signals each, waits for a client signal and sums up:
 * returns 4n + 4 + go. Every message between instances is in flight at some point of a kill.
 */
export async function messagingParent(ctx: WorkflowContext, n: number, run: number): Promise<number> {
  if (run === 0) {
    await workflow.sleep(ctx, 20);
    workflow.continueAsNew(ctx, n, 1);
  }
  const children = [0, 1].map((k) => workflow.createSubWorkflowInstance(ctx, { instanceId: messagingChildId(n, k) }, messagingChild));
  await Promise.all([0, 1].map((k) => workflow.signalWorkflow(ctx, messagingChildId(n, k), 'add', n)));
  if (!workflow.replaying(ctx)) {
    report('workflow-busy');
    const until = Date.now() + 100;
    while (Date.now() < until) {
      // Holds this workflow task open, so a kill lands in the middle of one.
    }
  }
  const go = await workflow.newSignalChannel<number>(ctx, 'go').receive();
  const results = await Promise.all(children);
  return results.reduce((a, b) => a + b, 0) + go;
}

/** The attempt and redelivery count an activity run was given. */
export interface DeliveryInfo {
  attempt: number;
  redeliveries: number;
}

/** Runs for a minute on its first delivery (long enough to be killed in); a redelivery returns at once. */
export async function outlivesItsWorker(): Promise<DeliveryInfo> {
  const { attempt, redeliveries } = activityContext();
  if (redeliveries === 0) {
    report('activity-start');
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  return { attempt, redeliveries };
}

/** Runs `outlivesItsWorker` once (no retries) and returns what its completing run was given. */
export async function leaseCrashWorkflow(ctx: WorkflowContext): Promise<DeliveryInfo> {
  return workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, outlivesItsWorker);
}

/** Bound of each attempt of `timeoutCrashWorkflow` (ms). */
export const CRASH_START_TO_CLOSE_MS = 1_500;

/** Its first attempt outlives its bound (it is killed or frozen in it); a retry returns at once. */
export async function hangsPastItsBound(): Promise<DeliveryInfo> {
  const { attempt, redeliveries } = activityContext();
  if (attempt === 0) {
    report('activity-start');
    await new Promise((resolve) => setTimeout(resolve, 4 * CRASH_START_TO_CLOSE_MS));
  }
  return { attempt, redeliveries };
}

/** Runs `hangsPastItsBound` with a startToClose bound and one retry; returns what the completing run was given. */
export async function timeoutCrashWorkflow(ctx: WorkflowContext): Promise<DeliveryInfo> {
  const retry = { maxAttempts: 2, firstRetryIntervalMs: 10 };
  return workflow.executeActivity(ctx, { startToCloseTimeoutMs: CRASH_START_TO_CLOSE_MS, retry }, hangsPastItsBound);
}
