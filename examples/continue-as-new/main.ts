// continue-as-new: a long-lived workflow keeps its history short by ending each execution with
// `workflow.continueAsNew(ctx, ...args)`, which starts a fresh execution of the same instance with those
// arguments and an empty history. `getWorkflowResult` follows the chain to the last execution's result.
// Run: npm run example -- continue-as-new
import { workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

/** Processes one batch of a queue of work; returns how many items it handled. */
export function processBatch(batch: number): number {
  console.log(`  processing batch ${batch}`);
  return 10;
}

/** Handles `batches` batches, one per execution, carrying the running total from one execution to the next. */
export async function drainQueue(ctx: WorkflowContext, batches: number, batch = 1, total = 0): Promise<string> {
  const handled = total + (await workflow.executeActivity(ctx, {}, processBatch, batch));
  if (batch < batches) workflow.continueAsNew(ctx, batches, batch + 1, handled);
  return `${handled} items in ${batches} executions`;
}

await runSample('continue-as-new', async ({ client, newWorker, runId }) => {
  await newWorker().registerWorkflow(drainQueue).registerActivity(processBatch).start();
  const first = await client.createWorkflowInstance({ instanceId: `drain-${runId}` }, drainQueue, 3);
  const result = await client.getWorkflowResult(first, 10_000);
  console.log(`first execution ended ${await client.getWorkflowInstanceState(first)}`);
  const last = await client.getWorkflowInstanceHistory({ instanceId: first.instanceId });
  console.log(`last execution's history: ${last.length} events`);
  console.log(`result: ${result}`);
});
