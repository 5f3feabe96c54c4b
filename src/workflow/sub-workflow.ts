import { assertEncodable } from '../codec/codec.js';
import { assertInstanceId, assertName, assertQueueName } from '../core/validation.js';
import { isCanceled } from '../errors/errors.js';
import { contextInternals, type WorkflowContext } from './context.js';
import { Future } from './future.js';
import { withRetries } from './retry.js';
import { resolveRetryOptions, type RetryOptions } from './retry-options.js';
import { withScopeError } from './scope-error.js';

/** Options of one `createSubWorkflowInstance` call. */
export interface SubWorkflowOptions {
  /** The child's instance id; generated deterministically when omitted. */
  instanceId?: string;
  /** Queue the child runs on; the parent's queue by default. */
  queue?: string;
  /** Retries start a new execution of the child after a failure. @default { maxAttempts: 1 } */
  retry?: RetryOptions;
}

/** Retry defaults of sub-workflows: one attempt. */
export const DefaultSubWorkflowRetryOptions = Object.freeze({
  maxAttempts: 1,
  firstRetryIntervalMs: 1000,
  backoffCoefficient: 2,
  maxRetryIntervalMs: 60_000,
});

/** Any function usable as a workflow: its first parameter is the workflow context. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- workflow parameters are user-defined
export type SubWorkflowFunction = (ctx: WorkflowContext, ...args: any[]) => Promise<unknown>;

type ArgsOf<F extends SubWorkflowFunction> = F extends (ctx: WorkflowContext, ...args: infer A) => unknown ? A : never;

/**
 * Starts a child workflow when the current task commits and returns its result as a future. The child's
 * failure rejects the future with its error; a child that continues as new is followed to its final result.
 * An active instance with the same id rejects it with `InstanceAlreadyExistsError` information. Once `ctx`
 * is cancelled, a child not started yet, or one that ends cancelled, rejects it with `CanceledError`.
 */
export function createSubWorkflowInstance<F extends SubWorkflowFunction>(
  ctx: WorkflowContext,
  options: SubWorkflowOptions,
  workflow: F,
  ...args: ArgsOf<F>
): Future<Awaited<ReturnType<F>>>;
export function createSubWorkflowInstance<R>(ctx: WorkflowContext, options: SubWorkflowOptions, workflow: string, ...args: unknown[]): Future<R>;
export function createSubWorkflowInstance(
  ctx: WorkflowContext,
  options: SubWorkflowOptions,
  workflow: SubWorkflowFunction | string,
  ...args: unknown[]
): Future<unknown> {
  const { runtime, scope } = contextInternals(ctx);
  let name: string;
  let queue: string;
  let retry;
  try {
    name = typeof workflow === 'function' ? workflow.name : workflow;
    assertName(name, 'sub-workflow name (pass a named function or a string)');
    queue = options.queue ?? runtime.queue;
    assertQueueName(queue, 'sub-workflow queue');
    retry = resolveRetryOptions(options.retry, DefaultSubWorkflowRetryOptions);
    assertEncodable(args, `arguments of sub-workflow ${name}`);
  } catch (err) {
    return Future.rejected(err);
  }
  if (scope.canceled) return Future.rejected(scope.error());
  const instanceId = options.instanceId ?? runtime.nextSubWorkflowInstanceId();
  try {
    // A derived id is the parent's id and a suffix, which can outgrow the longest id the store takes.
    assertInstanceId(instanceId, 'sub-workflow instanceId');
  } catch (err) {
    return Future.rejected(err);
  }
  // A child that ends cancelled once its scope is cancelled (ended by the backend before any worker started it,
  // or started and ended cancelled on the request) ends the future with the scope's own `CanceledError`, as an
  // activity does; any other outcome of a started child is its own.
  return withRetries(runtime, scope, retry, (attempt) =>
    withScopeError(scope, runtime.scheduleSubWorkflow(scope, { instanceId, name, queue, inputs: args, attempt }), isCanceled),
  );
}
