import { assertName, assertQueueName } from '../core/validation.js';
import { InvalidArgumentError } from '../errors/errors.js';
import type { TaskKind, UnknownName, WorkerInfo } from './management-types.js';

/** How long (ms) a name recorded by `recordUnknownName` counts as pending without being recorded again: 5 minutes. */
export const UNKNOWN_NAME_RETENTION_MS = 5 * 60_000;

const KINDS: ReadonlySet<string> = new Set<TaskKind>(['workflow', 'activity']);

/** Throws `InvalidArgumentError` unless `ttlMs` is a positive integer of milliseconds. */
export function assertTtlMs(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new InvalidArgumentError(`ttlMs must be a positive integer of milliseconds, got ${String(ttlMs)}`);
  }
}

/** Throws `InvalidArgumentError` unless `workerId` is a non-empty, well-formed string. */
export function assertWorkerId(workerId: unknown): asserts workerId is string {
  assertName(workerId, 'workerId');
}

/** Throws `InvalidArgumentError` unless `name` is an `UnknownName` with a known kind, a valid queue and a name. */
export function assertUnknownName(name: unknown): asserts name is UnknownName {
  if (typeof name !== 'object' || name === null) throw new InvalidArgumentError('an unknown name must be an object { kind, queue, name }');
  const { kind, queue, name: value } = name as Record<string, unknown>;
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw new InvalidArgumentError(`kind must be 'workflow' or 'activity', got ${String(kind)}`);
  assertQueueName(queue);
  assertName(value, `${kind} name`);
}

/** The JSON a backend stores for a `WorkerInfo`: dates as ms since the epoch, `version` omitted when absent. */
interface StoredWorkerInfo extends Omit<WorkerInfo, 'startedAt' | 'lastSeenAt'> {
  startedAt: number;
  lastSeenAt: number;
}

/** `info` as stored; throws `InvalidArgumentError` (naming the field) when it is not a well-formed `WorkerInfo`. */
export function encodeWorkerInfo(info: WorkerInfo): string {
  if (typeof info !== 'object' || info === null) throw new InvalidArgumentError('a worker info must be an object');
  assertWorkerId(info.workerId);
  const stored: StoredWorkerInfo = {
    workerId: info.workerId,
    queues: names(info.queues, 'queues'),
    workflows: names(info.workflows, 'workflows'),
    activities: names(info.activities, 'activities'),
    pollsWorkflowTasks: flag(info.pollsWorkflowTasks, 'pollsWorkflowTasks'),
    pollsActivityTasks: flag(info.pollsActivityTasks, 'pollsActivityTasks'),
    pid: integer(info.pid, 'pid'),
    hostname: text(info.hostname, 'hostname'),
    redflowVersion: text(info.redflowVersion, 'redflowVersion'),
    startedAt: time(info.startedAt, 'startedAt'),
    lastSeenAt: time(info.lastSeenAt, 'lastSeenAt'),
  };
  if (info.version !== undefined) stored.version = text(info.version, 'version');
  return JSON.stringify(stored);
}

/** A stored worker info, decoded; undefined when it is not one (written by something else). */
export function decodeWorkerInfo(stored: string): WorkerInfo | undefined {
  try {
    const { startedAt, lastSeenAt, ...rest } = JSON.parse(stored) as StoredWorkerInfo;
    const info: WorkerInfo = Object.assign({}, rest, { startedAt: new Date(startedAt), lastSeenAt: new Date(lastSeenAt) });
    encodeWorkerInfo(info);
    return info;
  } catch {
    return undefined;
  }
}

/** `workers` ordered as `listWorkers` returns them: by `startedAt`, then `workerId`. */
export function sortWorkers(workers: WorkerInfo[]): WorkerInfo[] {
  return workers.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0));
}

function names(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`worker info ${field} must be an array of names`);
  return value.map((name) => text(name, field));
}

function text(value: unknown, field: string): string {
  assertName(value, `worker info ${field}`);
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`worker info ${field} must be a boolean`);
  return value;
}

function integer(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`worker info ${field} must be a non-negative integer`);
  }
  return value;
}

function time(value: unknown, field: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidArgumentError(`worker info ${field} must be a valid Date`);
  return value.getTime();
}
