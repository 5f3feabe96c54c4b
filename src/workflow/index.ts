import { executeActivity } from './activity.js';
import { newBufferedChannel, newChannel } from './channel.js';
import { newDisconnectedContext, withCancel } from './context.js';
import { continueAsNew } from './continue-as-new.js';
import { now, random, uuid } from './deterministic.js';
import { isCanceled } from '../errors/errors.js';
import { logger, replaying, workflowInstance } from './info.js';
import { deprecatePatch, patched } from './patch.js';
import { onDefault, onFuture, onReceive, select } from './select.js';
import { sideEffect } from './side-effect.js';
import { newSignalChannel, signalWorkflow } from './signal.js';
import { createSubWorkflowInstance } from './sub-workflow.js';
import { scheduleTimer, sleep } from './timer.js';

const calls = Object.freeze({
  executeActivity,
  createSubWorkflowInstance,
  scheduleTimer,
  sleep,
  now,
  random,
  uuid,
  sideEffect,
  patched,
  deprecatePatch,
  newSignalChannel,
  signalWorkflow,
  continueAsNew,
  withCancel,
  newDisconnectedContext,
  isCanceled,
  newChannel,
  newBufferedChannel,
  select,
  onFuture,
  onReceive,
  onDefault,
  workflowInstance,
  replaying,
  logger,
});

/** The type of the `workflow` namespace. */
export interface WorkflowCalls extends Omit<typeof calls, 'continueAsNew'> {
  continueAsNew: typeof continueAsNew;
}

// The explicit annotation lets TypeScript see that `workflow.continueAsNew(...)` never returns.
/** The calls available to workflow code. Use them only inside a workflow function. */
export const workflow: WorkflowCalls = calls;

export { DefaultActivityOptions, type ActivityOptions, type ActivityFunction } from './activity.js';
export { DefaultRetryOptions, type RetryOptions } from './retry-options.js';
export { DefaultSubWorkflowRetryOptions, type SubWorkflowOptions } from './sub-workflow.js';
export type { WorkflowContext } from './context.js';
export { Future } from './future.js';
export { Channel, type ReceiveResult } from './channel.js';
export type { SelectCase } from './select.js';
export { ContinueAsNewRequest } from './continue-as-new.js';
export type { TimerOptions } from './timer.js';
