import { executeActivity } from './activity.js';
import { newDisconnectedContext, withCancel } from './context.js';
import { now, random, uuid } from './deterministic.js';
import { isCanceled } from '../errors/errors.js';
import { logger, replaying, workflowInstance } from './info.js';
import { sideEffect } from './side-effect.js';
import { scheduleTimer, sleep } from './timer.js';

/** The calls available to workflow code. Use them only inside a workflow function. */
export const workflow = Object.freeze({
  executeActivity,
  scheduleTimer,
  sleep,
  now,
  random,
  uuid,
  sideEffect,
  withCancel,
  newDisconnectedContext,
  isCanceled,
  workflowInstance,
  replaying,
  logger,
});

export { DefaultActivityOptions, type ActivityOptions, type ActivityFunction } from './activity.js';
export { DefaultRetryOptions, type RetryOptions } from './retry-options.js';
export type { WorkflowContext } from './context.js';
export { Future } from './future.js';
export type { TimerOptions } from './timer.js';
