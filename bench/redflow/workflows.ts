import { workflow, type Worker, type WorkflowContext } from '../../src/index.js';
import { markStep } from '../step-marks.js';

/** One step of the chain: records when it started and passes the count on. */
export async function chainStep(count: number): Promise<number> {
  markStep();
  return count + 1;
}

/** The chain workload: `steps` activities, each started after the previous one finished. */
export async function benchChain(ctx: WorkflowContext, steps: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < steps; i++) count = await workflow.executeActivity(ctx, {}, chainStep, count);
  return count;
}

/** One branch of the fan-out. */
export async function fanoutBranch(index: number): Promise<number> {
  return index;
}

/** The fan-out workload: `activities` activities at once; returns how many results came back. */
export async function benchFanout(ctx: WorkflowContext, activities: number): Promise<number> {
  const branches = Array.from({ length: activities }, (_, i) => workflow.executeActivity(ctx, {}, fanoutBranch, i));
  return (await Promise.all(branches)).length;
}

/**
 * The timers workload: sleeps `sleepMs` and returns how late it woke. Workflow time is the start of the current
 * workflow task, so the difference is the time from the timer's due time until the workflow ran again.
 */
export async function benchTimer(ctx: WorkflowContext, sleepMs: number): Promise<number> {
  const dueMs = workflow.now(ctx).getTime() + sleepMs;
  await workflow.sleep(ctx, sleepMs);
  return workflow.now(ctx).getTime() - dueMs;
}

/** Name the start workload creates instances under; no worker runs them. */
export const START_WORKFLOW = 'benchStart';

/** Registers the chain, fan-out and timer workflows and their activities. */
export function registerBenchWorkflows(worker: Worker): void {
  worker.registerWorkflow(benchChain).registerWorkflow(benchFanout).registerWorkflow(benchTimer);
  worker.registerActivity(chainStep).registerActivity(fanoutBranch);
}
