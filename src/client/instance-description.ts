import type { Backend, WorkflowInstanceDetails, WorkflowInstanceInfo, WorkflowTaskHoldInfo } from '../backend/backend.js';
import type { WorkflowInstance, WorkflowInstanceRef, WorkflowInstanceState } from '../core/instance.js';
import { InstanceNotFoundError } from '../errors/errors.js';
import type { FailureInfo } from '../errors/failure-info.js';
import type { HistoryEvent, ParentLink } from '../history/events.js';
import { pendingWork, type PendingWork } from '../history/pending-work.js';
import { executionOf } from './instance-ref.js';

/** The store is asked for the state of at most this many children of one execution. */
export const MAX_CHILD_STATES = 100;

/** How an ended execution ended: by its last event, and a cancellation by its error's type. */
export type ExecutionOutcomeKind = 'completed' | 'failed' | 'canceled' | 'continued-as-new';

/** A sub-workflow an execution started (one `SubWorkflowScheduled` event of its history). */
export interface ChildWorkflowInfo {
  /** The child's execution. */
  instance: WorkflowInstance;
  /** Its workflow name. */
  name: string;
  queue: string;
  /** The parent's command id that started it. */
  scheduleEventId: number;
  /** What the parent's history says of it: `'running'` until its result or failure is recorded there. */
  status: 'running' | 'completed' | 'failed';
  /**
   * The child execution's state in the store; absent when not looked up (past the first `MAX_CHILD_STATES`
   * children) or not found (its start not delivered yet, or removed).
   */
  state?: WorkflowInstanceState;
}

/**
 * Everything an operator needs to know about one execution, from one look at the store (see
 * `Client.describeWorkflowInstance`). Dates are the store's; payloads are decoded.
 */
export interface WorkflowInstanceDescription extends WorkflowInstanceInfo {
  /** Its arguments (from its started event, in its history or, before its first task, in its inbox). */
  inputs?: unknown[];
  /** How it ended; absent while active. */
  outcome?: ExecutionOutcomeKind;
  /** The workflow's return value, when it completed. */
  result?: unknown;
  /** The failure it ended with, when it failed or was cancelled (type `'CanceledError'`). */
  error?: FailureInfo;
  /** The execution that started it as a sub-workflow, with the parent's command id; from its first event. */
  parent?: ParentLink;
  /** The sub-workflows its history started, in the order it started them. */
  children: ChildWorkflowInfo[];
  /** Activities, timers, sub-workflows and signals its history scheduled without an answer yet. */
  pending: PendingWork;
  /** Present while its workflow task is held: why, since when, the attempts, the next retry or that it is parked. */
  hold?: WorkflowTaskHoldInfo;
  /** The execution of its chain it was continued from (continue-as-new). */
  continuedFrom?: WorkflowInstance;
  /** The execution it continued as new into. */
  continuedTo?: WorkflowInstance;
  /** Number of events in its history. */
  historyLength: number;
}

/** What the history of an execution that ended says about its end. */
function endOf(last: HistoryEvent | undefined, instanceId: string): Partial<WorkflowInstanceDescription> {
  if (last?.type === 'WorkflowExecutionContinuedAsNew') {
    return { outcome: 'continued-as-new', continuedTo: { instanceId, executionId: last.attributes.continuedExecutionId } };
  }
  if (last?.type !== 'WorkflowExecutionFinished') return {};
  const { error } = last.attributes;
  if (error === undefined) return { outcome: 'completed', result: last.attributes.result };
  return { outcome: error.type === 'CanceledError' ? 'canceled' : 'failed', error };
}

/** The children `history` started, with what it recorded of their ends. */
function childrenIn(history: readonly HistoryEvent[]): ChildWorkflowInfo[] {
  const children = new Map<number, ChildWorkflowInfo>();
  for (const event of history) {
    const id = event.scheduleEventId;
    if (id === undefined) continue;
    if (event.type === 'SubWorkflowScheduled') {
      const { instanceId, executionId, name, queue } = event.attributes;
      children.set(id, { instance: { instanceId, executionId }, name, queue, scheduleEventId: id, status: 'running' });
    } else if (event.type === 'SubWorkflowCompleted' || event.type === 'SubWorkflowFailed') {
      const child = children.get(id);
      if (child !== undefined) child.status = event.type === 'SubWorkflowCompleted' ? 'completed' : 'failed';
    }
  }
  return [...children.values()];
}

/** Looks up the state of the first `MAX_CHILD_STATES` children, in parallel. */
async function addChildStates(backend: Backend, children: ChildWorkflowInfo[]): Promise<void> {
  await Promise.all(
    children.slice(0, MAX_CHILD_STATES).map(async (child) => {
      try {
        child.state = await backend.getWorkflowInstanceState(child.instance);
      } catch (err) {
        if (!(err instanceof InstanceNotFoundError)) throw err;
      }
    }),
  );
}

/**
 * Describes the execution `ref` names (by id alone: its latest): the store's details of it, its history's
 * outcome, parent, children and pending work. Rejects with `InstanceNotFoundError` when there is none, and
 * with `UndecodableDataError` when its history cannot be decoded.
 */
export async function describeExecution(backend: Backend, ref: WorkflowInstanceRef): Promise<WorkflowInstanceDescription> {
  const instance = await executionOf(backend, ref);
  const [details, history] = await Promise.all([backend.getWorkflowInstanceDetails(instance), backend.getWorkflowInstanceHistory(instance)]);
  const children = childrenIn(history);
  await addChildStates(backend, children);
  return describe(details, history, children);
}

function describe(details: WorkflowInstanceDetails, history: readonly HistoryEvent[], children: ChildWorkflowInfo[]): WorkflowInstanceDescription {
  const { instance, name, queue, state, createdAt, finishedAt, hold, continuedFrom } = details;
  const description: WorkflowInstanceDescription = {
    instance: { instanceId: instance.instanceId, executionId: instance.executionId },
    name,
    queue,
    state,
    createdAt,
    children,
    pending: pendingWork(history),
    historyLength: history.length,
  };
  if (finishedAt !== undefined) description.finishedAt = finishedAt;
  const started = history.find((event) => event.type === 'WorkflowExecutionStarted')?.attributes ?? details.startedAttributes;
  if (started !== undefined) {
    description.inputs = started.inputs;
    if (started.parent !== undefined) description.parent = started.parent;
  }
  if (state !== 'active') Object.assign(description, endOf(history.at(-1), instance.instanceId));
  if (hold !== undefined) description.hold = hold;
  if (continuedFrom !== undefined) description.continuedFrom = continuedFrom;
  return description;
}
