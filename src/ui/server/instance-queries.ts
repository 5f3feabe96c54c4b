import type { HeldWorkflowInstanceInfo, WorkflowInstancePage } from '../../backend/management-types.js';
import type { Client } from '../../client/client.js';
import type { WorkflowInstanceRef, WorkflowInstanceState } from '../../core/instance.js';
import type { FailureInfo } from '../../errors/errors.js';
import type { HistoryEvent } from '../../history/events.js';
import { pendingWork, type PendingWork } from '../../testing/pending-work.js';

// The one place where the diagnostics server reads instances through the client: the listing with its filters
// and the description of one instance. Everything else in src/ui/ works on the shapes below.

/** Filters and paging of the instance list (all optional; see `Client.listWorkflowInstances`). */
export interface InstanceListQuery {
  state?: WorkflowInstanceState;
  /** Workflow name. */
  name?: string;
  queue?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  cursor?: string;
  /** Page size, 1 to 1000. */
  count?: number;
}

/** One page of the instance list. */
export function listInstances(client: Client, query: InstanceListQuery): Promise<WorkflowInstancePage> {
  // The listing filters are options of listWorkflowInstances from the operations CLI work; until they exist
  // there the client ignores them and the page is unfiltered.
  return client.listWorkflowInstances(query);
}

/** A child execution as the instance page shows it. */
export interface ChildInfo {
  instanceId: string;
  executionId: string;
  name: string;
  queue: string;
  /** Its state now; undefined when it was never created (or has been removed). */
  state?: WorkflowInstanceState;
}

/** What the instance page shows about one execution. */
export interface InstanceDetails {
  instanceId: string;
  executionId?: string;
  name: string;
  queue: string;
  state: WorkflowInstanceState;
  createdAt?: Date;
  finishedAt?: Date;
  /** When finished: the result (when it succeeded) or the error (when it failed or was cancelled). */
  result?: unknown;
  error?: FailureInfo;
  /** The parent execution of a sub-workflow. */
  parent?: { instanceId: string; executionId: string };
  children: ChildInfo[];
  pendingWork: PendingWork;
  /** Set when its workflow task is held. */
  hold?: Omit<HeldWorkflowInstanceInfo, 'instance' | 'name' | 'queue'>;
  /** The execution this one continued as, when it did. */
  continuedAs?: string;
  history: HistoryEvent[];
}

/** How many held instances are searched for the hold of one instance. */
const HELD_SEARCHED = 1000;

/**
 * The details of an execution (by id alone, the latest one). Rejects as `Client.getWorkflowInstanceHistory` does:
 * `InstanceNotFoundError` for an unknown instance.
 */
export async function describeInstance(client: Client, ref: WorkflowInstanceRef): Promise<InstanceDetails> {
  const history = await client.getWorkflowInstanceHistory(ref);
  const state = await client.getWorkflowInstanceState(ref);
  const started = history.find((event) => event.type === 'WorkflowExecutionStarted');
  const last = history.at(-1);
  const details: InstanceDetails = {
    instanceId: ref.instanceId,
    name: started?.attributes.name ?? '',
    queue: started?.attributes.queue ?? '',
    state,
    children: await childrenOf(client, history),
    pendingWork: pendingWork(history),
    history,
  };
  if (ref.executionId !== undefined) details.executionId = ref.executionId;
  if (started !== undefined) details.createdAt = started.timestamp;
  if (started?.attributes.parent !== undefined) {
    details.parent = { instanceId: started.attributes.parent.instanceId, executionId: started.attributes.parent.executionId };
  }
  if (last?.type === 'WorkflowExecutionFinished') {
    details.finishedAt = last.timestamp;
    if (last.attributes.error !== undefined) details.error = last.attributes.error;
    else details.result = last.attributes.result;
  } else if (last?.type === 'WorkflowExecutionContinuedAsNew') {
    details.finishedAt = last.timestamp;
    details.continuedAs = last.attributes.continuedExecutionId;
  }
  if (state === 'active') {
    const held = (await client.listHeldWorkflowInstances({ count: HELD_SEARCHED })).instances.find(
      (info) => info.instance.instanceId === ref.instanceId && (ref.executionId === undefined || info.instance.executionId === ref.executionId),
    );
    if (held !== undefined) {
      const { instance, name: _name, queue: _queue, ...hold } = held;
      details.executionId ??= instance.executionId;
      details.hold = hold;
    }
  }
  return details;
}

async function childrenOf(client: Client, history: readonly HistoryEvent[]): Promise<ChildInfo[]> {
  const scheduled = history.filter((event) => event.type === 'SubWorkflowScheduled');
  return Promise.all(
    scheduled.map(async ({ attributes }) => {
      const child: ChildInfo = { instanceId: attributes.instanceId, executionId: attributes.executionId, name: attributes.name, queue: attributes.queue };
      try {
        child.state = await client.getWorkflowInstanceState({ instanceId: attributes.instanceId, executionId: attributes.executionId });
      } catch {
        // Not created (yet), or removed: shown without a state.
      }
      return child;
    }),
  );
}
