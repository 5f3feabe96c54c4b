declare const resultType: unique symbol;

/**
 * Identifies one execution of a workflow instance. Continue-as-new keeps the instance id and starts a new
 * execution id. `R` is the workflow's result type, carried for `getWorkflowResult` and never stored.
 */
export interface WorkflowInstance<R = unknown> {
  instanceId: string;
  executionId: string;
  readonly [resultType]?: R;
}

/**
 * Names what a client call acts on: one execution (a `WorkflowInstance`), or, with `executionId` left
 * out, the instance id's latest execution (the one it was last started or continued as). `R` is the
 * workflow's result type, as in `WorkflowInstance`: `getWorkflowResult<R>({ instanceId })` gives it.
 */
export interface WorkflowInstanceRef<R = unknown> {
  instanceId: string;
  executionId?: string;
  readonly [resultType]?: R;
}

/** Lifecycle state of one execution. */
export type WorkflowInstanceState = 'active' | 'continued-as-new' | 'finished';

/** The queue workflows start on when none is given. */
export const DEFAULT_QUEUE = 'default';

/** A key naming one execution, for maps. */
export function executionKey(instance: WorkflowInstance): string {
  return `${instance.instanceId}\n${instance.executionId}`;
}
