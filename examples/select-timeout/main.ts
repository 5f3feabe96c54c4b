// select-timeout: `workflow.select` waits for the first of several cases, here a signal or a timer, so a
// workflow can wait for an event with a deadline. The timer runs in a `withCancel` scope and is cancelled when
// the signal wins. Run: npm run example -- select-timeout
import { workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

export async function awaitPayment(ctx: WorkflowContext, orderId: string, timeoutMs: number): Promise<string> {
  const payments = workflow.newSignalChannel<number>(ctx, 'paid');
  const [timerScope, cancelTimer] = workflow.withCancel(ctx);
  const deadline = workflow.scheduleTimer(timerScope, timeoutMs);
  const outcome = await workflow.select(
    ctx,
    workflow.onReceive(payments, (cents) => `paid ${cents} cents`),
    workflow.onFuture(deadline, () => `no payment within ${timeoutMs} ms: cancelled`),
  );
  cancelTimer();
  return `${orderId}: ${outcome}`;
}

await runSample('select-timeout', async ({ client, newWorker, runId }) => {
  await newWorker().registerWorkflow(awaitPayment).start();
  const paid = await client.createWorkflowInstance({ instanceId: `pay-${runId}-1` }, awaitPayment, 'order-1', 60_000);
  const unpaid = await client.createWorkflowInstance({ instanceId: `pay-${runId}-2` }, awaitPayment, 'order-2', 100);
  await client.signalWorkflow(paid.instanceId, 'paid', 4200);
  console.log(`result: ${await client.getWorkflowResult(paid, 10_000)}`);
  console.log(`result: ${await client.getWorkflowResult(unpaid, 10_000)}`);
});
