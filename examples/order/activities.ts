import { activityContext } from '../../src/index.js';

/** An order as the shop submits it. */
export interface Order {
  orderId: string;
  customer: string;
  items: Array<{ sku: string; quantity: number; priceCents: number }>;
}

const log = (message: string): void => console.log(`  [activity] ${message}`);

/** Reserves stock for every item; returns the reservation id. */
export async function reserveInventory(order: Order): Promise<string> {
  log(`reserving ${order.items.length} item(s) for ${order.orderId}`);
  await pause(50);
  return `res-${order.orderId}`;
}

/** Charges the customer. The payment provider fails the first attempt of every order, to show retries. */
export async function chargePayment(order: Order, amountCents: number): Promise<string> {
  const { attempt } = activityContext();
  await pause(30);
  if (attempt === 0) {
    log(`charging ${order.customer} ${formatCents(amountCents)}: provider timed out (attempt ${attempt})`);
    throw new Error('payment provider timed out');
  }
  log(`charged ${order.customer} ${formatCents(amountCents)} (attempt ${attempt})`);
  return `pay-${order.orderId}-${attempt}`;
}

/** Hands the parcel to the carrier. */
export async function shipOrder(order: Order, trackingNumber: string): Promise<void> {
  log(`shipping ${order.orderId} with tracking number ${trackingNumber}`);
  await pause(20);
}

/** Releases a reservation after a failed payment. */
export async function releaseInventory(reservationId: string): Promise<void> {
  log(`releasing ${reservationId}`);
  await pause(10);
}

/** Formats cents as an amount of euros. */
export function formatCents(cents: number): string {
  return `€${(cents / 100).toFixed(2)}`;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
