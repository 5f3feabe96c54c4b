import { workflow, type Worker, type WorkflowContext } from '../../src/index.js';

/** Name of the signal the client sends every parent of the parents workload. */
export const PARENTS_SIGNAL = 'probe';

/** A child's activity: returns the child's index. */
export async function parentsChildActivity(index: number): Promise<number> {
  return index;
}

/** A child: runs its activity, sleeps `sleepMs` on a durable timer, returns what the activity returned. */
export async function benchParentsChild(ctx: WorkflowContext, index: number, sleepMs: number): Promise<number> {
  const result = await workflow.executeActivity(ctx, {}, parentsChildActivity, index);
  await workflow.sleep(ctx, sleepMs);
  return result;
}

/**
 * A parent: starts `children` children and waits for all of them and for the `PARENTS_SIGNAL` signal; returns the
 * sum of the children's results (0 + 1 + ... + children - 1) plus the signal's value, so that a lost child or
 * signal shows in the result.
 */
export async function benchParent(ctx: WorkflowContext, children: number, sleepMs: number): Promise<number> {
  const signal = workflow.newSignalChannel<number>(ctx, PARENTS_SIGNAL);
  const started = Array.from({ length: children }, (_, index) => workflow.createSubWorkflowInstance(ctx, {}, benchParentsChild, index, sleepMs));
  const [results, signalled] = await Promise.all([Promise.all(started), signal.receive()]);
  return results.reduce((total, n) => total + n, signalled);
}

/** What `benchParent` returns when every child finished and the signal carried `signalValue`. */
export function expectedParentResult(children: number, signalValue: number): number {
  return (children * (children - 1)) / 2 + signalValue;
}

/** Registers the parents workload's workflows and activity. */
export function registerParentsWorkflows(worker: Worker): void {
  worker.registerWorkflow(benchParent).registerWorkflow(benchParentsChild);
  worker.registerActivity(parentsChildActivity);
}
