// testing: WorkflowTester runs a workflow in-process, with no backend and in virtual time. A 30-day trial
// finishes in milliseconds with its activity mocked; a signal arrives on day 12 of virtual time; and code that
// would not replay after a worker restart fails its test with NonDeterminismError, because the tester replays
// the history on every workflow task. It needs no backend, so it ignores REDIS_URL.
// Run: npm run example -- testing
import { performance } from 'node:perf_hooks';
import { NonDeterminismError, workflow, type WorkflowContext } from '../../src/index.js';
import { WorkflowTester } from '../../src/testing/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** An activity that would charge a card at the payment provider; the tests below mock it. */
export function chargeCard(customer: string, cents: number): string {
  throw new Error(`chargeCard(${customer}, ${cents}) would reach the payment provider`);
}

/** A 30-day trial: a 'cancel' signal ends it, else the card is charged when it runs out. */
export async function trial(ctx: WorkflowContext, customer: string): Promise<string> {
  const startedAt = workflow.now(ctx).getTime();
  const day = (): number => Math.floor((workflow.now(ctx).getTime() - startedAt) / DAY_MS);
  const cancel = workflow.newSignalChannel<string>(ctx, 'cancel');
  const cancelled = await workflow.select(
    ctx,
    workflow.onReceive(cancel, (reason) => `cancelled on day ${day()}: ${reason ?? 'no reason'}`),
    workflow.onFuture(workflow.scheduleTimer(ctx, 30 * DAY_MS), () => undefined),
  );
  if (cancelled !== undefined) return cancelled;
  const receipt = await workflow.executeActivity(ctx, {}, chargeCard, customer, 999);
  return `charged on day ${day()}: ${receipt}`;
}

let runs = 0;

/** Steers its commands by state outside its history (as `Date.now()` or `Math.random()` would): it does not replay. */
export async function drifting(ctx: WorkflowContext, customer: string): Promise<string> {
  runs += 1;
  if (runs === 1) await workflow.sleep(ctx, DAY_MS);
  return await workflow.executeActivity(ctx, {}, chargeCard, customer, 999);
}

console.log('testing sample with WorkflowTester: no backend, virtual time (REDIS_URL is not used)');
const start = new Date('2026-01-01T00:00:00Z');

// The trial runs its 30 days of virtual time; the charge is mocked for exactly these arguments.
const realStart = performance.now();
const tester = new WorkflowTester(trial, { initialTime: start });
tester.onActivity(chargeCard, 'ada', 999).returns('receipt-1');
const { result } = await tester.execute('ada');
const realMs = performance.now() - realStart;
console.log(`result: ${result}`);
console.log(`virtual time elapsed: ${(tester.now().getTime() - start.getTime()) / DAY_MS} days`);
console.log(`real time elapsed: ${Math.round(realMs)} ms`);
for (const call of tester.activityCalls(chargeCard)) {
  console.log(`activity call: ${call.name}(${call.args.join(', ')}) at ${call.at.toISOString()}, mocked: ${call.mocked}`);
}
tester.assertExpectations();

// A cancel signal sent at day 12 of virtual time; chargeCard is neither mocked nor registered: a call would fail the test.
const cancelling = new WorkflowTester(trial, { initialTime: start });
cancelling.scheduleCallback(12 * DAY_MS, () => cancelling.signalWorkflow('cancel', 'too expensive'));
const cancelled = await cancelling.execute('bob');
console.log(`result: ${cancelled.result}; chargeCard calls: ${cancelling.activityCalls(chargeCard).length}`);

// Every task replays the history in a fresh executor, so the drift shows up in the test, not after a restart.
const drift = new WorkflowTester(drifting).registerActivity(chargeCard);
const failure = await drift.execute('cy').then(
  () => 'passed',
  (err: unknown) => (err instanceof NonDeterminismError ? err.name : `failed otherwise: ${String(err)}`),
);
console.log(`a workflow that does not replay: ${failure}`);
