// retries: an activity that fails is tried again after a durable backoff wait, up to `maxAttempts`; an error
// wrapped in `permanentError` is not retried. Run: npm run example -- retries
import { activityContext, permanentError, workflow, WorkflowError, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

/** Fails its first two attempts as a flaky service would, then answers. */
export function fetchExchangeRate(currency: string): number {
  const { attempt } = activityContext();
  if (attempt < 2) {
    console.log(`  fetchExchangeRate(${currency}) attempt ${attempt}: service unavailable`);
    throw new Error('service unavailable');
  }
  console.log(`  fetchExchangeRate(${currency}) attempt ${attempt}: 1.08`);
  return 1.08;
}

/** Refuses a currency it does not know: no retry can change that. */
export function validateCurrency(currency: string): void {
  console.log(`  validateCurrency(${currency}) attempt ${activityContext().attempt}`);
  if (currency !== 'USD') throw permanentError(new Error(`unknown currency ${currency}`));
}

export async function convert(ctx: WorkflowContext, amountCents: number): Promise<string> {
  // The backoff waits (20 ms, then 40 ms) are durable timers: a worker restart in between loses nothing.
  const retry = { maxAttempts: 5, firstRetryIntervalMs: 20, backoffCoefficient: 2 };
  const rate = await workflow.executeActivity(ctx, { retry }, fetchExchangeRate, 'USD');
  let rejected = 'nothing';
  try {
    await workflow.executeActivity(ctx, { retry }, validateCurrency, 'XYZ');
  } catch (err) {
    rejected = err instanceof WorkflowError ? err.message : String(err);
  }
  return `${Math.round(amountCents * rate)} cents at rate ${rate}; rejected after one attempt: ${rejected}`;
}

await runSample('retries', async ({ client, newWorker, runId }) => {
  await newWorker().registerWorkflow(convert).registerActivity({ fetchExchangeRate, validateCurrency }).start();
  const instance = await client.createWorkflowInstance({ instanceId: `retries-${runId}` }, convert, 10_000);
  console.log(`result: ${await client.getWorkflowResult(instance, 10_000)}`);
});
