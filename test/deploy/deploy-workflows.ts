import { workflow, type WorkflowContext } from '../../src/workflow/index.js';

// Two versions of one application, as two deploys of it would register them. Version 1 charges and ships an
// order; version 2 inserts a fraud check before the charge behind a patch, and adds a workflow and an activity
// that version 1 does not have.

/** What an order workflow returns: which branch it took. */
export interface OrderResult {
  orderId: string;
  fraudChecked: boolean;
  charged: string;
  shipped: string;
}

/** Activities both versions have. */
export const sharedActivities = {
  async chargeCard(orderId: string): Promise<string> {
    return `charged ${orderId}`;
  },
  async ship(orderId: string): Promise<string> {
    return `shipped ${orderId}`;
  },
};

/** Activities only version 2 has. */
export const newActivities = {
  async fraudCheck(orderId: string): Promise<string> {
    return `checked ${orderId}`;
  },
  async notifyCustomer(customer: string): Promise<string> {
    return `notified ${customer}`;
  },
};

/** `order` as version 1 wrote it. */
export async function orderV1(ctx: WorkflowContext, orderId: string): Promise<OrderResult> {
  const charged = await workflow.executeActivity(ctx, {}, 'chargeCard', orderId);
  const shipped = await workflow.executeActivity(ctx, {}, 'ship', orderId);
  return { orderId, fraudChecked: false, charged: String(charged), shipped: String(shipped) };
}

/** `order` as version 2 changed it: the fraud check runs only in executions that did not start before the patch. */
export async function orderV2(ctx: WorkflowContext, orderId: string): Promise<OrderResult> {
  let fraudChecked = false;
  if (workflow.patched(ctx, 'fraud-check')) {
    await workflow.executeActivity(ctx, {}, 'fraudCheck', orderId);
    fraudChecked = true;
  }
  const charged = await workflow.executeActivity(ctx, {}, 'chargeCard', orderId);
  const shipped = await workflow.executeActivity(ctx, {}, 'ship', orderId);
  return { orderId, fraudChecked, charged: String(charged), shipped: String(shipped) };
}

/** A workflow only version 2 has, calling an activity only version 2 has. */
export async function welcome(ctx: WorkflowContext, customer: string): Promise<string> {
  const notified = await workflow.executeActivity(ctx, {}, 'notifyCustomer', customer);
  await workflow.sleep(ctx, 1);
  const again = await workflow.executeActivity(ctx, {}, 'chargeCard', `welcome-gift-${customer}`);
  return `${String(notified)}; ${String(again)}`;
}
