import { Client, createLogger, Worker, type WorkflowInstance } from '../../src/index.js';
import { createBackend } from '../shared/backend.js';
import { chargeCard, fraudCheck, processOrderV1, processOrderV2 } from './workflow.js';

// Changes a running workflow safely: orders started on version 1 wait for the warehouse while version 2, which
// adds a fraud check behind `workflow.patched`, replaces the worker. Every order finishes; the old ones keep
// their old steps.
const logger = createLogger({ defaultLevel: 'warn' });
const { backend, description } = createBackend(logger);
const client = new Client(backend);
const run = Date.now().toString(36);
console.log(`patching demo on ${description}`);

/** A worker running one version of the workflow, registered under the one name `processOrder`. */
async function deploy(version: typeof processOrderV1): Promise<Worker> {
  const worker = new Worker(backend, { logger }).registerWorkflow(version, { name: 'processOrder' });
  worker.registerActivity(fraudCheck).registerActivity(chargeCard);
  await worker.start();
  return worker;
}

/** Starts an order and returns once its card is charged and it waits for the warehouse. */
async function startOrder(n: number): Promise<WorkflowInstance> {
  const instance = await client.createWorkflowInstance({ instanceId: `order-${run}-${n}` }, 'processOrder', `order-${n}`);
  for (;;) {
    const history = await client.getWorkflowInstanceHistory(instance);
    if (history.some((event) => event.type === 'ActivityCompleted' && String(event.attributes.result).startsWith('chargeCard'))) return instance;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

try {
  const v1 = await deploy(processOrderV1);
  const orders = [await startOrder(1), await startOrder(2)];
  console.log('version 1: started order-1 and order-2; both charged and wait for the warehouse');
  await v1.stop();

  const v2 = await deploy(processOrderV2);
  console.log('version 2 deployed: fraudCheck before chargeCard, behind patched(ctx, "fraud-check")');
  orders.push(await startOrder(3));
  console.log('version 2: started order-3');

  for (const instance of orders) await client.signalWorkflow(instance.instanceId, 'shipped');
  for (const [i, instance] of orders.entries()) {
    const steps = (await client.getWorkflowResult(instance, 30_000)) as string[];
    const patchedBranch = (await client.getWorkflowInstanceHistory(instance)).some((event) => event.type === 'PatchRecorded');
    console.log(`order-${i + 1}: ${patchedBranch ? 'new' : 'old'} branch: ${steps.join(' -> ')}`);
  }
  await v2.stop();
} finally {
  await backend.close();
}
