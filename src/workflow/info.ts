import type { Logger } from 'pino';
import type { WorkflowInstance } from '../core/instance.js';
import { contextInternals, type WorkflowContext } from './context.js';

/** The instance and execution this workflow code runs as. */
export function workflowInstance(ctx: WorkflowContext): WorkflowInstance {
  return { ...contextInternals(ctx).runtime.instance };
}

/** True while the engine replays recorded history through the workflow code. */
export function replaying(ctx: WorkflowContext): boolean {
  return contextInternals(ctx).runtime.isReplaying();
}

/** The workflow's pino logger; it stays silent while replaying, so each line is logged once. */
export function logger(ctx: WorkflowContext): Logger {
  return contextInternals(ctx).runtime.logger;
}
