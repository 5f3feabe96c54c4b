import type { ActivityTask } from '../backend.js';
import type { ActivityTimeouts } from '../../core/activity-timeouts.js';
import type { TraceCarrier } from '../../core/trace-carrier.js';
import { decode, encode, undecodable } from '../../codec/codec.js';
import { InvalidArgumentError } from '../../errors/errors.js';
import type { StreamEntry } from './stream-replies.js';

/**
 * An activity task without its handle and delivery history: what the activity-task stream entry stores
 * (field `t`).
 */
export type ActivityTaskRecord = Omit<ActivityTask, 'id' | 'redeliveries' | 'timeLeftMs'>;

interface WireActivityTask {
  i: string;
  e: string;
  wq: string;
  q: string;
  s: number;
  n: string;
  a: number;
  /** The encoded inputs (a list of them in records of earlier versions). */
  in: Uint8Array | unknown[];
  /** Timeouts (ms) startToClose, heartbeat, scheduleToClose and the scheduleToClose deadline (ms since the epoch); absent for none. */
  to?: { st?: number; hb?: number; sc?: number; sd?: number };
  /** When it was queued (ms since the epoch); absent in records of earlier versions. */
  sa?: number;
  /** Trace context of the workflow task that scheduled it; absent without telemetry. */
  tc?: TraceCarrier;
}

/**
 * Encodes an activity task for its stream entry; only TypeScript reads it, Lua passes it on. The inputs are
 * encoded apart, so a reader that cannot decode them still knows whose task it holds.
 */
export function encodeActivityTask(task: ActivityTaskRecord): Buffer {
  const wire: WireActivityTask = {
    i: task.instance.instanceId,
    e: task.instance.executionId,
    wq: task.workflowQueue,
    q: task.queue,
    s: task.scheduleEventId,
    n: task.name,
    a: task.attempt,
    in: encode(task.inputs, `arguments of activity ${task.name}`),
  };
  if (task.timeouts !== undefined) wire.to = wireTimeouts(task.timeouts);
  if (task.scheduledAt !== undefined) wire.sa = task.scheduledAt.getTime();
  if (task.traceContext !== undefined) wire.tc = task.traceContext;
  return encode(wire, 'activity task');
}

/**
 * The handle of a claimed activity task: its stream entry id and the entry's delivery count, which fences
 * a holder whose entry was handed out again (possibly to the same consumer).
 */
export function activityTaskHandle(entryId: string, deliveries: number): string {
  return `${entryId}#${deliveries}`;
}

/** Stream entry id and delivery count of a handle made by `activityTaskHandle`. */
export function parseActivityTaskHandle(handle: string): { entryId: string; deliveries: number } {
  const at = handle.lastIndexOf('#');
  const deliveries = at < 0 ? Number.NaN : Number(handle.slice(at + 1));
  if (!Number.isInteger(deliveries)) {
    throw new InvalidArgumentError(`activity task id ${JSON.stringify(handle)} was not issued by a RedisBackend`);
  }
  return { entryId: handle.slice(0, at), deliveries };
}

/**
 * Redeliveries of the attempt in a claimed entry: those a release carried over into it (field `r`, absent
 * for none) plus the entry's own, each delivery after its first being a reclaim after a lease ran out.
 */
export function redeliveriesOf(entry: StreamEntry): number {
  const carried = entry.fields.get('r');
  return (carried === undefined ? 0 : Number(carried.toString())) + entry.deliveries - 1;
}

/**
 * Decodes a stream entry's activity task; `handle` comes from `activityTaskHandle`, `redeliveries` from
 * `redeliveriesOf`. Throws `UndecodableDataError` when it cannot, naming the instance and activity when only
 * the inputs are unreadable.
 */
export function decodeActivityTask(handle: string, blob: Uint8Array, redeliveries: number): ActivityTask {
  const wire = decode<WireActivityTask>(blob, 'an activity task');
  if (!isWireActivityTask(wire)) throw undecodable('an activity task', new TypeError('the blob is not an activity task'));
  const task: Mutable<ActivityTask> = {
    id: handle,
    instance: { instanceId: wire.i, executionId: wire.e },
    workflowQueue: wire.wq,
    queue: wire.q,
    scheduleEventId: wire.s,
    name: wire.n,
    attempt: wire.a,
    redeliveries,
    inputs: Array.isArray(wire.in) ? wire.in : decodeInputs(wire, wire.in),
  };
  if (wire.to !== undefined) task.timeouts = timeoutsOf(wire.to);
  if (typeof wire.sa === 'number') task.scheduledAt = new Date(wire.sa);
  if (isTraceCarrier(wire.tc)) task.traceContext = wire.tc;
  return task;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isTraceCarrier(value: unknown): value is TraceCarrier {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((field) => typeof field === 'string');
}

function wireTimeouts(timeouts: ActivityTimeouts): NonNullable<WireActivityTask['to']> {
  const to: NonNullable<WireActivityTask['to']> = {};
  if (timeouts.startToCloseTimeoutMs !== undefined) to.st = timeouts.startToCloseTimeoutMs;
  if (timeouts.heartbeatTimeoutMs !== undefined) to.hb = timeouts.heartbeatTimeoutMs;
  if (timeouts.scheduleToCloseTimeoutMs !== undefined) to.sc = timeouts.scheduleToCloseTimeoutMs;
  if (timeouts.scheduleToCloseDeadline !== undefined) to.sd = timeouts.scheduleToCloseDeadline.getTime();
  return to;
}

function timeoutsOf(to: NonNullable<WireActivityTask['to']>): ActivityTimeouts {
  const timeouts: ActivityTimeouts = {};
  if (typeof to.st === 'number') timeouts.startToCloseTimeoutMs = to.st;
  if (typeof to.hb === 'number') timeouts.heartbeatTimeoutMs = to.hb;
  if (typeof to.sc === 'number') timeouts.scheduleToCloseTimeoutMs = to.sc;
  if (typeof to.sd === 'number') timeouts.scheduleToCloseDeadline = new Date(to.sd);
  return timeouts;
}

function decodeInputs(wire: WireActivityTask, bytes: Uint8Array): unknown[] {
  let inputs: unknown;
  try {
    inputs = decode(bytes);
  } catch (err) {
    throw undecodable(describeInputs(wire), (err as Error).cause);
  }
  if (!Array.isArray(inputs)) throw undecodable(describeInputs(wire), new TypeError('they are not a list'));
  return inputs;
}

function describeInputs(wire: WireActivityTask): string {
  return `the arguments of activity ${wire.n} (event ${wire.s}) of workflow instance ${wire.i} (execution ${wire.e})`;
}

function isWireActivityTask(wire: unknown): wire is WireActivityTask {
  if (typeof wire !== 'object' || wire === null) return false;
  const { i, e, n, s, in: inputs } = wire as Partial<WireActivityTask>;
  return typeof i === 'string' && typeof e === 'string' && typeof n === 'string' && typeof s === 'number' && (Array.isArray(inputs) || inputs instanceof Uint8Array);
}
