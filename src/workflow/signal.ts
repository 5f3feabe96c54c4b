import { assertEncodable } from '../codec/codec.js';
import { assertInstanceId, assertName } from '../core/validation.js';
import type { Channel } from './channel.js';
import { contextInternals, type WorkflowContext } from './context.js';
import { Future } from './future.js';

/**
 * The signals sent to this instance under `name`, in arrival order, including those that arrived before the
 * channel was asked for. Every call with the same name returns the same channel.
 */
export function newSignalChannel<T>(ctx: WorkflowContext, name: string): Channel<T> {
  assertName(name, 'signal name');
  return contextInternals(ctx).runtime.signalChannel(name) as Channel<T>;
}

/**
 * Sends a signal to another instance when the current task commits (so it reaches a sub-workflow started
 * earlier in the same task). Rejects with `InstanceNotFoundError` information when the target has no active
 * execution.
 */
export function signalWorkflow(ctx: WorkflowContext, instanceId: string, name: string, arg?: unknown): Future<void> {
  const { runtime, scope } = contextInternals(ctx);
  try {
    assertInstanceId(instanceId, 'signal target instanceId');
    assertName(name, 'signal name');
    assertEncodable(arg, `argument of signal ${name}`);
  } catch (err) {
    return Future.rejected(err);
  }
  if (scope.canceled) return Future.rejected(scope.error());
  return runtime.signalWorkflow(scope, instanceId, name, arg);
}
