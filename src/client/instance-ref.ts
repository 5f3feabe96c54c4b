import type { Backend } from '../backend/backend.js';
import type { WorkflowInstance, WorkflowInstanceRef, WorkflowInstanceState } from '../core/instance.js';
import { assertExecutionId, assertInstanceId } from '../core/validation.js';
import { InvalidArgumentError } from '../errors/errors.js';
import type { HistoryEvent } from '../history/events.js';

/** Throws `InvalidArgumentError` unless `ref` is a `WorkflowInstance` or `{ instanceId }` alone. */
export function assertInstanceRef(ref: unknown): asserts ref is WorkflowInstanceRef {
  if (typeof ref !== 'object' || ref === null) {
    throw new InvalidArgumentError('instance must be a WorkflowInstance or { instanceId }');
  }
  const { instanceId, executionId } = ref as { instanceId?: unknown; executionId?: unknown };
  assertInstanceId(instanceId);
  if (executionId !== undefined) assertExecutionId(executionId);
}

/**
 * The execution `ref` names: the one it gives, or else its instance id's latest execution at this moment.
 * Rejects with `InstanceNotFoundError` when the id has none.
 */
export async function executionOf(backend: Backend, ref: WorkflowInstanceRef): Promise<WorkflowInstance> {
  if (ref.executionId !== undefined) return { instanceId: ref.instanceId, executionId: ref.executionId };
  return backend.getLatestExecution(ref.instanceId);
}

/**
 * The state of what `ref` names. By id alone it is the latest execution's, so never 'continued-as-new':
 * an execution that continued as new after it was looked up is followed to the next one.
 */
export async function stateOf(backend: Backend, ref: WorkflowInstanceRef): Promise<WorkflowInstanceState> {
  let current = await executionOf(backend, ref);
  for (;;) {
    const state = await backend.getWorkflowInstanceState(current);
    if (state !== 'continued-as-new' || ref.executionId !== undefined) return state;
    const next = continuedExecution(current, await backend.getWorkflowInstanceOutcome(current));
    if (next === undefined) return state;
    current = next;
  }
}

/**
 * The history of what `ref` names. By id alone it is the latest execution's: one that continued as new
 * after it was looked up is followed to the next one.
 */
export async function historyOf(backend: Backend, ref: WorkflowInstanceRef): Promise<HistoryEvent[]> {
  let current = await executionOf(backend, ref);
  for (;;) {
    const history = await backend.getWorkflowInstanceHistory(current);
    const next = ref.executionId === undefined ? continuedExecution(current, history.at(-1)) : undefined;
    if (next === undefined) return history;
    current = next;
  }
}

/** The execution `execution` continued as new into, when `last` (its last event) records that; else undefined. */
export function continuedExecution(execution: WorkflowInstance, last: HistoryEvent | undefined): WorkflowInstance | undefined {
  if (last?.type !== 'WorkflowExecutionContinuedAsNew') return undefined;
  return { instanceId: execution.instanceId, executionId: last.attributes.continuedExecutionId };
}
