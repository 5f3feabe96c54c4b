// worker-pod: what a rolling deploy does to running workflows. The pod to deploy is examples/order/worker.ts
// (`npm run worker`): a long-running worker process that, on SIGTERM, stops taking tasks, finishes or gives
// back the ones it holds, closes the backend and exits 0. This sample runs that same stop (`worker.stop()`,
// which its SIGTERM handler calls) on one "pod" while orders are in flight, then starts a second pod, which
// carries every order to the end from its recorded history. Run: npm run example -- worker-pod
import type { Worker } from '../../src/index.js';
import { formatCents, type Order } from '../order/activities.js';
import { registerOrderProcessing } from '../order/register.js';
import { processOrder } from '../order/workflow.js';
import { runSample, waitForEvent } from '../shared/sample.js';

await runSample('worker-pod', async ({ client, newWorker, runId }) => {
  const startPod = async (): Promise<Worker> => {
    const pod = registerOrderProcessing(newWorker());
    await pod.start();
    return pod;
  };
  const pod1 = await startPod();
  const orders: Order[] = ['Ada', 'Grace'].map((customer, i) => ({
    orderId: `pod-${runId}-${i + 1}`,
    customer,
    items: [{ sku: 'lamp', quantity: i + 1, priceCents: 1500 }],
  }));
  const instances = await Promise.all(orders.map((order) => client.createWorkflowInstance({ instanceId: order.orderId }, processOrder, order)));
  for (const instance of instances) await waitForEvent(client, instance, (event) => event.type === 'ActivityScheduled');
  await pod1.stop();
  console.log('pod 1 stopped gracefully with both orders in flight (its SIGTERM handler does exactly this)');
  await startPod();
  console.log('pod 2 started');
  for (const instance of instances) {
    const receipt = await client.getWorkflowResult(instance, 20_000);
    console.log(`result: ${receipt.orderId.replace(runId, '…')} paid ${formatCents(receipt.totalCents)}`);
  }
});
