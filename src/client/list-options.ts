import type { WorkflowInstanceFilter } from '../backend/backend.js';
import type { WorkflowInstanceState } from '../core/instance.js';
import { assertName, assertQueueName } from '../core/validation.js';
import { InvalidArgumentError } from '../errors/errors.js';

// The page and filter arguments of the client's listings, and their checks.

/**
 * Arguments of `listWorkflowInstances` and `listHeldWorkflowInstances`: pass a page's `nextCursor` back as
 * `cursor` for the next one.
 */
export interface ListWorkflowInstancesOptions {
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size, 1 to 1000. @default 25 */
  count?: number;
}

/**
 * Arguments of `listWorkflowInstances`: a page query and which executions to list (`WorkflowInstanceFilter`:
 * `state`, `name`, `queue`, `createdAfter` inclusive, `createdBefore` exclusive). Pass the same filter with
 * every page.
 */
export type ListFilteredWorkflowInstancesOptions = ListWorkflowInstancesOptions & WorkflowInstanceFilter;

/** Arguments of `listDeadLetterMessages`: a page query, as `ListWorkflowInstancesOptions`. */
export type ListDeadLetterMessagesOptions = ListWorkflowInstancesOptions;

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 1000;

/** A page query with its defaults applied; `InvalidArgumentError` for bad options, a bad count or cursor. */
export function pageQuery(options: ListWorkflowInstancesOptions): { count: number; cursor?: string } {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  const count = options.count ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(count) || count < 1 || count > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(`count must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (options.cursor !== undefined && (typeof options.cursor !== 'string' || options.cursor.length === 0)) {
    throw new InvalidArgumentError('cursor must be the nextCursor of a previous page');
  }
  return options.cursor === undefined ? { count } : { count, cursor: options.cursor };
}

const INSTANCE_STATES: ReadonlySet<unknown> = new Set<WorkflowInstanceState>(['active', 'continued-as-new', 'finished']);

/** The filter of `options`, checked; `InvalidArgumentError` for a bad field. */
export function instanceFilter(options: WorkflowInstanceFilter): WorkflowInstanceFilter {
  const filter: WorkflowInstanceFilter = {};
  const { state, name, queue, createdAfter, createdBefore } = options;
  if (state !== undefined) {
    if (!INSTANCE_STATES.has(state)) throw new InvalidArgumentError(`state must be 'active', 'continued-as-new' or 'finished', got ${JSON.stringify(state)}`);
    filter.state = state;
  }
  if (name !== undefined) {
    assertName(name, 'workflow name filter');
    filter.name = name;
  }
  if (queue !== undefined) {
    assertQueueName(queue, 'queue filter');
    filter.queue = queue;
  }
  for (const [field, value] of [['createdAfter', createdAfter], ['createdBefore', createdBefore]] as const) {
    if (value === undefined) continue;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${field} must be a valid Date`);
    filter[field] = value;
  }
  return filter;
}
