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

/** Lifecycle state of one execution. */
export type WorkflowInstanceState = 'active' | 'continued-as-new' | 'finished';

/** The queue workflows start on when none is given. */
export const DEFAULT_QUEUE = 'default';

/** A key naming one execution, for maps. */
export function executionKey(instance: WorkflowInstance): string {
  return `${instance.instanceId}\n${instance.executionId}`;
}
