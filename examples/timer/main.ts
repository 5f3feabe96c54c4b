// timer: durable timers. `sleep` waits a span of workflow time that survives worker restarts; a timer started
// in a `withCancel` scope can be cancelled, which rejects it with CanceledError and removes it from the store.
// `workflow.now` is the time of the current step, the same on every replay. Run: npm run example -- timer
import { isCanceled, workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

export async function remind(ctx: WorkflowContext, delayMs: number): Promise<string> {
  const [scope, cancel] = workflow.withCancel(ctx);
  const hourly = workflow.scheduleTimer(scope, 60 * 60 * 1000, { name: 'hourly-reminder' });
  const startedAt = workflow.now(ctx).getTime();
  await workflow.sleep(ctx, delayMs);
  const sleptMs = workflow.now(ctx).getTime() - startedAt;
  cancel();
  const outcome = await hourly.then(
    () => 'fired',
    (err: unknown) => (isCanceled(err) ? 'cancelled' : 'failed'),
  );
  return `slept at least ${delayMs} ms: ${sleptMs >= delayMs}; the hour-long timer was ${outcome}`;
}

await runSample('timer', async ({ client, newWorker, runId }) => {
  await newWorker().registerWorkflow(remind).start();
  const instance = await client.createWorkflowInstance({ instanceId: `timer-${runId}` }, remind, 100);
  console.log(`result: ${await client.getWorkflowResult(instance, 10_000)}`);
  const history = await client.getWorkflowInstanceHistory(instance);
  console.log(`timer events: ${history.filter((event) => event.type.startsWith('Timer')).map((event) => event.type).join(', ')}`);
});
