import { safeToLeaveUnawaited } from '../core/unawaited.js';
import { assertDurationMs, assertName } from '../core/validation.js';
import { contextInternals, type WorkflowContext } from './context.js';
import { Future } from './future.js';

/** Options of `scheduleTimer`. */
export interface TimerOptions {
  /** Shown in the history next to the timer. */
  name?: string;
}

/**
 * Starts a durable timer. It survives worker restarts; cancelling its context rejects it with
 * `CanceledError` at once and removes the pending timer.
 */
export function scheduleTimer(ctx: WorkflowContext, delayMs: number, options: TimerOptions = {}): Future<void> {
  const { runtime, scope } = contextInternals(ctx);
  try {
    assertDurationMs(delayMs, 'delayMs');
    if (options.name !== undefined) assertName(options.name, 'timer name');
  } catch (err) {
    return Future.rejected(err);
  }
  if (scope.canceled) return Future.rejected(scope.error());
  return runtime.scheduleTimer(scope, delayMs, options.name);
}

/** Waits `delayMs` of workflow time on a durable timer; rejects with `CanceledError` (ignored if nobody awaits it). */
export function sleep(ctx: WorkflowContext, delayMs: number): Promise<void> {
  return safeToLeaveUnawaited(timerFired(ctx, delayMs));
}

async function timerFired(ctx: WorkflowContext, delayMs: number): Promise<void> {
  await scheduleTimer(ctx, delayMs);
}
