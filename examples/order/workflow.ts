import { workflow, type WorkflowContext } from '../../src/index.js';
import { chargePayment, releaseInventory, reserveInventory, shipOrder, type Order } from './activities.js';

/** What a processed order returns. */
export interface Receipt {
  orderId: string;
  reservationId: string;
  paymentId: string;
  trackingNumber: string;
  totalCents: number;
  shippedAt: string;
}

/**
 * Processes an order: reserve stock, charge (with durable retries), wait for the pickup window on a durable
 * timer, ship. Any worker may crash at any step; another one resumes from the recorded history.
 */
export async function processOrder(ctx: WorkflowContext, order: Order): Promise<Receipt> {
  const log = workflow.logger(ctx);
  const totalCents = order.items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0);
  const reservationId = await workflow.executeActivity(ctx, {}, reserveInventory, order);
  let paymentId: string;
  try {
    paymentId = await workflow.executeActivity(ctx, { retry: { maxAttempts: 4, firstRetryIntervalMs: 200 } }, chargePayment, order, totalCents);
  } catch (err) {
    await workflow.executeActivity(ctx, {}, releaseInventory, reservationId);
    throw err;
  }
  log.info({ orderId: order.orderId }, 'paid; waiting for the pickup window');
  await workflow.sleep(ctx, 500);
  const trackingNumber = workflow.uuid(ctx).slice(0, 8).toUpperCase();
  await workflow.executeActivity(ctx, {}, shipOrder, order, trackingNumber);
  return { orderId: order.orderId, reservationId, paymentId, trackingNumber, totalCents, shippedAt: workflow.now(ctx).toISOString() };
}
