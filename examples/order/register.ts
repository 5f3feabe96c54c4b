import type { Worker } from '../../src/index.js';
import { chargePayment, releaseInventory, reserveInventory, shipOrder } from './activities.js';
import { processOrder } from './workflow.js';

/** Registers the order workflow and its activities on `worker`. */
export function registerOrderProcessing(worker: Worker): Worker {
  return worker.registerWorkflow(processOrder).registerActivity({ reserveInventory, chargePayment, shipOrder, releaseInventory });
}
