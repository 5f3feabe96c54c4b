import type { WorkflowInstancePage } from '../../backend/management-types.js';
import type { Client } from '../../client/client.js';
import type { WorkflowInstanceDescription } from '../../client/instance-description.js';
import type { WorkflowInstanceRef, WorkflowInstanceState } from '../../core/instance.js';
import type { HistoryEvent } from '../../history/events.js';

// The one place where the diagnostics server reads instances through the client: the listing with its filters
// and the description of one instance with its history.

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
  return client.listWorkflowInstances(query);
}

/** What the instance page shows about one execution: its description and its history. */
export interface InstanceDetails {
  description: WorkflowInstanceDescription;
  history: HistoryEvent[];
}

/**
 * The description and history of an execution (by id alone, the latest one; the history is that same
 * execution's). Rejects as `Client.describeWorkflowInstance` does: `InstanceNotFoundError` for an unknown one.
 */
export async function describeInstance(client: Client, ref: WorkflowInstanceRef): Promise<InstanceDetails> {
  const description = await client.describeWorkflowInstance(ref);
  const history = await client.getWorkflowInstanceHistory(description.instance);
  return { description, history };
}
