import { activityContext } from '../../src/activity/activity-context.js';
import type { Worker } from '../../src/worker/worker.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';

/** One activity run as a chaos worker reports it on stdout: the driver counts runs against completions. */
export interface ActivityRun {
  event: 'run';
  activityId: string;
  attempt: number;
  redeliveries: number;
}

function reportRun(): void {
  const { activityId, attempt, redeliveries } = activityContext();
  const run: ActivityRun = { event: 'run', activityId, attempt, redeliveries };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

async function briefly(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
}

/** Adds two numbers after a short pause. */
export async function chaosAdd(a: number, b: number): Promise<number> {
  reportRun();
  await briefly();
  return a + b;
}

/** Fails its first `failures` attempts (whoever runs them), then triples `x`. */
export async function chaosFlaky(x: number, failures: number): Promise<number> {
  reportRun();
  await briefly();
  if (activityContext().attempt < failures) throw new Error(`planned failure of attempt ${activityContext().attempt}`);
  return 3 * x;
}

// Kills do not use up attempts (a redelivery keeps its attempt), so only the planned failures count here.
const retry = { maxAttempts: 5, firstRetryIntervalMs: 50, backoffCoefficient: 1 };

/** How many attempts of `chaosFlaky` fail in `chaosSteps(n)`. */
export function plannedFailures(n: number): number {
  return 1 + (n % 2);
}

/** Sequential activities, one failing on early attempts, and a timer. */
export async function chaosSteps(ctx: WorkflowContext, n: number): Promise<number> {
  const a = await workflow.executeActivity(ctx, { retry }, chaosAdd, n, 1);
  const b = await workflow.executeActivity(ctx, { retry }, chaosFlaky, a, plannedFailures(n));
  await workflow.sleep(ctx, 100 + (n % 5) * 50);
  return workflow.executeActivity(ctx, { retry }, chaosAdd, b, n);
}

/** The instance id of child `k` of the family workflow `parentId`. */
export function childId(parentId: string, k: number): string {
  return `${parentId}-c${k}`;
}

/** Waits for its parent's signal, adds `k` in an activity, signals the sum back and returns it doubled. */
export async function chaosChild(ctx: WorkflowContext, parentId: string, k: number): Promise<number> {
  const value = await workflow.newSignalChannel<number>(ctx, 'add').receive();
  const sum = await workflow.executeActivity(ctx, { retry }, chaosAdd, value, k);
  await workflow.signalWorkflow(ctx, parentId, 'back', sum);
  return 2 * sum;
}

/**
 * Starts two children (on other partitions, by their ids), signals each, and sums what they signal back,
 * what they return and the client's `go` signal.
 */
export async function chaosFamily(ctx: WorkflowContext, n: number): Promise<number> {
  const self = workflow.workflowInstance(ctx).instanceId;
  const children = [0, 1].map((k) => workflow.createSubWorkflowInstance(ctx, { instanceId: childId(self, k) }, chaosChild, self, k));
  await Promise.all([0, 1].map((k) => workflow.signalWorkflow(ctx, childId(self, k), 'add', n + k)));
  const back = workflow.newSignalChannel<number>(ctx, 'back');
  const signalled = (await back.receive()) + (await back.receive());
  const go = await workflow.newSignalChannel<number>(ctx, 'go').receive();
  const results = await Promise.all(children);
  return go + signalled + results[0]! + results[1]!;
}

/** How many executions `chaosChain(n)` runs. */
export function chainRounds(n: number): number {
  return 2 + (n % 2);
}

/** Adds `round + n` and sleeps in each execution, continuing as new; the last one adds the client's `go` signal. */
export async function chaosChain(ctx: WorkflowContext, n: number, round: number, total: number): Promise<number> {
  const sum = total + (await workflow.executeActivity(ctx, { retry }, chaosAdd, round, n));
  await workflow.sleep(ctx, 50);
  if (round + 1 < chainRounds(n)) workflow.continueAsNew(ctx, n, round + 1, sum);
  return sum + (await workflow.newSignalChannel<number>(ctx, 'go').receive());
}

/** Registers every chaos workflow and activity on `worker`. */
export function registerChaos(worker: Worker): void {
  worker.registerWorkflow(chaosSteps).registerWorkflow(chaosFamily).registerWorkflow(chaosChild).registerWorkflow(chaosChain);
  worker.registerActivity(chaosAdd).registerActivity(chaosFlaky);
}
