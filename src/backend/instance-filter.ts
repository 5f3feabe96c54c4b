import type { WorkflowInstanceFilter, WorkflowInstanceInfo } from './management-types.js';

/**
 * True when `info` matches every field of `filter` (`createdAfter` inclusive, `createdBefore` exclusive), as
 * `Backend.listWorkflowInstances` applies it.
 */
export function matchesInstanceFilter(info: WorkflowInstanceInfo, filter: WorkflowInstanceFilter): boolean {
  if (filter.state !== undefined && info.state !== filter.state) return false;
  if (filter.name !== undefined && info.name !== filter.name) return false;
  if (filter.queue !== undefined && info.queue !== filter.queue) return false;
  const created = info.createdAt.getTime();
  if (filter.createdAfter !== undefined && created < filter.createdAfter.getTime()) return false;
  if (filter.createdBefore !== undefined && created >= filter.createdBefore.getTime()) return false;
  return true;
}

/** True when `filter` leaves out executions by something other than their creation time. */
export function filtersBeyondTime(filter: WorkflowInstanceFilter): boolean {
  return filter.state !== undefined || filter.name !== undefined || filter.queue !== undefined;
}
