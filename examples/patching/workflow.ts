import { workflow, type WorkflowContext } from '../../src/index.js';

/** Checks an order for fraud; returns the step's name. */
export function fraudCheck(orderId: string): string {
  return `fraudCheck(${orderId})`;
}

/** Charges the card of an order; returns the step's name. */
export function chargeCard(orderId: string): string {
  return `chargeCard(${orderId})`;
}

/** Version 1: charge the card, then wait for the warehouse to report the order shipped. */
export async function processOrderV1(ctx: WorkflowContext, orderId: string): Promise<string[]> {
  const steps = [await workflow.executeActivity(ctx, {}, chargeCard, orderId)];
  await workflow.newSignalChannel(ctx, 'shipped').receive();
  return [...steps, 'shipped'];
}

/**
 * Version 2 checks for fraud before charging. Instances that version 1 already charged replay their history
 * with `patched` false and keep the old steps; without the check, their replay would find a fraud check where
 * the history recorded the charge and stop with a NonDeterminismError. New instances take the new branch.
 */
export async function processOrderV2(ctx: WorkflowContext, orderId: string): Promise<string[]> {
  const steps: string[] = [];
  if (workflow.patched(ctx, 'fraud-check')) steps.push(await workflow.executeActivity(ctx, {}, fraudCheck, orderId));
  steps.push(await workflow.executeActivity(ctx, {}, chargeCard, orderId));
  await workflow.newSignalChannel(ctx, 'shipped').receive();
  return [...steps, 'shipped'];
}
