import { Client, createLogger, Worker } from '../../src/index.js';
import * as activities from './activities.js';
import { createBackend } from '../shared/backend.js';
import { registerOrderProcessing } from './register.js';
import { stopOnSignals } from './shutdown.js';
import { processOrder } from './workflow.js';

// The demo: start three orders and print their results. With DEMO_WORKER=0 it only starts and awaits them,
// leaving the work to worker processes (see docker-compose.yml).
// Its own lines tell the story, so its logger shows only warnings unless REDFLOW_LOG_LEVEL asks for more.
const logger = createLogger({ defaultLevel: 'warn' });
const { backend, description } = createBackend(logger);
const worker = new Worker(backend, { logger });
let closing: Promise<void> | undefined;
const close = (): Promise<void> =>
  (closing ??= (async () => {
    await worker.stop();
    await backend.close();
  })());
// SIGTERM or Ctrl-C: the calls below may then fail on the closing backend; the signal handler ends the process.
const stopRequested = stopOnSignals(close);
console.log(`redflow demo on ${description}`);

const runWorker = process.env.DEMO_WORKER !== '0';
if (runWorker) {
  registerOrderProcessing(worker);
  await worker.start();
}

const client = new Client(backend);
const run = Date.now().toString(36);
const orders: activities.Order[] = [
  { orderId: `order-${run}-1`, customer: 'Ada', items: [{ sku: 'keyboard', quantity: 1, priceCents: 8900 }] },
  { orderId: `order-${run}-2`, customer: 'Grace', items: [{ sku: 'mouse', quantity: 2, priceCents: 2500 }] },
  { orderId: `order-${run}-3`, customer: 'Linus', items: [{ sku: 'cable', quantity: 3, priceCents: 700 }] },
];

try {
  const instances = await Promise.all(
    orders.map(async (order) => {
      const instance = await client.createWorkflowInstance({ instanceId: order.orderId }, processOrder, order);
      console.log(`started ${order.orderId} (execution ${instance.executionId})`);
      return instance;
    }),
  );
  for (const instance of instances) {
    const receipt = await client.getWorkflowResult(instance, 60_000);
    console.log(`finished ${receipt.orderId}: paid ${activities.formatCents(receipt.totalCents)}, tracking ${receipt.trackingNumber}`);
    const history = await client.getWorkflowInstanceHistory(instance);
    console.log(`  history: ${history.length} events (${[...new Set(history.map((e) => e.type))].join(', ')})`);
  }
  console.log('all orders processed');
  await close();
} catch (err) {
  if (!stopRequested()) {
    await close();
    throw err;
  }
}
