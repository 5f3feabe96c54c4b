import { contextInternals, type WorkflowContext } from './context.js';
import type { Future } from './future.js';

/**
 * Runs `fn` once and records its result; on replay the recorded result is returned and `fn` is not called.
 * `fn` must be synchronous; do I/O in activities.
 */
export function sideEffect<T>(ctx: WorkflowContext, fn: () => T): Future<T> {
  return contextInternals(ctx).runtime.sideEffect(fn);
}
