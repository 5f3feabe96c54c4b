import type { WorkerInfo } from '../../backend/management-types.js';
import type { Client } from '../../client/client.js';
import type { WorkflowInstanceRef, WorkflowInstanceState } from '../../core/instance.js';
import { InstanceNotFoundError } from '../../errors/errors.js';
import { ApiError } from './api-errors.js';
import { historyTimeline } from './history-timeline.js';
import { describeInstance, listInstances, type InstanceListQuery } from './instance-queries.js';
import { toJsonSafe } from './json-safe.js';

// The JSON answers of the diagnostics API, one function per route. Dates travel as ISO strings (JSON.stringify).

const STATES: ReadonlySet<string> = new Set<WorkflowInstanceState>(['active', 'continued-as-new', 'finished']);

/** One row of the instance list. */
export interface InstanceRow {
  instanceId: string;
  executionId: string;
  name: string;
  queue: string;
  state: WorkflowInstanceState;
  createdAt: Date;
  finishedAt?: Date;
}

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BAD_REQUEST', message);
}

function dateParameter(params: URLSearchParams, key: string): Date | undefined {
  const text = params.get(key);
  if (text === null || text === '') return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw badRequest(`${key} must be an ISO 8601 time, got ${JSON.stringify(text)}`);
  return date;
}

function textParameter(params: URLSearchParams, key: string): string | undefined {
  const text = params.get(key);
  return text === null || text === '' ? undefined : text;
}

/** The list query of `GET api/instances`' parameters; `ApiError` 400 for a bad state, count or time. */
export function parseListQuery(params: URLSearchParams): InstanceListQuery {
  const query: InstanceListQuery = {};
  const state = textParameter(params, 'state');
  if (state !== undefined) {
    if (!STATES.has(state)) throw badRequest(`state must be one of ${[...STATES].join(', ')}, got ${JSON.stringify(state)}`);
    query.state = state as WorkflowInstanceState;
  }
  const name = textParameter(params, 'name');
  if (name !== undefined) query.name = name;
  const queue = textParameter(params, 'queue');
  if (queue !== undefined) query.queue = queue;
  const createdAfter = dateParameter(params, 'createdAfter');
  if (createdAfter !== undefined) query.createdAfter = createdAfter;
  const createdBefore = dateParameter(params, 'createdBefore');
  if (createdBefore !== undefined) query.createdBefore = createdBefore;
  const cursor = textParameter(params, 'cursor');
  if (cursor !== undefined) query.cursor = cursor;
  const count = textParameter(params, 'count');
  if (count !== undefined) {
    const value = Number(count);
    if (!Number.isInteger(value) || value < 1 || value > 1000) throw badRequest(`count must be an integer from 1 to 1000, got ${JSON.stringify(count)}`);
    query.count = value;
  }
  return query;
}

/**
 * `GET api/instances`: a page of executions, newest first (`{ instances: InstanceRow[], nextCursor? }`), filtered
 * by `state`, `name`, `queue`, `createdAfter`, `createdBefore`; `search=<instance id>` finds that id's latest
 * execution instead (an empty list when there is none).
 */
export async function listInstancesRoute(client: Client, params: URLSearchParams): Promise<{ instances: InstanceRow[]; nextCursor?: string }> {
  const search = textParameter(params, 'search');
  const query = parseListQuery(params);
  if (search !== undefined) {
    try {
      const { description } = await describeInstance(client, { instanceId: search.trim() });
      const row: InstanceRow = {
        instanceId: description.instance.instanceId,
        executionId: description.instance.executionId,
        name: description.name,
        queue: description.queue,
        state: description.state,
        createdAt: description.createdAt,
      };
      if (description.finishedAt !== undefined) row.finishedAt = description.finishedAt;
      return { instances: [row] };
    } catch (err) {
      if (err instanceof InstanceNotFoundError) return { instances: [] };
      throw err;
    }
  }
  const page = await listInstances(client, query);
  const instances = page.instances.map((info): InstanceRow => {
    const row: InstanceRow = {
      instanceId: info.instance.instanceId,
      executionId: info.instance.executionId,
      name: info.name,
      queue: info.queue,
      state: info.state,
      createdAt: info.createdAt,
    };
    if (info.finishedAt !== undefined) row.finishedAt = info.finishedAt;
    return row;
  });
  return page.nextCursor === undefined ? { instances } : { instances, nextCursor: page.nextCursor };
}

/** The execution a route names: the id from the path and `executionId` from the query, if given. */
export function instanceRef(instanceId: string, params: URLSearchParams): WorkflowInstanceRef {
  const executionId = textParameter(params, 'executionId');
  return executionId === undefined ? { instanceId } : { instanceId, executionId };
}

/**
 * `GET api/instances/<id>`: the execution's description (`Client.describeWorkflowInstance`: instance, name, queue,
 * state, times, inputs, outcome with result or error, parent, children, pending work, hold, continue-as-new links)
 * with its payloads made JSON-safe (`toJsonSafe`), and `timeline`: its history as `historyTimeline` shows it.
 */
export async function instanceRoute(client: Client, ref: WorkflowInstanceRef): Promise<Record<string, unknown>> {
  const { description, history } = await describeInstance(client, ref);
  const { inputs, result, error, pending, ...plain } = description;
  const body: Record<string, unknown> = Object.assign({}, plain, { pending: toJsonSafe(pending), timeline: historyTimeline(history) });
  if (inputs !== undefined) body.inputs = toJsonSafe(inputs);
  if (description.outcome === 'completed') body.result = toJsonSafe(result);
  if (error !== undefined) body.error = toJsonSafe(error);
  return body;
}

/** `POST api/instances/<id>/signal` with `{ name, arg? }`: sends the signal to the instance's active execution. */
export async function signalRoute(client: Client, instanceId: string, body: unknown): Promise<{ ok: true }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object { "name": ..., "arg": ... }');
  const { name, arg } = body as { name?: unknown; arg?: unknown };
  if (typeof name !== 'string' || name === '') throw badRequest('the signal needs a "name" (a non-empty string)');
  await client.signalWorkflow(instanceId, name, arg);
  return { ok: true };
}

/** A queue as the queues page shows it. */
export interface QueueRow {
  queue: string;
  pendingWorkflowTasks: number;
  pendingActivityTasks: number;
  /** Live workers taking tasks from it. */
  workers: number;
  /** The kinds of its pending tasks that no live worker polls (see `BackendStats.unservedQueues`). */
  unserved: string[];
}

/** How many held instances the queues page lists. */
const HELD_LISTED = 100;

/**
 * `GET api/queues`: `{ queues: QueueRow[], workers, held: { instances, nextCursor? }, stats }`: the backlog per
 * queue, the live workers and what they serve, the first held instances, and the store's counts (dead letters
 * among them).
 */
export async function queuesRoute(client: Client): Promise<Record<string, unknown>> {
  const [stats, workers, held] = await Promise.all([client.getStats(), client.getWorkers(), client.listHeldWorkflowInstances({ count: HELD_LISTED })]);
  const names = new Set([...Object.keys(stats.pendingWorkflowTasks), ...Object.keys(stats.pendingActivityTasks), ...workers.flatMap((worker) => worker.queues)]);
  const queues = [...names].sort().map(
    (queue): QueueRow => ({
      queue,
      pendingWorkflowTasks: stats.pendingWorkflowTasks[queue] ?? 0,
      pendingActivityTasks: stats.pendingActivityTasks[queue] ?? 0,
      workers: workers.filter((worker: WorkerInfo) => worker.queues.includes(queue)).length,
      unserved: stats.unservedQueues.filter((entry) => entry.queue === queue).map((entry) => entry.kind),
    }),
  );
  return { queues, workers, held, stats };
}
