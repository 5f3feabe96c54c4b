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
