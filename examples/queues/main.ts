// queues: workers poll the queues they are given, so work can be routed to the workers that suit it. Here the
// workflow starts on the `orders` queue and sends its thumbnail activity to the `gpu` queue; each queue has its
// own worker, and only the gpu worker registers that activity. Sub-workflows take a `queue` option the same
// way. Run: npm run example -- queues
import { workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

/** Makes a thumbnail of an image; runs only where the gpu worker runs. */
export function renderThumbnail(image: string): string {
  return `${image.replace(/\.\w+$/, '')}-thumb.webp`;
}

export async function publishPhoto(ctx: WorkflowContext, image: string): Promise<string> {
  const thumbnail = await workflow.executeActivity(ctx, { queue: 'gpu' }, renderThumbnail, image);
  return `${image} published with ${thumbnail}`;
}

await runSample('queues', async ({ client, newWorker, runId }) => {
  await newWorker({ queues: ['orders'] }).registerWorkflow(publishPhoto).start();
  await newWorker({ queues: ['gpu'] }).registerActivity(renderThumbnail).start();
  const instance = await client.createWorkflowInstance({ instanceId: `photo-${runId}`, queue: 'orders' }, publishPhoto, 'harbour.jpg');
  console.log(`result: ${await client.getWorkflowResult(instance, 10_000)}`);
  const scheduled = (await client.getWorkflowInstanceHistory(instance)).find((event) => event.type === 'ActivityScheduled');
  console.log(`the activity was scheduled on queue ${String(scheduled?.attributes.queue)}`);
});
