import { InvalidArgumentError } from '../errors/errors.js';
import { CancelScope } from './cancel-scope.js';
import type { Future } from './future.js';
import type { WorkflowRuntime } from './runtime.js';

/** The first parameter of every workflow function: its handle on the engine and its cancellation scope. */
export interface WorkflowContext {
  /** True once this context (or one it derives from) was cancelled. */
  readonly canceled: boolean;
  /** Resolves when this context is cancelled. */
  readonly done: Future<void>;
}

class WorkflowContextImpl implements WorkflowContext {
  readonly runtime: WorkflowRuntime;
  readonly scope: CancelScope;

  constructor(runtime: WorkflowRuntime, scope: CancelScope) {
    this.runtime = runtime;
    this.scope = scope;
  }

  get canceled(): boolean {
    return this.scope.canceled;
  }

  get done(): Future<void> {
    return this.scope.done;
  }
}

/** The root context of an execution. */
export function createRootContext(runtime: WorkflowRuntime, scope: CancelScope): WorkflowContext {
  return new WorkflowContextImpl(runtime, scope);
}

/**
 * The engine and scope behind a context; rejects anything that is not a workflow context, and throws once the
 * engine abandoned the execution (code running on after its task was held must not act).
 */
export function contextInternals(ctx: WorkflowContext): { runtime: WorkflowRuntime; scope: CancelScope } {
  if (!(ctx instanceof WorkflowContextImpl)) {
    throw new InvalidArgumentError('expected the WorkflowContext passed to the workflow function');
  }
  if (ctx.runtime.abandoned) {
    throw new Error(`workflow instance ${ctx.runtime.instance.instanceId}: this execution was given up by its worker (its task did not commit); code still running in it cannot act`);
  }
  return ctx;
}

/** A child cancellation scope and the function that cancels it. */
export function withCancel(ctx: WorkflowContext): [WorkflowContext, () => void] {
  const { runtime, scope } = contextInternals(ctx);
  const child = new CancelScope(scope);
  return [new WorkflowContextImpl(runtime, child), () => child.cancel()];
}

/** A scope that its parent's cancellation does not reach: for cleanup after the workflow was cancelled. */
export function newDisconnectedContext(ctx: WorkflowContext): WorkflowContext {
  const { runtime } = contextInternals(ctx);
  return new WorkflowContextImpl(runtime, new CancelScope());
}
