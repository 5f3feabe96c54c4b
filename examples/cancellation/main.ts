// cancellation: the client cancels a running workflow. Its pending timer rejects with CanceledError, the code
// catches it and runs a compensating activity in a disconnected context (which the cancellation does not
// reach), then ends cancelled. Run: npm run example -- cancellation
import { CanceledError, isCanceled, workflow, type WorkflowContext } from '../../src/index.js';
import { runSample, waitForEvent } from '../shared/sample.js';

export function bookHotel(trip: string): string {
  console.log(`  booked a hotel for ${trip}`);
  return `hotel-${trip}`;
}

export function cancelBooking(booking: string): void {
  console.log(`  cancelled booking ${booking}`);
}

export async function planTrip(ctx: WorkflowContext, trip: string): Promise<string> {
  const booking = await workflow.executeActivity(ctx, {}, bookHotel, trip);
  try {
    await workflow.sleep(ctx, 24 * 60 * 60 * 1000); // wait a day for the traveller to confirm
    return `${trip} confirmed`;
  } catch (err) {
    if (!isCanceled(err)) throw err;
    await workflow.executeActivity(workflow.newDisconnectedContext(ctx), {}, cancelBooking, booking);
    throw err;
  }
}

await runSample('cancellation', async ({ client, newWorker, runId }) => {
  await newWorker().registerWorkflow(planTrip).registerActivity({ bookHotel, cancelBooking }).start();
  const instance = await client.createWorkflowInstance({ instanceId: `trip-${runId}` }, planTrip, 'lisbon');
  await waitForEvent(client, instance, (event) => event.type === 'TimerScheduled');
  console.log('the workflow waits on a day-long timer; cancelling it');
  await client.cancelWorkflowInstance(instance);
  const outcome = await client.getWorkflowResult(instance, 10_000).then(
    (result) => `finished with ${result}`,
    (err: unknown) => (err instanceof CanceledError ? 'ended cancelled after its cleanup' : `failed: ${String(err)}`),
  );
  console.log(`result: ${outcome}`);
});
