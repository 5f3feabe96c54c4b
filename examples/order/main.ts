import { pino } from 'pino';
import { Client, Worker } from '../../src/index.js';
import * as activities from './activities.js';
import { createBackend } from './backend.js';
import { registerOrderProcessing } from './register.js';
import { processOrder } from './workflow.js';

// The demo: start three orders and print their results. With DEMO_WORKER=0 it only starts and awaits them,
// leaving the work to worker processes (see docker-compose.yml).
const { backend, description } = createBackend();
console.log(`redflow demo on ${description}`);

const runWorker = process.env.DEMO_WORKER !== '0';
const worker = new Worker(backend, { logger: pino({ level: process.env.REDFLOW_LOG_LEVEL ?? 'warn' }) });
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
} finally {
  await worker.stop();
  await backend.close();
}
